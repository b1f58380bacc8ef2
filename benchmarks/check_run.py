"""Measure a check run: statements sent, time and memory, on the staging demo and on generated schemas.

    python benchmarks/check_run.py [--tables 500 2000] [--rows 20] [--repeat 5]

Builds throw-away databases on $APMS_OPS_TEST_ADMIN_URL (default
postgresql://postgres@127.0.0.1:5432/postgres), reviews each with the engine
the CLI uses, prints one line per database and drops them. Targets (the
figures a review meeting can live with): a review of the staging demo under
1 s, of a 500-table schema under 5 s, snapshot statements constant (4), and
peak Python memory under 200 MB at 2,000 tables.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

from sqlalchemy import event

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from apms_ops.catalog import read_snapshot  # noqa: E402
from apms_ops.connections import Environment, engine_for, read_only_session  # noqa: E402
from apms_ops.review import run_review  # noqa: E402
from harness import scratch_database  # noqa: E402
from schema_generator import generate_schema_sql  # noqa: E402

SEEDS = ROOT / "sql" / "seeds"


def snapshot_statements(env: Environment) -> int:
    engine = engine_for(env)
    seen = []
    listener = lambda *a, **k: seen.append(1)  # noqa: E731
    with read_only_session(env) as conn:
        event.listen(engine, "before_cursor_execute", listener)
        try:
            read_snapshot(conn)
        finally:
            event.remove(engine, "before_cursor_execute", listener)
    return len(seen)


def measure(label: str, url: str, repeat: int) -> dict:
    env = Environment(label, url)
    run_review(env)  # warm the pool and the server's caches
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        review = run_review(env)
        times.append((time.perf_counter() - t0) * 1000)
    tracemalloc.start()
    run_review(env, with_facts=True)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {
        "database": label,
        "snapshot statements": snapshot_statements(env),
        "review statements": review.statements,
        "median ms": round(statistics.median(times)),
        "max ms": round(max(times)),
        "peak MB (with facts)": round(peak / 1e6, 1),
        "verdict": review.verdict,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tables", type=int, nargs="*", default=[500, 2000])
    parser.add_argument("--rows", type=int, default=20, help="rows per generated table")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    seed = "\n".join((SEEDS / f).read_text() for f in ("apms_schema.sql", "apms_staging_constraints.sql", "apms_data.sql"))
    cases = [("bench_staging", seed)] + [(f"bench_gen{n}", generate_schema_sql(n, args.rows)) for n in args.tables]
    rows = []
    for name, text in cases:
        with scratch_database(name, text) as url:
            rows.append(measure(name, url, args.repeat))
    keys = list(rows[0])
    widths = {k: max(len(k), *(len(str(r[k])) for r in rows)) for k in keys}
    print("  ".join(k.ljust(widths[k]) for k in keys))
    for r in rows:
        print("  ".join(str(r[k]).ljust(widths[k]) for k in keys))
    return 0


if __name__ == "__main__":
    sys.exit(main())
