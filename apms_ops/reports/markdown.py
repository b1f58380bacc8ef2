"""The validation report in Markdown: the shape of the hand-made staging report, but honest.

A check is shown as passed only when its status is PASS and its figure meets its
target; a figure that misses its target is never rounded up into a success.
The content comes from ``reports.document``, which the HTML report renders too.
"""

from __future__ import annotations

import re

from apms_ops.reports.document import Block, build
from apms_ops.review import Review

_CODE_SPAN = re.compile(r"(`[^`]*`)")
_TAG_START = re.compile(r"<(?=[A-Za-z/!?])")


def _inline(text: str) -> str:
    # Outside code spans, a "<" that could open a tag is escaped so a hostile name cannot
    # become HTML in a viewer; SQL's "<>" and "<=" stay readable.
    return "".join(part if part.startswith("`") else _TAG_START.sub("&lt;", part) for part in _CODE_SPAN.split(text))


def _cell(text: str) -> str:
    return _inline(text).replace("|", "\\|").replace("\n", " ")


def render_blocks(blocks: list[Block]) -> str:
    out: list[str] = []
    for b in blocks:
        if b.kind == "h":
            out += ["#" * b.level + " " + _inline(b.text).replace("\n", " "), ""]
        elif b.kind == "p":
            out += [_inline(b.text), ""]
        elif b.kind == "ul":
            out += [f"- {_inline(i)}" for i in b.items] + [""]
        elif b.kind == "ol":
            out += [f"{n}. {_inline(i)}" for n, i in enumerate(b.items, 1)] + [""]
        elif b.kind == "checklist":
            out += [f"- [{'x' if done else ' '}] {_inline(t)}" for done, t in b.items] + [""]
        elif b.kind == "table":
            out.append("| " + " | ".join(_cell(x) for x in b.headers) + " |")
            out.append("|" + "---|" * len(b.headers))
            out += ["| " + " | ".join(_cell(x) for x in row) + " |" for row in b.rows]
            out.append("")
        elif b.kind == "code":
            fence = "````" if "```" in b.text else "```"
            out += [fence + b.lang, b.text, fence, ""]
    return "\n".join(out).rstrip("\n") + "\n"


def render_markdown(review: Review, **extras) -> str:
    """The full report; extras (invariant_runs, sign_off, history, changes, acceptances) come from the history store."""
    allowed = {"invariant_runs", "sign_off", "history", "changes", "acceptances", "run_id", "max_findings", "generated_at"}
    return render_blocks(build(review, **{k: v for k, v in extras.items() if k in allowed}))
