"""Latency of each invariant test, and the locks it takes and how long it holds them.

    .venv/bin/python benchmarks/invariant_locks.py --env demo-staging --repeat 7
    .venv/bin/python benchmarks/invariant_locks.py --dsn postgresql://postgres@127.0.0.1:5432/apms_staging

Latency: each test runs ``--repeat`` times unobserved (not recorded in the
history); the table gives the median and the slowest whole run, and the time
its transaction was open (the longest any lock can be held).

Locks: one more run per test pauses before every step and inside every
probe (just before its savepoint is rolled back) while a second connection
reads what the test's backend holds:

- table and index locks and the transaction id, from ``pg_locks``;
- row locks on existing rows of the profile's tables, which ``pg_locks`` does
  not list: the rows a ``SELECT ... FOR UPDATE SKIP LOCKED`` from the second
  connection has to skip (its own transaction is rolled back at once, while
  the test is paused, so it never blocks the test).

A lock first seen at the start of step i was taken during step i-1; one seen
inside a probe was taken there. "held <= ms" spans from the start of the step
that took it to the end of the step that released it (the rollback, or a
savepoint rollback), measured on the median unobserved run.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import psycopg  # noqa: E402
from psycopg import sql  # noqa: E402

from apms_ops.connections import normalize_url, resolve_environment  # noqa: E402
from apms_ops.invariants import StepEvent, read_target, run_invariant, select_invariants  # noqa: E402
from apms_ops.invariants.scope import versioned_tables  # noqa: E402

RELATION_LOCKS = """
SELECT l.locktype, c.relname, c.relkind, l.mode
  FROM pg_catalog.pg_locks AS l
  LEFT JOIN pg_catalog.pg_class AS c ON c.oid = l.relation
 WHERE l.pid = %s AND l.granted
   AND (l.locktype = 'transactionid'
        OR (l.locktype = 'relation' AND c.relnamespace <> 'pg_catalog'::regnamespace))
"""


@dataclass
class Point:
    step: str
    phase: str
    locks: set = field(default_factory=set)


def libpq_url(env) -> str:
    return normalize_url(env.url).render_as_string(hide_password=False).replace("postgresql+psycopg://", "postgresql://")


def row_lock_probe(profile, snapshot) -> list[tuple[str, sql.Composable]]:
    """Per profile table: a statement counting existing rows locked by someone else."""
    tables = {profile.lifecycle.table} | {t.name for t in versioned_tables(profile, snapshot)}
    if profile.workspaces:
        tables.add(profile.workspaces.table)
    out = []
    for name in sorted(tables):
        pk = snapshot.primary_key(profile.schema, name)
        if not pk or len(pk) != 1:
            continue
        out.append((name, sql.SQL(
            "WITH free AS (SELECT t.{k} FROM {t} AS t FOR UPDATE SKIP LOCKED) "
            "SELECT count(*) FROM {t} AS t WHERE t.{k} NOT IN (SELECT {k} FROM free)"
        ).format(k=sql.Identifier(pk[0]), t=sql.Identifier(profile.schema, name))))
    return out


def observe_locks(env, name: str, url: str, row_probes) -> tuple[list[Point], object]:
    points: list[Point] = []
    with psycopg.connect(url, autocommit=True, application_name="apms-ops lock watcher") as watcher:
        def hook(event: StepEvent) -> None:
            point = Point(event.step, event.phase)
            if event.pid is not None:
                for locktype, relname, relkind, mode in watcher.execute(RELATION_LOCKS, (event.pid,)).fetchall():
                    if locktype == "transactionid":
                        point.locks.add(("own transaction id", mode))
                    else:
                        point.locks.add((relname if relkind in ("r", "p") else "(indexes)", mode))
                with watcher.transaction(force_rollback=True):
                    for table, statement in row_probes:
                        n = watcher.execute(statement).fetchone()[0]
                        if n:
                            point.locks.add((f"{table}: {n} existing row(s)", "row lock"))
            points.append(point)

        run = run_invariant(env, name, record=False, on_step=hook)
    return points, run


def spans(points: list[Point], steps: list) -> list[tuple[tuple[str, str], str, str, float, int]]:
    """(lock, first taken in step, last released in step, longest hold in ms, times taken) from the
    observations and a run's step timings."""
    names = [s.name for s in steps]
    offsets, t = {}, 0.0
    for s in steps:
        offsets[s.name] = (t, t + s.duration_ms)
        t += s.duration_ms

    def step_of(i: int, taken: bool) -> str:
        p = points[i]
        if p.phase == "savepoint":
            return p.step
        # Seen at the start of a step: taken during the previous one.
        k = names.index(p.step) if p.step in names else 0
        return names[max(k - 1, 0)] if taken else p.step

    def released_in(last: int) -> str:
        if last + 1 >= len(points):
            return names[-1]
        nxt = points[last + 1]
        if nxt.phase == "savepoint" or nxt.step not in names:
            return nxt.step
        return names[max(names.index(nxt.step) - 1, 0)]

    def held(taken: str, released: str) -> float:
        return max(offsets.get(released, (0.0, t))[1] - offsets.get(taken, (0.0, 0.0))[0], 0.0)

    out = []
    every = sorted({lock for p in points for lock in p.locks}, key=lambda lk: (lk[0].startswith("("), lk))
    for lock in every:
        present = [i for i, p in enumerate(points) if lock in p.locks]
        # Contiguous stretches: a lock taken inside a probe is released with its savepoint, then taken again.
        stretches, start = [], present[0]
        for a, b in zip(present, present[1:] + [None]):
            if b != a + 1:
                stretches.append((start, a))
                start = b
        spans_ = [(step_of(a, True), released_in(b)) for a, b in stretches]
        longest = max(held(tk, rl) for tk, rl in spans_)
        out.append((lock, spans_[0][0], spans_[-1][1], longest, len(spans_)))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--env", default=None, help="environment name (default demo-staging when no --dsn)")
    parser.add_argument("--dsn", default=None)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--only", nargs="+")
    args = parser.parse_args(argv)
    env = resolve_environment(args.env or (None if args.dsn else "demo-staging"), args.dsn)
    if not env.allow_invariants and env.protected:
        parser.error(f"{env.name} is protected")
    os.environ.setdefault("APMS_OPS_USER", "benchmark")
    url = libpq_url(env)
    snapshot, profile = read_target(env)
    row_probes = row_lock_probe(profile, snapshot)
    tests = select_invariants(args.only)

    with psycopg.connect(url) as conn:
        server = conn.execute("SELECT current_setting('server_version')").fetchone()[0]
    print(f"# Invariant tests on {env.name} ({env.masked_url}), PostgreSQL {server}, profile {profile.name}, {args.repeat} runs each\n")

    latency, medians = [], {}
    for inv in tests:
        runs = [run_invariant(env, inv.name, target=(snapshot, profile), record=False) for _ in range(args.repeat)]
        durations = sorted(r.duration_ms for r in runs)
        median_run = sorted(runs, key=lambda r: r.duration_ms)[len(runs) // 2]
        medians[inv.name] = median_run
        tx = sum(s.duration_ms for s in median_run.steps if not s.name.startswith("after-check"))
        after = next(s.duration_ms for s in median_run.steps if s.name.startswith("after-check"))
        latency.append((inv.name, runs[0].outcome, statistics.median(durations), durations[-1], tx, after, len(median_run.steps)))

    print("## Latency (ms)\n")
    print("| test | outcome | median | slowest | transaction open | after-check | steps |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for name, outcome, med, slow, tx, after, n in latency:
        print(f"| {name} | {outcome} | {med:.0f} | {slow:.0f} | {tx:.0f} | {after:.0f} | {n} |")

    print("\n## Locks held by the test's backend\n")
    print("| test | lock on | mode | taken in step | released in step | held <= ms |")
    print("|---|---|---|---|---|---:|")
    for inv in tests:
        points, _ = observe_locks(env, inv.name, url, row_probes)
        for what, mode, taken, released, held in condensed(spans(points, medians[inv.name].steps)):
            print(f"| {inv.name} | {what} | {mode} | {taken} | {released} | {held:.0f} |")
    return 0


def condensed(rows):
    """One line per (mode, taken, released): the tables that share it, and the longest hold.

    A probe step named after its table ("master_roles: ...") becomes "its own probe",
    so the sixteen per-table probes of isolation and referential read as one line.
    """
    groups: dict[tuple, list] = {}
    for (what, mode), taken, released, held, times in rows:
        table = what.split(":")[0]
        own = lambda step: "its own probe (savepoint)" if step.startswith(f"{table}: ") else step  # noqa: E731
        key = (mode, own(taken), own(released) if times == 1 else f"{own(released)} (taken and released {times} times, each in a savepoint)")
        groups.setdefault(key, []).append((what, held))
    out = []
    for (mode, taken, released), items in groups.items():
        names = [w for w, _ in items]
        tables = [n for n in names if not n.startswith("(")]
        extra = " + indexes" if len(tables) < len(names) else ""
        label = (", ".join(names) if len(tables) <= 3 else f"{len(tables)} tables ({', '.join(tables[:2])}, ...){extra}")
        out.append((label, mode, taken, released, max(h for _, h in items)))
    return out


if __name__ == "__main__":
    raise SystemExit(main())
