"""Recall and precision of reference discovery on the test-schema corpus, per schema.

    python benchmarks/discovery_corpus.py [--part dev|holdout|all] [--schema NAME ...]

Each schema of ``tests/corpus/<part>/<name>/`` is the DDL of an application with
its foreign keys dropped (``schema.sql``), the references it really has
(``truth.toml``) and, for Prisma apps, its ``schema.prisma``. Every schema is
loaded into a throw-away database on $APMS_OPS_TEST_ADMIN_URL (default
postgresql://postgres@127.0.0.1:5432/postgres) and reviewed the way
``check --profile none`` does (zero configuration), and, where there is a
Prisma schema, the way ``check --prisma-schema`` does. A reference counts as
found when discovery lists it (high or review band); the high band alone is
shown beside it. The held-out part was written after the rules were, so its
figures say how the rules do on names they were not written against.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import tomllib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

CORPUS = ROOT / "tests" / "corpus"
PARTS = ("dev", "holdout", "holdout2")

RefKey = tuple[str, str, tuple[str, ...], str, str, tuple[str, ...]]


@dataclass
class CorpusSchema:
    name: str
    part: str
    path: Path
    truth: set[RefKey]

    @property
    def sql(self) -> str:
        return (self.path / "schema.sql").read_text(encoding="utf-8")

    @property
    def prisma(self) -> Path | None:
        p = self.path / "schema.prisma"
        return p if p.exists() else None


def _split_outside(text: str, sep: str) -> list[str]:
    """Split on ``sep`` outside double quotes and parentheses."""
    parts, depth, quoted, current = [], 0, False, ""
    for ch in text:
        if ch == '"':
            quoted = not quoted
        elif not quoted and ch == "(":
            depth += 1
        elif not quoted and ch == ")":
            depth -= 1
        if ch == sep and not quoted and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += ch
    parts.append(current)
    return [p.strip() for p in parts]


def _unquote(name: str) -> str:
    name = name.strip()
    return name[1:-1].replace('""', '"') if name.startswith('"') and name.endswith('"') else name


def parse_side(text: str) -> tuple[str, str, tuple[str, ...]]:
    """``[schema.]table.column`` or ``[schema.]table.(c1, c2)`` -> (schema, table, columns)."""
    parts = _split_outside(text, ".")
    *table_parts, column_part = parts
    if column_part.startswith("("):
        columns = tuple(_unquote(c) for c in column_part[1:-1].split(","))
    else:
        columns = (_unquote(column_part),)
    if len(table_parts) == 1:
        return "public", _unquote(table_parts[0]), columns
    if len(table_parts) == 2:
        return _unquote(table_parts[0]), _unquote(table_parts[1]), columns
    raise ValueError(f"cannot read {text!r}: expected [schema.]table.column")


def parse_truth(text: str) -> set[RefKey]:
    out = set()
    for line in tomllib.loads(text).get("references", []):
        left, right = line.split("->")
        child, parent = parse_side(left), parse_side(right)
        out.add((child[0], child[1], child[2], parent[0], parent[1], parent[2]))
    return out


def load_corpus(parts: tuple[str, ...] = PARTS, names: list[str] | None = None) -> list[CorpusSchema]:
    out = []
    for part in parts:
        for path in sorted((CORPUS / part).glob("*/schema.sql")):
            name = path.parent.name
            if names and name not in names:
                continue
            out.append(CorpusSchema(name, part, path.parent, parse_truth((path.parent / "truth.toml").read_text(encoding="utf-8"))))
    return out


# ---------------------------------------------------------------- measuring


@dataclass
class Score:
    schema: str
    part: str
    mode: str  # zero-config | prisma
    truth: int
    high: set = field(default_factory=set)
    review: set = field(default_factory=set)
    truth_keys: set = field(default_factory=set)
    seconds: float = 0.0

    @property
    def found(self) -> set:
        return self.high | self.review

    def figures(self, band: str = "all") -> tuple[int, int, int]:
        """(true positives, false positives, false negatives) for the listed references (or the high band)."""
        found = self.found if band == "all" else self.high
        tp = len(found & self.truth_keys)
        return tp, len(found - self.truth_keys), len(self.truth_keys - found)

    def recall(self, band: str = "all") -> float:
        tp, _, fn = self.figures(band)
        return tp / (tp + fn) if tp + fn else 1.0

    def precision(self, band: str = "all") -> float:
        tp, fp, _ = self.figures(band)
        return tp / (tp + fp) if tp + fp else 1.0


def discovered(url: str, profile) -> tuple[set, set, float]:
    """(high, review) reference keys discovery lists for the database at ``url``, and seconds taken."""
    from apms_ops.catalog import read_snapshot
    from apms_ops.connections import Environment, read_only_session
    from apms_ops.discovery import HIGH, discover
    from apms_ops.review import choose_profile

    env = Environment("corpus", url)
    with read_only_session(env) as conn:
        snapshot = read_snapshot(conn)
        chosen = choose_profile(profile, snapshot)
        t0 = time.perf_counter()
        found = discover(snapshot, chosen, conn)
        seconds = time.perf_counter() - t0
    refs = [r for r in found.references if not r.declared or r.expected]
    high = {r.key for r in refs if r.confidence == HIGH}
    review = {r.key for r in refs if r.confidence != HIGH}
    return high, review, seconds


def score_schema(schema: CorpusSchema, url: str) -> list[Score]:
    """Zero-config, and with the Prisma schema where the app has one."""
    modes = [("zero-config", "none")]
    if schema.prisma and os.environ.get('NO_PRISMA') is None:
        from apms_ops.prisma import design_profile

        modes.append(("prisma", design_profile(str(schema.prisma))))
    out = []
    for mode, profile in modes:
        high, review, seconds = discovered(url, profile)
        out.append(Score(schema.name, schema.part, mode, len(schema.truth), high, review, schema.truth, seconds))
    return out


def total(scores: list[Score], label: str) -> Score:
    out = Score(label, "", "", 0)
    for i, s in enumerate(scores):
        tag = lambda keys: {(i,) + k for k in keys}  # noqa: E731 - keep schemas apart
        out.high |= tag(s.high)
        out.review |= tag(s.review)
        out.truth_keys |= tag(s.truth_keys)
        out.truth += s.truth
        out.seconds += s.seconds
    return out


def table(scores: list[Score]) -> str:
    head = ("schema", "part", "mode", "true", "listed", "high", "review", "recall", "precision", "recall(high)", "precision(high)")
    rows = [head]
    for s in scores:
        rows.append((s.schema, s.part, s.mode, str(s.truth), str(len(s.found)), str(len(s.high)), str(len(s.review)),
                     f"{s.recall():.1%}", f"{s.precision():.1%}", f"{s.recall('high'):.1%}", f"{s.precision('high'):.1%}"))
    widths = [max(len(r[i]) for r in rows) for i in range(len(head))]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(r, widths)) for r in rows)


def misses(s: Score) -> list[str]:
    def label(k):
        return f"{k[0]}.{k[1]}.{','.join(k[2])} -> {k[3]}.{k[4]}.{','.join(k[5])}"
    return ([f"  missed {label(k)}" for k in sorted(s.truth_keys - s.found)]
            + [f"  wrong  {label(k)}" + (" (review)" if k in s.review else "") for k in sorted(s.found - s.truth_keys)])


def main() -> int:
    from harness import scratch_database

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", choices=("dev", "holdout", "holdout2", "all"), default="all")
    parser.add_argument("--schema", nargs="*", help="only these schemas")
    parser.add_argument("--misses", action="store_true", help="list every missed and wrong reference")
    args = parser.parse_args()
    parts = PARTS if args.part == "all" else (args.part,)
    scores: list[Score] = []
    for schema in load_corpus(parts, args.schema):
        with scratch_database(f"apmsops_corpus_{os.getpid()}_{schema.name}", schema.sql) as url:
            scores += score_schema(schema, url)
    print(table(scores))
    print()
    groups = [("zero-config, " + p, [s for s in scores if s.mode == "zero-config" and s.part == p]) for p in parts]
    groups += [("prisma, " + p, [s for s in scores if s.mode == "prisma" and s.part == p]) for p in parts]
    print(table([total(g, label) for label, g in groups if g]))
    bands = Counter()
    for s in scores:
        if s.mode == "zero-config":
            bands["high"] += len(s.high)
            bands["review"] += len(s.review)
    print(f"\nconfidence bands (zero-config, all schemas): high {bands['high']}, review {bands['review']}")
    if args.misses:
        for s in scores:
            lines = misses(s)
            if lines:
                print(f"\n{s.schema} ({s.mode}):")
                print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
