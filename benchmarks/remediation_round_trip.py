"""Round trip of the deployable fixes: remediate a copy of the staging seed, apply the generated
Prisma migration folders in order with psql while a concurrent writer inserts and updates rows,
then review again.

    .venv/bin/python benchmarks/remediation_round_trip.py                 # staging seed as it is
    .venv/bin/python benchmarks/remediation_round_trip.py --rows 1000000  # plus 1M workflow instances

Each ``migration.sql`` runs as ``prisma migrate deploy`` would: in its own transaction (``psql
-1``) unless its first line marks it non-transactional, with its row recorded in
``_prisma_migrations`` (checksum = SHA-256 of the file) before and after. The writer uses its
own connection with a short ``lock_timeout`` and single-statement transactions.

Figures:

- longest write-blocking lock: the longest time any step held a lock that makes writes wait
  (SHARE, SHARE ROW EXCLUSIVE, EXCLUSIVE, ACCESS EXCLUSIVE). A transaction holds its locks until
  it commits, so this is the step's transaction time: the sum of its statements' times as psql's
  ``\\timing`` reports them;
- longest step: the longest step of any kind (a VALIDATE scan holds only SHARE UPDATE EXCLUSIVE,
  which writes do not wait for);
- writer: writes done, errors (must be 0), slowest write;
- the verdict of the review after the last step (must be GO).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import psycopg  # noqa: E402

from apms_ops.connections import Environment, dispose_engines  # noqa: E402
from apms_ops.migrations.folder import read_folder  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "sql" / "seeds"
_TIME = re.compile(r"^Time: ([0-9.]+) ms", re.M)


def seed_staging(url: str, extra_rows: int = 0) -> None:
    """The staging seed, plus ``extra_rows`` workflow instances with valid references (bigger scans)."""
    with psycopg.connect(url, autocommit=True) as conn:
        for name in ("apms_schema.sql", "apms_staging_constraints.sql", "apms_data.sql"):
            conn.execute((SEEDS / name).read_text())
        if extra_rows:
            conn.execute(
                """INSERT INTO workflow_instances (id, workspace_id, started_by, status, created_at, config_version_id)
                   SELECT 'bulk-' || n, cv.workspace_id, NULL, 'COMPLETED', now(), cv.id
                     FROM generate_series(1, %s) AS n
                     JOIN LATERAL (SELECT id, workspace_id FROM config_versions ORDER BY id OFFSET (n %% 4) LIMIT 1) AS cv ON true""",
                (extra_rows,))
        conn.execute("ANALYZE")


class Writer(threading.Thread):
    """Inserts and updates rows, one statement per transaction, each with a short lock_timeout."""

    def __init__(self, url: str, lock_timeout: str = "1s"):
        super().__init__(daemon=True)
        self.url, self.lock_timeout = url, lock_timeout
        self.stop = threading.Event()
        self.done = 0
        self.errors: list[str] = []
        self.slowest_ms = 0.0

    def run(self) -> None:
        with psycopg.connect(self.url, autocommit=True, application_name="round-trip-writer") as conn:
            conn.execute(f"SET lock_timeout = '{self.lock_timeout}'")
            # Work starts on ACTIVE versions only: running work on a DRAFT is what C6.runtime forbids.
            versions = conn.execute("SELECT id, workspace_id FROM config_versions WHERE status = 'ACTIVE' ORDER BY id").fetchall()
            roles = [r[0] for r in conn.execute("SELECT id FROM master_roles ORDER BY id LIMIT 50")]
            instances = [r[0] for r in conn.execute("SELECT id FROM workflow_instances ORDER BY id LIMIT 50")]
            user = conn.execute("SELECT min(id) FROM users").fetchone()[0]
            n = 0
            while not self.stop.is_set():
                n += 1
                version_id, workspace = versions[n % len(versions)]
                statements = [
                    ("INSERT INTO master_roles (id, workspace_id, config_version_id, code, name) VALUES (%s, %s, %s, %s, %s)",
                     (f"rt-{uuid.uuid4()}", workspace, version_id, f"RT_{n}", "round trip")),
                    ("UPDATE master_roles SET name = %s WHERE id = %s", (f"renamed {n}", roles[n % len(roles)])),
                    ("INSERT INTO workflow_instances (id, workspace_id, started_by, status, config_version_id) VALUES (%s, %s, %s, %s, %s)",
                     (str(uuid.uuid4()), workspace, user, "RUNNING", version_id)),
                    ("UPDATE workflow_instances SET status = 'COMPLETED', completed_at = now() WHERE id = %s", (instances[n % len(instances)],)),
                ]
                for query, params in statements:
                    started = time.perf_counter()
                    try:
                        conn.execute(query, params)
                        self.done += 1
                    except psycopg.Error as exc:
                        self.errors.append(f"{type(exc).__name__}: {' '.join(str(exc).split())}")
                    self.slowest_ms = max(self.slowest_ms, (time.perf_counter() - started) * 1000)
                time.sleep(0.002)


def _record(url: str, name: str, script: bytes, *, finished: bool, row_id: str | None = None) -> str:
    """Prisma's bookkeeping around one migration: a row when it starts, finished_at when it ends."""
    with psycopg.connect(url, autocommit=True) as conn:
        if row_id is None:
            row_id = str(uuid.uuid4())
            conn.execute("INSERT INTO _prisma_migrations (id, checksum, migration_name, started_at, applied_steps_count) "
                         "VALUES (%s, %s, %s, now(), 0)", (row_id, hashlib.sha256(script).hexdigest(), name))
        if finished:
            conn.execute("UPDATE _prisma_migrations SET finished_at = now(), applied_steps_count = 1 WHERE id = %s", (row_id,))
    return row_id


def _modes_held(url: str, app: str, seen: set, stop: threading.Event) -> None:
    """Poll pg_locks for the lock modes the step's backend holds on tables (for the report)."""
    with psycopg.connect(url, autocommit=True) as conn:
        while not stop.is_set():
            for (mode,) in conn.execute(
                    "SELECT DISTINCT l.mode FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
                    "WHERE a.application_name = %s AND l.locktype = 'relation' AND l.granted", (app,)):
                seen.add(mode.replace("Lock", "").replace("Exclusive", " EXCLUSIVE").replace("Share", "SHARE")
                         .replace("Row", "ROW ").replace("Access", "ACCESS ").replace("  ", " ").strip().upper())
            time.sleep(0.003)


def _blocks_writes(migration) -> bool:
    """Whether a step takes a lock writes wait for: anything but VALIDATE CONSTRAINT, SET and CONCURRENTLY."""
    from pglast import ast
    from pglast.enums import AlterTableType

    from apms_ops.migrations.statements import parse_script

    for stmt in parse_script(migration.text):
        node = stmt.node
        if isinstance(node, ast.VariableSetStmt) or getattr(node, "concurrent", False):
            continue
        if isinstance(node, ast.AlterTableStmt) and all(c.subtype == AlterTableType.AT_ValidateConstraint for c in node.cmds):
            continue
        return True
    return False


def apply_folders(url: str, migrations_dir: Path) -> list[dict]:
    """Apply every migration folder in order with psql, as Prisma would; returns each step's figures."""
    steps = []
    for migration in read_folder(migrations_dir).migrations:
        app = f"round-trip-{migration.name[:40]}"
        row_id = _record(url, migration.name, migration.script, finished=False)
        seen: set = set()
        stop = threading.Event()
        poller = threading.Thread(target=_modes_held, args=(url, app, seen, stop), daemon=True)
        poller.start()
        command = ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", url, "-c", "\\timing on", "-f", str(migration.script_path)]
        if not migration.non_transactional:
            command.insert(1, "-1")
        started = time.perf_counter()
        done = subprocess.run(command, capture_output=True, text=True, env={**os.environ, "PGAPPNAME": app})
        wall_ms = (time.perf_counter() - started) * 1000
        stop.set()
        poller.join()
        if done.returncode != 0:
            raise RuntimeError(f"{migration.name} failed: {done.stderr.strip()}")
        _record(url, migration.name, migration.script, finished=True, row_id=row_id)
        statement_ms = sum(float(t) for t in _TIME.findall(done.stdout))
        steps.append({"migration": migration.name, "transactional": not migration.non_transactional,
                      "statements_ms": round(statement_ms, 1), "psql_wall_ms": round(wall_ms, 1),
                      "modes_seen": sorted(seen), "blocks_writes": _blocks_writes(migration)})
    return steps


def round_trip(url: str, work: Path, *, writer_lock_timeout: str = "1s", profile: str = "apms") -> dict:
    """Remediate ``url`` into a fresh migrations folder, apply it under a concurrent writer, review again."""
    from apms_ops.cli import main
    from apms_ops.review import run_review

    migrations_dir = work / "prisma" / "migrations"
    migrations_dir.mkdir(parents=True, exist_ok=True)
    env = Environment("round-trip", url, source="dsn")
    code = main(["remediate", "--dsn", url, "--profile", profile, "--prisma-migrations", str(migrations_dir)])
    if code != 0:
        raise RuntimeError(f"remediate exited {code}")
    dispose_engines()
    writer = Writer(url, writer_lock_timeout)
    writer.start()
    time.sleep(0.2)
    try:
        steps = apply_folders(url, migrations_dir)
    finally:
        time.sleep(0.2)
        writer.stop.set()
        writer.join()
    review = run_review(env, profile)
    # Every step is recorded as Prisma records it: none pending, none edited (the seed's own
    # migrations are not in this folder, so they show as missing locally and are left aside).
    from apms_ops.migrations.status import load_status

    statuses, _ = load_status(env, read_folder(migrations_dir))
    not_applied = [s.name for s in statuses if s.in_folder and (not s.applied or s.drift)]
    blocking = [s for s in steps if s["blocks_writes"]]
    longest_blocking = max(blocking, key=lambda s: s["statements_ms"], default=None)
    longest = max(steps, key=lambda s: s["statements_ms"], default=None)
    return {
        "steps": len(steps),
        "longest_write_blocking_lock_ms": longest_blocking["statements_ms"] if longest_blocking else 0.0,
        "longest_write_blocking_step": longest_blocking["migration"] if longest_blocking else None,
        "longest_step_ms": longest["statements_ms"] if longest else 0.0,
        "longest_step": longest["migration"] if longest else None,
        "writer_writes": writer.done,
        "writer_errors": len(writer.errors),
        "writer_error_messages": writer.errors[:5],
        "writer_slowest_ms": round(writer.slowest_ms, 1),
        "writer_lock_timeout": writer_lock_timeout,
        "steps_not_recorded_as_applied": not_applied,
        "verdict_after": review.verdict,
        "reasons_after": [str(r) for r in review.reasons],
        "per_step": steps,
    }


def main_cli(argv: list[str] | None = None) -> int:
    from harness import drop_database, make_database

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=0, help="extra workflow_instances rows in the staging copy (default 0)")
    parser.add_argument("--writer-lock-timeout", default="1s")
    parser.add_argument("--json", action="store_true", help="print every figure as JSON")
    args = parser.parse_args(argv)
    name = f"apmsops_roundtrip_{os.getpid()}"
    url = make_database(name, "SELECT 1;\n")
    try:
        seed_staging(url, args.rows)
        with tempfile.TemporaryDirectory() as tmp:
            result = round_trip(url, Path(tmp), writer_lock_timeout=args.writer_lock_timeout)
    finally:
        drop_database(name)
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print(f"staging copy + {args.rows} workflow_instances rows: {result['steps']} steps applied with psql")
        print(f"longest write-blocking lock: {result['longest_write_blocking_lock_ms']} ms ({result['longest_write_blocking_step']})")
        print(f"longest step (any lock):     {result['longest_step_ms']} ms ({result['longest_step']})")
        print(f"writer: {result['writer_writes']} writes, {result['writer_errors']} errors, slowest {result['writer_slowest_ms']} ms "
              f"(lock_timeout {result['writer_lock_timeout']})")
        print(f"review after: {result['verdict_after']} {result['reasons_after']}")
    ok = result["writer_errors"] == 0 and result["verdict_after"] == "GO" and not result["steps_not_recorded_as_applied"]
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main_cli())
