"""Results are about a database, not only an environment name.

Runs, invariant runs, acceptances and sign-offs carry the server's system
identifier and the database's name, oid, host and port; ``--dsn`` runs are filed
by host, port and database; history says when an environment's database changed
and never diffs two databases silently; the report shows only its database's
invariant runs; the embedded demo's names are reserved.
"""

from __future__ import annotations

import os
import subprocess
import sys

import psycopg
import pytest

from apms_ops.connections import Environment, configured_environments, resolve_environment
from apms_ops.errors import ConfigError
from apms_ops.history import HistoryStore, run_audit
from apms_ops.invariants import run_invariant
from apms_ops.reports import render
from apms_ops.review import run_review
from conftest import ROOT, RUN_TAG, admin_connection


def cli(*args, history_url: str, secrets: str = "/nonexistent/secrets.toml"):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "APMS_OPS_SECRETS")}
    env.update(APMS_OPS_SECRETS=secrets, APMS_OPS_HISTORY_URL=history_url, PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, "-m", "apms_ops", *args], capture_output=True, text=True, cwd=ROOT, env=env,
                          timeout=120, stdin=subprocess.DEVNULL)


def test_a_review_names_the_database_it_read(staging_env, staging_url):
    review = run_review(staging_env)
    with psycopg.connect(staging_url) as conn:
        system, oid, name = conn.execute(
            "SELECT (SELECT system_identifier::text FROM pg_control_system()), d.oid, d.datname "
            "FROM pg_database d WHERE d.datname = current_database()").fetchone()
    ident = review.to_dict()["database_identity"]
    assert (ident["system_identifier"], ident["database_oid"], ident["database"]) == (system, oid, name)
    assert (ident["host"], ident["port"], ident["key"]) == ("127.0.0.1", 5432, f"{system}/{oid}")


def test_without_pg_control_system_the_identity_degrades_and_says_why(scratch):
    env = scratch.make("staging")
    role = f"{RUN_TAG}_noctl"
    with admin_connection(env.url) as conn:
        conn.execute("REVOKE EXECUTE ON FUNCTION pg_catalog.pg_control_system() FROM PUBLIC")  # this database only
        conn.execute(f'CREATE ROLE "{role}" LOGIN')
        conn.execute(f'GRANT SELECT ON ALL TABLES IN SCHEMA public TO "{role}"')
    try:
        review = run_review(Environment("limited", env.url.replace("postgres@", f"{role}@"), source="dsn"))
        ident = review.identity
        assert ident["system_identifier"] is None and "GRANT EXECUTE ON FUNCTION pg_catalog.pg_control_system()" in ident["note"]
        assert ident["key"] == f"127.0.0.1:5432/{ident['database_oid']}"
        assert review.verdict in ("HOLD", "NO_GO")  # the review itself goes on
    finally:
        from apms_ops.connections import dispose_engines

        dispose_engines()
        with admin_connection(env.url) as conn:
            conn.execute(f'DROP OWNED BY "{role}"')
            conn.execute(f'DROP ROLE "{role}"')


def test_dsn_runs_of_two_databases_are_two_histories(scratch, tmp_path):
    a, b = scratch.make("staging"), scratch.make("fixed")
    url = f"sqlite:///{tmp_path / 'h.sqlite3'}"
    for env in (a, b):
        proc = cli("check", "--dsn", env.url, "--save", history_url=url)
        assert proc.returncode == 0, proc.stderr
    names = HistoryStore(url).environments()
    assert names == sorted([f"127.0.0.1:5432/{a.name}", f"127.0.0.1:5432/{b.name}"])
    assert "dsn" not in names


def test_history_says_when_an_environments_database_changed_and_never_diffs_silently(scratch, tmp_path):
    a, b = scratch.make("staging"), scratch.make("fixed")
    url = f"sqlite:///{tmp_path / 'h.sqlite3'}"
    for env in (a, b):  # the same environment name, pointed at another database
        assert cli("audit", "--env", "staging", "--dsn", env.url, history_url=url).returncode == 0
    listing = cli("history", "list", history_url=url).stdout
    assert "another database than run #1" in listing and a.name in listing and b.name in listing
    proc = cli("history", "diff", "1", "2", history_url=url)
    assert proc.returncode == 2 and "different databases" in proc.stderr and "--across-databases" in proc.stderr
    proc = cli("history", "diff", "1", "2", "--across-databases", history_url=url)
    assert proc.returncode == 0 and "DIFFERENT DATABASES" in proc.stdout
    audit = cli("audit", "--env", "staging", "--dsn", a.url, history_url=url).stdout
    assert "the database of staging changed since run #2" in audit
    assert "since run #1:" in audit  # its changes are counted from its own database's last run


def test_a_report_shows_only_its_databases_invariant_runs(scratch, tmp_path):
    a, b = scratch.make("staging"), scratch.make("staging")
    store = HistoryStore(f"sqlite:///{tmp_path / 'h.sqlite3'}")
    env_a, env_b = (Environment("staging", e.url, source="secrets", allow_invariants=True) for e in (a, b))
    run = run_invariant(env_a, "one_active_per_workspace", store=store)
    assert run.record_id and run.identity["key"]
    review_b, run_id = run_audit(env_b, store)
    text = render(review_b, "markdown", **store.report_extras(review_b, run_id=run_id))
    assert "one_active_per_workspace" not in text.split("## Invariant tests (latest runs)")[1].split("##")[0]
    review_a, run_id = run_audit(env_a, store)
    text = render(review_a, "markdown", **store.report_extras(review_a, run_id=run_id))
    assert "| one_active_per_workspace | **PASS** |" in text
    store.sign_off("staging", "HOLD", migration="m", comment="c", signed_by="x", review_run_id=run_id)
    assert store.latest_sign_off("staging", database_key=review_a.database_key)["decision"] == "HOLD"
    assert store.latest_sign_off("staging", database_key=review_b.database_key) is None


def test_the_demo_names_are_reserved(tmp_path, monkeypatch, staging_url):
    secrets = tmp_path / "secrets.toml"
    secrets.write_text(f'[connections.demo-staging]\nurl = "{staging_url}"\n')
    monkeypatch.setenv("APMS_OPS_SECRETS", str(secrets))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    with pytest.raises(ConfigError, match="reserved for the embedded demo"):
        configured_environments(environ={})
    proc = cli("check", "--env", "demo-fixed", "--dsn", staging_url, history_url=f"sqlite:///{tmp_path / 'h.sqlite3'}")
    assert proc.returncode == 2 and "names the embedded demo database" in proc.stderr
    with pytest.raises(ConfigError, match="reserved"):
        configured_environments(environ={"DATABASE_URL": staging_url, "APMS_OPS_ENV_NAME": "demo-staging"}, secrets={})
    # The dashboard means the same thing: an error panel, not the real database under the demo's name.
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120).run()
    assert any("reserved for the embedded demo" in str(e.proto.body) for e in at.error)
    with pytest.raises(ConfigError, match=str(secrets)):
        resolve_environment("demo-staging-copy")


def test_the_history_page_says_when_the_database_changed(scratch, tmp_path, monkeypatch):
    from streamlit.testing.v1 import AppTest

    a, b = scratch.make("staging"), scratch.make("staging")
    url = f"sqlite:///{tmp_path / 'h.sqlite3'}"
    store = HistoryStore(url)
    for env in (a, b):
        run_audit(Environment("staging", env.url, source="secrets"), store)
    secrets = tmp_path / "secrets.toml"
    secrets.write_text(f'[connections.staging]\nurl = "{b.url}"\n')
    monkeypatch.setenv("APMS_OPS_SECRETS", str(secrets))
    monkeypatch.setenv("APMS_OPS_HISTORY_URL", url)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120).run()
    at.switch_page("pages/9_audit-history.py").run()
    assert not at.exception
    warnings = " ".join(str(w.value) for w in at.warning).replace("\\", "")  # shown Markdown-escaped
    assert "Run #2 reviewed another database than run #1" in warnings
    assert "These runs reviewed different databases" in warnings  # the comparison of #1 and #2, said loudly
