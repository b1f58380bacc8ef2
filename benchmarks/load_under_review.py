"""The application's latency while apms-ops reviews and tests its database, against a CPU-only control.

    .venv/bin/python benchmarks/load_under_review.py [--seconds 45] [--rate 40] [--clients 4]

On the staging seed, on a PostgreSQL server started for the run (the embedded
demo's machinery, in a temporary folder; ``--shared-server`` uses a scratch
database on the shared test server instead), pgbench
plays the application (``WORKLOAD``: read the ACTIVE configuration with its
roles, update a configuration version and a workflow instance, in one
transaction) at a fixed rate, three times, each bounded by ``--seconds``:

1. **alone**: the baseline;
2. **with apms-ops**: a second process reviews the database (``run_review`` with
   facts, as the dashboard does) and runs every invariant test, in a loop;
3. **CPU-only control**: processes burn as much CPU as the tool and its server
   backends used in 2, without touching the database. What 2 adds beyond 3 is
   the tool's interference with the database itself (locks, I/O), not a busier
   machine.

It reports, per condition, the load average before it (the machine is shared),
the transactions and failed transactions, latency p50/p95/p99/max from
pgbench's per-transaction log, and every lock wait seen by sampling
``pg_stat_activity`` every 50 ms (who waited, on whom, for how long).
"""

from __future__ import annotations

import argparse
import json
import math
import multiprocessing
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import psycopg  # noqa: E402

from benchmarks.harness import ADMIN_URL, ROOT, drop_database, make_database  # noqa: E402

PGBENCH = "/usr/lib/postgresql/15/bin/pgbench"
SEEDS = ROOT / "sql" / "seeds"
SEED_FILES = ["apms_schema.sql", "apms_staging_constraints.sql", "apms_data.sql"]
TICKS = os.sysconf("SC_CLK_TCK")

# The application's transaction. Values are written back unchanged, so every run sees the same data.
WORKLOAD = """\\set k random(0, 1000000)
BEGIN;
SELECT v.id, v.version, count(r.id) AS roles
  FROM config_versions AS v LEFT JOIN master_roles AS r ON r.config_version_id = v.id
 WHERE v.status = 'ACTIVE' GROUP BY v.id, v.version ORDER BY v.id OFFSET (:k % 3) LIMIT 1;
UPDATE config_versions SET created_by = created_by
 WHERE id = (SELECT id FROM config_versions ORDER BY id OFFSET (:k % (SELECT count(*) FROM config_versions)) LIMIT 1);
UPDATE workflow_instances SET status = status
 WHERE id = (SELECT id FROM workflow_instances ORDER BY id OFFSET (:k % (SELECT count(*) FROM workflow_instances)) LIMIT 1);
END;
"""

# The tool's loop, in its own process (as a dashboard or a scheduled audit would be).
TOOL_LOOP = """
import json, resource, sys, time
from apms_ops.connections import Environment
from apms_ops.invariants import run_invariants
from apms_ops.review import run_review
env = Environment("bench", sys.argv[1], source="dsn", allow_invariants=True)
deadline = time.monotonic() + float(sys.argv[2])
reviews = tests = errors = 0
while time.monotonic() < deadline:
    run_review(env, "apms", with_facts=True)
    reviews += 1
    for run in run_invariants(env, profile="apms", record=False):
        tests += 1
        errors += run.outcome == "ERROR"
usage = resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps({"reviews": reviews, "invariant_runs": tests, "invariant_errors": errors,
                  "cpu_s": usage.ru_utime + usage.ru_stime}))
"""


@dataclass
class Sampled:
    """What the sampler saw: lock waits, and the CPU of the tool's server backends."""

    waits: dict = field(default_factory=dict)  # (pid, query_start) -> {waiter, blockers, event, first, last}
    tool_cpu_ticks: dict = field(default_factory=dict)  # backend pid -> utime + stime


def _proc_ticks(pid: int) -> int | None:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return int(fields[11]) + int(fields[12])  # utime, stime


def sample(url: str, stop: threading.Event, out: Sampled, every: float = 0.05) -> None:
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("SET application_name = 'load benchmark sampler'")
        while not stop.is_set():
            now = time.monotonic()
            rows = conn.execute(
                "SELECT a.pid, a.application_name, a.wait_event_type, a.wait_event, a.query_start, "
                "       pg_blocking_pids(a.pid) AS blockers, left(a.query, 80) AS query "
                "  FROM pg_stat_activity AS a WHERE a.datname = current_database() AND a.pid <> pg_backend_pid()").fetchall()
            apps = {r[0]: r[1] for r in rows}
            for pid, app, wait_type, event, started, blockers, query in rows:
                if app.startswith("apms-ops"):
                    ticks = _proc_ticks(pid)
                    if ticks is not None:
                        out.tool_cpu_ticks[pid] = ticks
                if wait_type == "Lock":
                    key = (pid, started)
                    seen = out.waits.setdefault(key, {"waiter": app, "query": " ".join(query.split()), "event": event,
                                                      "blockers": sorted({apps.get(b, f"pid {b}") for b in blockers}),
                                                      "first": now, "last": now})
                    seen["last"] = now
            stop.wait(every)


def burn(seconds: float, duty: float) -> None:
    """Use ``duty`` of one core for ``seconds``, touching nothing but the CPU."""
    deadline = time.monotonic() + seconds
    period = 0.01
    while time.monotonic() < deadline:
        start = time.monotonic()
        while time.monotonic() - start < period * duty:
            pass
        time.sleep(period * (1 - duty))


def pgbench(url: str, workload: Path, log_dir: Path, name: str, seconds: int, rate: int, clients: int) -> dict:
    from apms_ops.connections import normalize_url

    u = normalize_url(url)
    prefix = log_dir / name
    proc = subprocess.run(
        [PGBENCH, "-h", u.host, "-p", str(u.port or 5432), "-U", u.username or "postgres", "-n", "-c", str(clients),
         "-j", "2", "-T", str(seconds), "-R", str(rate), "-f", str(workload), "-l", f"--log-prefix={prefix}",
         "--failures-detailed", u.database],
        capture_output=True, text=True, timeout=seconds + 120, env={**os.environ, "PGAPPNAME": "pgbench"})
    latencies, failed = [], 0
    for log in log_dir.glob(f"{name}.*"):
        for line in log.read_text().splitlines():
            parts = line.split()
            if len(parts) < 3:
                continue
            if parts[2].isdigit():
                latencies.append(int(parts[2]) / 1000)
            else:
                failed += 1  # "failed" (or "skipped") instead of a time
    summary = proc.stdout + proc.stderr
    reported_failed = next((int(line.split(":")[1].split()[0]) for line in summary.splitlines()
                            if line.startswith("number of failed transactions")), None)
    aborted = "aborted" in summary and "client" in summary and proc.returncode != 0
    latencies.sort()

    def pct(p: float) -> float:
        return latencies[min(len(latencies) - 1, max(0, math.ceil(p * len(latencies)) - 1))] if latencies else float("nan")

    return {"transactions": len(latencies), "failed": max(failed, reported_failed or 0), "aborted_clients": aborted,
            "p50": pct(0.50), "p95": pct(0.95), "p99": pct(0.99), "max": latencies[-1] if latencies else float("nan"),
            "mean": statistics.fmean(latencies) if latencies else float("nan"), "pgbench_exit": proc.returncode,
            "summary": summary}


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def condition(name: str, url: str, workload: Path, log_dir: Path, args, background=None) -> dict:
    load = load_average()
    stop, seen = threading.Event(), Sampled()
    sampler = threading.Thread(target=sample, args=(url, stop, seen), daemon=True)
    sampler.start()
    started = background() if background else None
    try:
        result = pgbench(url, workload, log_dir, name, args.seconds, args.rate, args.clients)
    finally:
        extra = started() if started else {}
        stop.set()
        sampler.join(10)
    result.update(name=name, load=load, waits=list(seen.waits.values()),
                  tool_server_cpu_s=sum(seen.tool_cpu_ticks.values()) / TICKS, **extra)
    return result


def with_tool(url: str, seconds: int):
    def start():
        proc = subprocess.Popen([sys.executable, "-c", TOOL_LOOP, url, str(seconds)], cwd=ROOT, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True,
                                env={**os.environ, "PYTHONPATH": str(ROOT), "APMS_OPS_SECRETS": "/nonexistent/secrets.toml"})

        def finish() -> dict:
            out, err = proc.communicate(timeout=seconds + 300)
            if proc.returncode != 0:
                raise RuntimeError(f"the tool's loop failed: {err[-2000:]}")
            return {"tool": json.loads(out.strip().splitlines()[-1])}
        return finish
    return start


def with_burner(cpu_seconds: float, seconds: int):
    def start():
        share = cpu_seconds / seconds  # cores' worth
        workers = max(1, math.ceil(share))
        procs = [multiprocessing.Process(target=burn, args=(seconds, min(1.0, share / workers))) for _ in range(workers)]
        for p in procs:
            p.start()

        def finish() -> dict:
            for p in procs:
                p.join(seconds + 30)
            return {"burner": {"cores": round(share, 2), "processes": workers}}
        return finish
    return start


def report(results: list[dict]) -> str:
    lines = ["| condition | load avg before (1/5/15 min) | transactions | failed | p50 ms | p95 ms | p99 ms | max ms |",
             "|---|---|---|---|---|---|---|---|"]
    for r in results:
        lines.append(f"| {r['name']} | {r['load']} | {r['transactions']} | {r['failed']} | {r['p50']:.1f} | {r['p95']:.1f} | "
                     f"{r['p99']:.1f} | {r['max']:.1f} |")
    tool = next(r for r in results if "tool" in r)
    t = tool["tool"]
    lines.append("")
    lines.append(f"apms-ops during 'with apms-ops': {t['reviews']} reviews and {t['invariant_runs']} invariant test runs "
                 f"({t['invariant_errors']} ERROR); CPU {t['cpu_s']:.1f} s in its process and {tool['tool_server_cpu_s']:.1f} s "
                 "in its server backends.")
    control = next((r for r in results if "burner" in r), None)
    if control:
        lines.append(f"CPU-only control: {control['burner']['processes']} process(es) burning {control['burner']['cores']} "
                     "core(s) in all, no database access.")
    lines.append("")
    lines.append("Lock waits (sampled every 50 ms):")
    for r in results:
        waits = sorted(r["waits"], key=lambda w: w["first"])
        if not waits:
            lines.append(f"- {r['name']}: none seen")
            continue
        longest = max(w["last"] - w["first"] for w in waits) * 1000
        lines.append(f"- {r['name']}: {len(waits)} wait(s), the longest seen {longest:.0f} ms (+ up to 50 ms between samples)")
        for w in waits:
            lines.append(f"  - {w['waiter']} waited on {', '.join(w['blockers']) or '?'} ({w['event']}) "
                         f"~{(w['last'] - w['first']) * 1000:.0f} ms: {w['query']}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=45, help="length of each condition (default 45)")
    parser.add_argument("--rate", type=int, default=40, help="application transactions per second (default 40)")
    parser.add_argument("--clients", type=int, default=4, help="application connections (default 4)")
    parser.add_argument("--json", metavar="FILE", help="also write every figure as JSON")
    parser.add_argument("--shared-server", action="store_true",
                        help="use $APMS_OPS_TEST_ADMIN_URL's server instead of a private one started for the run")
    args = parser.parse_args(argv)

    name = f"apmsops_bench_load_{os.getpid()}"
    server = root = None
    if args.shared_server:
        seed = "\n".join((SEEDS / f).read_text() for f in SEED_FILES)
        url = make_database(name, seed)
        where = f"a copy of the staging seed on the shared server {ADMIN_URL.rsplit('@', 1)[-1].rsplit('/', 1)[0]}"
    else:
        # A server of its own (the embedded demo's machinery, seeded with the staging seed): other work on the
        # shared server (its lock table, its connections) cannot fail or slow this benchmark's transactions.
        import shutil

        from apms_ops.demo_server import DemoServer

        root = Path(tempfile.mkdtemp(prefix="apms-load-server-", dir="/var/tmp"))
        root.chmod(0o755)  # the server may run as an unprivileged user that must reach it
        server = DemoServer(root=root / "server")
        url = server.ensure_running()["apms_staging"]
        where = f"the staging seed on a private PostgreSQL {server.status()['version']} started for this run"
    try:
        with tempfile.TemporaryDirectory(prefix="apms-load-") as tmp:
            tmp = Path(tmp)
            workload = tmp / "workload.sql"
            workload.write_text(WORKLOAD)
            results = [condition("alone", url, workload, tmp, args)]
            results.append(condition("with apms-ops", url, workload, tmp, args, with_tool(url, args.seconds)))
            tool = results[-1]
            cpu = tool["tool"]["cpu_s"] + tool["tool_server_cpu_s"]
            results.append(condition("CPU-only control", url, workload, tmp, args, with_burner(cpu, args.seconds)))
    finally:
        if server is not None:
            server.stop()
            shutil.rmtree(root, ignore_errors=True)
        else:
            drop_database(name)
    print(f"pgbench: {args.clients} clients, {args.rate} transactions/s, {args.seconds} s per condition, on {where}; "
          f"{os.cpu_count()} cores")
    print(report(results))
    for r in results:
        if r["pgbench_exit"] != 0:
            print(f"pgbench exited {r['pgbench_exit']} in '{r['name']}':\n{r['summary'][-1500:]}", file=sys.stderr)
    if args.json:
        Path(args.json).write_text(json.dumps([{k: v for k, v in r.items() if k != "summary"} for r in results], indent=2,
                                              default=str))
    return 0 if all(r["failed"] == 0 and r["pgbench_exit"] == 0 for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
