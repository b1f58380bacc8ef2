"""What the benchmarks and the browser test share: scratch databases loaded in chunks,
and ``streamlit run dashboard.py`` on a free port with headless Chromium's settings."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import psycopg
from psycopg import sql

ROOT = Path(__file__).resolve().parent.parent
ADMIN_URL = os.environ.get("APMS_OPS_TEST_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
CHROMIUM = "/usr/bin/chromium"
# Without the background-networking flags Chromium keeps dialling out, which this machine refuses.
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]


def make_database(name: str, sql_text: str, admin_url: str = ADMIN_URL) -> str:
    """Create ``name`` afresh and load ``sql_text``; returns its URL."""
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    url = f"{admin_url.rsplit('/', 1)[0]}/{name}"
    # Committed in chunks: thousands of CREATE TABLEs in one transaction exhaust the lock table.
    statements = [s for s in sql_text.split(";\n") if s.strip()]
    with psycopg.connect(url, autocommit=True) as conn:
        for i in range(0, len(statements), 200):
            with conn.transaction():
                conn.execute(";\n".join(statements[i:i + 200]))
        conn.execute("ANALYZE")
    return url


def drop_database(name: str, admin_url: str = ADMIN_URL) -> None:
    from apms_ops.connections import dispose_engines

    dispose_engines()  # pooled connections would block the DROP
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


@contextmanager
def scratch_database(name: str, sql_text: str):
    """A database holding ``sql_text``; dropped on the way out, whatever happens."""
    try:
        yield make_database(name, sql_text)
    finally:
        drop_database(name)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def running_dashboard(extra_env: dict[str, str], script: Path | None = None, timeout: float = 60):
    """``streamlit run dashboard.py`` (or ``script``) on a free port; yields its URL; always terminated."""
    port = free_port()
    log = tempfile.NamedTemporaryFile("w+", suffix=".log", delete=False)
    env = {**os.environ, "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false", **extra_env}
    if "DATABASE_URL" not in extra_env:
        env.pop("DATABASE_URL", None)  # only the database this run is about
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(script or ROOT / "dashboard.py"), "--server.headless", "true",
         "--server.port", str(port), "--server.address", "127.0.0.1", "--server.fileWatcherType", "none"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"streamlit exited with {proc.returncode}: {Path(log.name).read_text()[-3000:]}")
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"no answer from {url}/_stcore/health: {Path(log.name).read_text()[-3000:]}") from None
                time.sleep(0.1)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)
        Path(log.name).unlink(missing_ok=True)
