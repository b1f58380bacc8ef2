"""The history store never blocks or loses a review, and is never silently recreated empty.

Locked by another process, a command waits seconds (not thirty), prints its
verdict and says the run was not saved; read-only, the same; truncated, deleted
or overwritten after having held runs, it is refused loudly; ``history backup``
and ``history restore`` bring it back.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time

import pytest

from apms_ops.errors import HistoryError
from apms_ops.history import HistoryStore, marker_path, run_audit
from apms_ops.history_backup import backup, restore
from conftest import ROOT


def cli(*args, history_url: str):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "APMS_OPS_SECRETS")}
    env.update(APMS_OPS_SECRETS="/nonexistent/secrets.toml", APMS_OPS_HISTORY_URL=history_url, PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, "-m", "apms_ops", *args], capture_output=True, text=True, cwd=ROOT, env=env,
                          timeout=120, stdin=subprocess.DEVNULL)


@pytest.fixture
def held(tmp_path, staging_env):
    """A SQLite store that holds two runs (and so its marker)."""
    path = tmp_path / "history.sqlite3"
    store = HistoryStore(f"sqlite:///{path}")
    run_audit(staging_env, store)
    run_audit(staging_env, store)
    store.engine.dispose()
    assert marker_path(f"sqlite:///{path}").exists()
    return path


def test_a_locked_store_costs_seconds_and_the_verdict_is_printed(held, staging_url):
    url = f"sqlite:///{held}"
    locker = sqlite3.connect(held, timeout=0)
    locker.execute("BEGIN EXCLUSIVE")  # another process holds the store
    try:
        started = time.perf_counter()
        proc = cli("audit", "--env", "staging", "--dsn", staging_url, "--fail-on", "hold", history_url=url)
        elapsed = time.perf_counter() - started
    finally:
        locker.rollback()
        locker.close()
    assert proc.returncode == 1  # the gate's answer (HOLD with --fail-on hold), not "could not run"
    assert proc.stdout.startswith("staging: HOLD — run NOT saved") and "R9" in proc.stdout
    assert "database is locked" in proc.stderr and "not saved" in proc.stderr
    assert elapsed < 20, elapsed  # seconds of busy timeout, not thirty per statement


def test_a_read_only_store_keeps_the_verdict(held, staging_url):
    proc = cli("check", "--dsn", staging_url, "--format", "json", "--save", history_url=f"sqlite:///file:{held}?mode=ro&uri=true")
    assert proc.returncode == 0
    assert '"verdict": "HOLD"' in proc.stdout
    assert "readonly database" in proc.stderr and "not saved" in proc.stderr


@pytest.mark.parametrize("damage", ["truncate", "delete", "garbage", "empty tables"])
def test_a_store_that_held_runs_is_never_silently_recreated(held, staging_url, damage, tmp_path):
    url = f"sqlite:///{held}"
    copy = tmp_path / "backup.sqlite3"
    assert cli("history", "backup", str(copy), history_url=url).returncode == 0
    if damage == "truncate":
        held.write_bytes(b"")
    elif damage == "delete":
        held.unlink()
    elif damage == "garbage":
        held.write_bytes(b"not a database at all" * 100)
    else:
        with sqlite3.connect(held) as conn:
            for table in ("review_findings", "review_checks", "sign_offs", "acceptances", "invariant_runs", "review_runs"):
                conn.execute(f"DELETE FROM {table}")
    before = held.read_bytes() if held.exists() else None
    HistoryStore._migrated.discard(url)
    with pytest.raises(HistoryError, match="it has held runs"):
        HistoryStore(url)
    listing = cli("history", "list", history_url=url)
    assert listing.returncode == 2 and "refusing to start an empty one" in listing.stderr and "history restore" in listing.stderr
    audit = cli("audit", "--env", "staging", "--dsn", staging_url, history_url=url)
    assert audit.stdout.startswith("staging: HOLD — run NOT saved") and "it has held runs" in audit.stderr
    assert (held.read_bytes() if held.exists() else None) == before  # nothing recreated in its place

    proc = cli("history", "restore", str(copy), history_url=url)
    assert proc.returncode == 0, proc.stderr
    assert "2 review_runs" in proc.stdout
    HistoryStore._migrated.discard(url)
    assert [r["id"] for r in HistoryStore(url).list_reviews()] == [2, 1]
    assert cli("audit", "--env", "staging", "--dsn", staging_url, history_url=url).stdout.startswith("staging: HOLD — run #3 saved")
    if damage == "garbage":
        assert [p.name for p in held.parent.iterdir() if ".replaced-" in p.name], "the unreadable file is kept aside"


def test_restore_never_overwrites_a_store_that_holds_runs(held, tmp_path):
    copy = tmp_path / "backup.sqlite3"
    backup(HistoryStore(f"sqlite:///{held}"), copy)
    with pytest.raises(Exception, match="holds runs"):
        restore(f"sqlite:///{held}", copy)
    with pytest.raises(Exception, match="never overwrites"):
        backup(HistoryStore(f"sqlite:///{held}"), copy)


def test_a_postgresql_store_backs_up_and_restores(held, scratch):
    copy = held.parent / "backup.sqlite3"
    backup(HistoryStore(f"sqlite:///{held}"), copy)
    target = scratch.make().url  # an empty database
    counts = restore(target, copy)
    assert counts["review_runs"] == 2
    store = HistoryStore(target)
    assert [r["id"] for r in store.list_reviews()] == [2, 1]
    review = store.get_review(1)
    assert store.save_review(review) == 3  # the sequence follows the restored ids
    store.engine.dispose()


def test_a_locked_store_neither_slows_nor_misleads_the_dashboard(held, staging_url, monkeypatch):
    from streamlit.testing.v1 import AppTest

    secrets = held.parent / "secrets.toml"
    secrets.write_text(f'[connections.staging]\nurl = "{staging_url}"\n')
    monkeypatch.setenv("APMS_OPS_SECRETS", str(secrets))
    monkeypatch.setenv("APMS_OPS_HISTORY_URL", f"sqlite:///{held}")
    monkeypatch.delenv("DATABASE_URL", raising=False)
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120).run()  # warm: the review is cached
    locker = sqlite3.connect(held, timeout=0)
    locker.execute("BEGIN EXCLUSIVE")
    try:
        started = time.perf_counter()
        at.run()
        overview = time.perf_counter() - started
        at.switch_page("pages/9_audit-history.py").run()
    finally:
        locker.rollback()
        locker.close()
    assert not at.exception
    assert overview < 15, overview  # the store's busy timeout once, not once per panel
    panels = [f"{e.proto.title}: {e.proto.body}" for e in at.error]
    assert panels and all("History store unavailable" in p for p in panels), panels
    assert not [p for p in panels if "secrets" in p.lower()]
