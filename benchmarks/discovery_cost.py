"""The cost of reference discovery (names, then the containment probe) on a large schema, against the whole review.

    python benchmarks/discovery_cost.py [--tables 5000] [--rows 20] [--repeat 3]

Builds a throw-away database on $APMS_OPS_TEST_ADMIN_URL (default
postgresql://postgres@127.0.0.1:5432/postgres) with a generated schema
(``schema_generator --weak-names``: ``<table>_id`` references, half of them
declared, plus columns named like a table without ``_id`` and ``created_by``
columns that only the data can confirm), then times, in one read-only session:
the catalog snapshot, discovery from names alone, discovery with the
containment probe, and the full review with the engine the CLI uses. The
default schema is a worst case for the probe (a weak name in every fifth table:
1,500 guesses at 5,000 tables); ``--names-only`` is the common case.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

from sqlalchemy import event

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from apms_ops.catalog import read_snapshot  # noqa: E402
from apms_ops.connections import Environment, engine_for, read_only_session  # noqa: E402
from apms_ops.discovery import HIGH, discover  # noqa: E402
from apms_ops.profiles import NO_PROFILE  # noqa: E402
from apms_ops.review import run_review  # noqa: E402
from harness import scratch_database  # noqa: E402
from schema_generator import generate_schema_sql  # noqa: E402


def timed(fn, repeat: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times), result


def measure(url: str, repeat: int) -> dict:
    env = Environment("bench_discovery", url)
    run_review(env, "none")  # warm the pool and the server's caches
    statements: list[str] = []

    def count(*args, **_kwargs):
        statements.append(args[2])

    with read_only_session(env) as conn:
        snapshot_ms, snap = timed(lambda: read_snapshot(conn), repeat)
        names_ms, by_names = timed(lambda: discover(snap, NO_PROFILE), repeat)
        event.listen(engine_for(env), "before_cursor_execute", count)
        try:
            probe_ms, with_probe = timed(lambda: discover(snap, NO_PROFILE, conn), repeat)
        finally:
            event.remove(engine_for(env), "before_cursor_execute", count)
    review_ms, review = timed(lambda: run_review(env, "none"), repeat)
    refs = with_probe.references
    return {
        "tables": len(snap.tables),
        "columns": sum(len(t.columns) for t in snap.tables.values()),
        "snapshot ms": round(snapshot_ms),
        "discovery by names ms": round(names_ms),
        "discovery with probe ms": round(probe_ms),
        "guesses probed": with_probe.probed,
        "probe statements": len(statements) // repeat,
        "review ms": round(review_ms),
        "discovery share of review": f"{probe_ms / review_ms:.1%}",
        "references (declared/implied high/review)": f"{sum(r.declared for r in refs)}/"
                                                      f"{sum(r.implied and not r.declared and r.confidence == HIGH for r in refs)}/"
                                                      f"{sum(r.implied and r.confidence != HIGH for r in refs)}",
        "unresolved columns": len(with_probe.unresolved),
        "review statements": review.statements,
        "verdict": review.verdict,
        "names-only implied": sum(r.implied for r in by_names.references),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tables", type=int, default=5000)
    parser.add_argument("--rows", type=int, default=20, help="rows per generated table")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--names-only", action="store_true",
                        help="only <table>_id columns (no weak names: the probe has nothing to do), the common case")
    args = parser.parse_args()
    name = f"apmsops_bench_discovery_{os.getpid()}"
    with scratch_database(name, generate_schema_sql(args.tables, args.rows, weak_names=not args.names_only)) as url:
        row = measure(url, args.repeat)
    width = max(len(k) for k in row)
    for key, value in row.items():
        print(f"{key.ljust(width)}  {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
