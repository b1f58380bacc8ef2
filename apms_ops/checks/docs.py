"""What each check asks, why it matters and how to fix it, read from the registry and the
check functions' docstrings. The dashboard's check pages, the report's "why it matters"
and "next steps", and ``docs/checks/`` are all drawn from here.

A check function's docstring is: one summary line (what it asks), optional paragraphs
saying more, then a paragraph starting ``Why it matters:`` and one starting
``How to fix:``. A test fails when a registered check lacks either, and another when
``docs/checks/`` is not what this module generates::

    python -m apms_ops.checks.docs docs/checks          # regenerate
    python -m apms_ops.checks.docs docs/checks --check  # exit 1 when out of date
"""

from __future__ import annotations

import argparse
import inspect
import re
import sys
from dataclasses import dataclass
from pathlib import Path

from apms_ops.checks.base import BLOCKER, Check
from apms_ops.checks.registry import BY_ID, GROUPS, REGISTRY

WHY, HOW = "Why it matters:", "How to fix:"
_RST_CODE = re.compile(r"``([^`]+)``")
VERDICT_WORDS = {"GO": "GO", "HOLD": "HOLD", "NO_GO": "NO-GO"}


@dataclass(frozen=True)
class RuleRef:
    id: str
    verdict: str
    title: str


@dataclass(frozen=True)
class CheckDoc:
    id: str
    title: str
    group: str
    group_title: str
    severity: str
    needs_data: bool
    what: str                 # the summary line
    more: tuple[str, ...]     # further paragraphs about what it asks
    why: str                  # why it matters (one paragraph)
    how: str                  # how to fix (one paragraph)
    rules: tuple[RuleRef, ...]  # the verdict rules it feeds

    @property
    def file_name(self) -> str:
        return f"{self.id}.md"

    @property
    def fail_means(self) -> str:
        """``NO-GO`` / ``HOLD`` / ``NO-GO or HOLD``: what an open finding of this check does to the verdict."""
        words = list(dict.fromkeys(VERDICT_WORDS[r.verdict] for r in self.rules))
        return " or ".join(words) if words else ("NO-GO" if self.severity == BLOCKER else "HOLD")


def _markdown(text: str) -> str:
    """A docstring paragraph as Markdown: ``code`` marks become `code`, lines join."""
    return _RST_CODE.sub(r"`\1`", " ".join(text.split()))


def _sentence(text: str) -> str:
    text = text.strip()
    return text[:1].upper() + text[1:] if text else text


def _paragraphs(doc: str) -> list[str]:
    return [p.strip() for p in re.split(r"\n\s*\n", inspect.cleandoc(doc or "")) if p.strip()]


def _rules(check_id: str) -> tuple[RuleRef, ...]:
    from apms_ops.verdict import RULES

    return tuple(RuleRef(r.id, r.verdict, r.title) for r in RULES if check_id in r.checks)


def check_doc(check: Check) -> CheckDoc:
    """The documentation of one registered check (empty ``why``/``how`` when its docstring lacks them)."""
    paragraphs = _paragraphs(check.run.__doc__ or "")
    what = _markdown(paragraphs[0]) if paragraphs else check.title
    more, why, how = [], "", ""
    for p in paragraphs[1:]:
        if p.startswith(WHY):
            why = _sentence(_markdown(p[len(WHY):]))
        elif p.startswith(HOW):
            how = _sentence(_markdown(p[len(HOW):]))
        else:
            more.append(_markdown(p))
    return CheckDoc(check.id, check.title, check.group, GROUPS.get(check.group, check.group), check.severity, check.needs_data,
                    what, tuple(more), why, how, _rules(check.id))


def all_docs() -> list[CheckDoc]:
    """Every registered check's documentation, in registry order."""
    return [check_doc(c) for c in REGISTRY]


def doc_for(check_id: str) -> CheckDoc | None:
    check = BY_ID.get(check_id)
    return check_doc(check) if check is not None else None


# ---------------------------------------------------------------- docs/checks/


def markdown(doc: CheckDoc) -> str:
    """One check's page: what it asks, why it matters, how to fix, and what a failure does to the verdict."""
    rules = "; ".join(f"{r.id} ({VERDICT_WORDS[r.verdict]}): {r.title}" for r in doc.rules) or "none"
    lines = [
        f"# `{doc.id}` — {doc.title}",
        "",
        f"Group {doc.group} ({doc.group_title}) · severity {doc.severity} · an open finding means **{doc.fail_means}** · "
        + ("reads table contents" if doc.needs_data else "reads the catalog only"),
        "",
        "## What it asks",
        "",
        doc.what,
        "",
    ]
    for p in doc.more:
        lines += [p, ""]
    lines += [
        "## Why it matters",
        "",
        doc.why,
        "",
        "## How to fix",
        "",
        doc.how,
        "",
        "## Verdict",
        "",
        f"Rules: {rules}. A check that could not run (ERROR) holds the deploy (R15): its part of the design is unverified. "
        "An accepted finding stays listed but leaves the verdict until its acceptance expires.",
        "",
        "Findings of this check, with the SQL that fixes them, are in the dashboard's Findings page "
        f"(`?check={doc.id}`) and in `python -m apms_ops check --only {doc.id} --format markdown`.",
        "",
    ]
    return "\n".join(lines)


def index_markdown(docs: list[CheckDoc]) -> str:
    lines = [
        "# Checks",
        "",
        "One page per check: what it asks, why it matters, how to fix it. Generated from the check registry "
        "(`apms_ops/checks/registry.py`) and the check functions' docstrings by "
        "`python -m apms_ops.checks.docs docs/checks`; a test keeps this folder in sync.",
        "",
        "| check | what it asks | an open finding means |",
        "|---|---|---|",
    ]
    for d in docs:
        what = d.what.replace("|", "\\|")
        lines.append(f"| [`{d.id}`]({d.file_name}) {d.title} | {what} | {d.fail_means} |")
    return "\n".join(lines) + "\n"


def rendered_docs() -> dict[str, str]:
    """``{file name: text}`` of ``docs/checks/``."""
    docs = all_docs()
    out = {d.file_name: markdown(d) for d in docs}
    out["README.md"] = index_markdown(docs)
    return out


def stale_files(folder: Path) -> list[str]:
    """Files of ``folder`` that differ from what would be generated (missing ones included, extra ``.md`` files too)."""
    wanted = rendered_docs()
    stale = [name for name, text in wanted.items() if not (folder / name).is_file() or (folder / name).read_text(encoding="utf-8") != text]
    stale += [p.name for p in sorted(folder.glob("*.md")) if p.name not in wanted] if folder.is_dir() else []
    return stale


def write_docs(folder: Path) -> list[str]:
    """Write ``docs/checks/`` (and remove pages of checks no longer registered); returns the files written."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    wanted = rendered_docs()
    for name, text in wanted.items():
        path = folder / name
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
            written.append(name)
    for path in folder.glob("*.md"):
        if path.name not in wanted:
            path.unlink()
            written.append(path.name)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m apms_ops.checks.docs", description="generate one Markdown page per check")
    parser.add_argument("folder", nargs="?", default="docs/checks")
    parser.add_argument("--check", action="store_true", help="exit 1 when the folder is out of date, writing nothing")
    args = parser.parse_args(argv)
    folder = Path(args.folder)
    if args.check:
        stale = stale_files(folder)
        for name in stale:
            print(f"{folder / name}: out of date (python -m apms_ops.checks.docs {folder})", file=sys.stderr)
        return 1 if stale else 0
    for name in write_docs(folder):
        print(folder / name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
