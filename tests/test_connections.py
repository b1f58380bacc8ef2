"""Environments, masking, read-only sessions, timeouts, permissions and missing tables."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from apms_ops.connections import (
    Environment, configured_environments, mask_secrets, mask_url, normalize_url, read_only_session, resolve_environment,
)
from apms_ops.errors import ConfigError, DatabaseError
from apms_ops.review import run_review


@pytest.mark.parametrize("raw,masked", [
    ("postgresql://alice:s3cret@db:5432/apms", "postgresql://alice:***@db:5432/apms"),
    ("postgresql+psycopg://alice:p%40ss@db/apms", "postgresql://alice:***@db/apms"),
    ("postgresql://alice@db/apms", "postgresql://alice@db/apms"),
    ("host=db user=alice password=s3cret dbname=apms", "host=db user=alice password=*** dbname=apms"),
    ("host=db password='with space' dbname=apms", "host=db password=*** dbname=apms"),
])
def test_mask_url(raw, masked):
    assert mask_url(raw) == masked


def test_mask_secrets_in_free_text():
    text = "failed for postgresql://bob:hunter22@h/db with hunter22"
    assert "hunter22" not in mask_secrets(text, "hunter22")


def test_environment_repr_hides_the_url():
    env = Environment("prod", "postgresql://u:topsecret@h/db")
    assert "topsecret" not in repr(env) and "topsecret" not in env.masked_url


def test_key_value_dsn_is_accepted():
    url = normalize_url("host=127.0.0.1 port=5432 dbname=apms user=postgres")
    assert (url.host, url.port, url.database, url.drivername) == ("127.0.0.1", 5432, "apms", "postgresql+psycopg")


def test_non_postgres_url_is_refused():
    with pytest.raises(ConfigError, match="not a PostgreSQL URL"):
        normalize_url("mysql://u@h/db")


def test_secrets_tables_become_environments():
    secrets = {"connections": {
        "staging": {"url": "postgresql://u:pw@h/staging", "statement_timeout": "10s", "lock_timeout": "500ms"},
        "prod": {"dialect": "postgresql", "host": "p", "port": 5433, "database": "apms", "username": "ro", "password": "x",
                 "protected": True},
    }}
    envs = {e.name: e for e in configured_environments(environ={}, secrets=secrets)}
    assert envs["staging"].statement_timeout_ms == 10_000 and envs["staging"].lock_timeout_ms == 500
    assert envs["prod"].protected and envs["prod"].masked_url == "postgresql://ro:***@p:5433/apms"


@pytest.mark.parametrize("table,message", [
    ({"url": "postgresql://h/db", "colour": "blue"}, "unknown key 'colour'"),
    ({"username": "u"}, "needs url, or host and database"),
    ({"url": "postgresql://h/db", "statement_timeout": "soon"}, "key 'statement_timeout': must be a duration"),
])
def test_bad_secrets_are_one_line_errors(table, message):
    with pytest.raises(ConfigError, match=message):
        configured_environments(environ={}, secrets={"connections": {"x": table}})


def test_resolve_prefers_dsn_and_reports_unknown_names(monkeypatch, tmp_path):
    monkeypatch.setenv("APMS_OPS_SECRETS", str(tmp_path / "none.toml"))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    # --dsn runs are filed by host, port and database (never by user or password), not all under "dsn".
    assert resolve_environment(dsn="postgresql://u:pw@h/db").name == "h:5432/db"
    assert resolve_environment(dsn="postgresql://u@h:6543/other").name == "h:6543/other"
    assert resolve_environment("mine", dsn="postgresql://u@h/db").name == "mine"
    with pytest.raises(ConfigError, match="unknown environment"):
        resolve_environment("nope")


def test_reads_are_read_only(fixed_env):
    with read_only_session(fixed_env) as conn:
        assert conn.exec_driver_sql("SHOW transaction_read_only").scalar() == "on"
        with pytest.raises(sa.exc.DBAPIError, match="read-only transaction"):
            conn.exec_driver_sql("UPDATE public.workspaces SET name = name")


def test_statement_and_lock_timeouts_are_set(fixed_env):
    env = fixed_env.with_timeouts(statement_ms=1234, lock_ms=567)
    with read_only_session(env) as conn:
        assert conn.exec_driver_sql("SHOW statement_timeout").scalar() == "1234ms"
        assert conn.exec_driver_sql("SHOW lock_timeout").scalar() == "567ms"


def test_statement_timeout_stops_a_slow_audit(fixed_env):
    env = fixed_env.with_timeouts(statement_ms=50)
    with pytest.raises(DatabaseError, match="statement timeout"):
        with read_only_session(env) as conn:
            try:
                conn.exec_driver_sql("SELECT pg_sleep(2)")
            except sa.exc.DBAPIError as exc:
                from apms_ops.connections import database_error

                raise database_error(exc, env) from None


def test_missing_permissions_give_error_results_and_the_rest_runs(scratch):
    from conftest import admin_connection

    env = scratch.make("staging")
    role = f"ro_{env.name[-8:]}"
    with admin_connection(env.url) as conn:
        conn.execute(f'CREATE ROLE "{role}" LOGIN')
        conn.execute(f'GRANT CONNECT ON DATABASE "{env.name}" TO "{role}"')
        conn.execute(f'GRANT USAGE ON SCHEMA public TO "{role}"')
        conn.execute(f'GRANT SELECT ON ALL TABLES IN SCHEMA public TO "{role}"')
        conn.execute(f'REVOKE SELECT ON config_versions FROM "{role}"')
    try:
        limited = Environment("limited", env.url.replace("postgres@", f"{role}@"))
        review = run_review(limited, "apms")
        statuses = {c.id: c.status for c in review.checks}
        assert statuses["C3.lifecycle"] == "ERROR"
        assert "permission denied" in review.check("C3.lifecycle").detail
        assert statuses["C1.foreign_keys"] == "FAIL"  # catalog checks still ran
        assert statuses["C1.orphans"] == "ERROR"
        assert review.verdict == "HOLD" and "R15" in [r.rule for r in review.reasons]
    finally:
        from apms_ops.connections import dispose_engines

        dispose_engines()
        with admin_connection(env.url) as conn:
            conn.execute(f'DROP OWNED BY "{role}"')
            conn.execute(f'DROP ROLE "{role}"')


def test_missing_tables_with_the_apms_profile(scratch):
    env = scratch.make(sql_text="CREATE TABLE workspaces (id uuid PRIMARY KEY, name text);")
    review = run_review(env, "apms")
    tables = review.check("C1.tables")
    assert (tables.status, tables.actual) == ("FAIL", 0)
    assert review.check("C3.lifecycle").status == "SKIP"
    assert "config_versions is missing" in review.check("C3.lifecycle").detail
    assert review.verdict == "NO_GO"
    assert not [c.id for c in review.checks if c.status == "ERROR"]


def test_auto_profile_on_a_database_that_is_not_apms(scratch):
    env = scratch.make(sql_text="CREATE TABLE authors (id int PRIMARY KEY); CREATE TABLE books (id int PRIMARY KEY, author_id int);")
    review = run_review(env)
    assert review.profile == "none"
    fk = review.check("C1.foreign_keys")
    assert (fk.status, fk.target, fk.actual) == ("WARN", 1, 0)
    assert review.verdict == "HOLD"
    assert review.check("C4.one_active_per_workspace").status == "SKIP"
