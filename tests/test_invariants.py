"""Invariant tests against real PostgreSQL: their outcomes, and that they leave nothing behind.

The seeded databases are shared by the whole test run, so every test here
also proves the point of the feature: a content checksum of every table is
the same before and after.
"""

from __future__ import annotations

import json
import threading
import time
import tomllib

import psycopg
import pytest
from psycopg import sql

from apms_ops.cli import main as cli_main
from apms_ops.connections import Environment, configured_environments
from apms_ops.history import HistoryStore
from apms_ops.invariants import (
    ERROR, FAIL, NOT_ENFORCED, PASS, REGISTRY, SKIP, InvariantsRefused, StepEvent, read_target, remaining, run_invariant,
    run_invariants,
)
from apms_ops.invariants.runner import APPLICATION_NAME, new_tag
from conftest import admin_connection

EXPECTED = {
    # The reported staging state: the CHECK on activated_at and 45 of 46 FKs are missing.
    "staging": {
        "freeze_by_reference": PASS,
        "one_active_per_workspace": PASS,
        "lifecycle": NOT_ENFORCED,
        "isolation": NOT_ENFORCED,
        "referential": NOT_ENFORCED,
    },
    # The intended design: every rule it declares holds. Isolation needs composite
    # foreign keys (workspace, config version), which the design does not declare,
    # so a version of another workspace is still accepted there.
    "fixed": {
        "freeze_by_reference": PASS,
        "one_active_per_workspace": PASS,
        "lifecycle": PASS,
        "isolation": NOT_ENFORCED,
        "referential": PASS,
    },
}


@pytest.fixture(autouse=True)
def history(tmp_path, monkeypatch) -> HistoryStore:
    url = f"sqlite:///{tmp_path / 'history.sqlite3'}"
    monkeypatch.setenv("APMS_OPS_HISTORY_URL", url)
    monkeypatch.setenv("APMS_OPS_USER", "tester")
    return HistoryStore(url)


def content_checksums(url: str) -> dict[str, tuple[int, str]]:
    """Rows and an md5 of every table's rows (ordered by row text), computed in PostgreSQL."""
    with admin_connection(url) as conn:
        tables = conn.execute(
            "SELECT schemaname, tablename FROM pg_catalog.pg_tables "
            "WHERE schemaname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1, 2").fetchall()
        out = {}
        for schema, table in tables:
            n, digest = conn.execute(sql.SQL(
                "SELECT count(*), md5(coalesce(string_agg(CAST(x AS text), E'\\n' ORDER BY CAST(x AS text)), '')) FROM {} AS x"
            ).format(sql.Identifier(schema, table))).fetchone()
            out[f"{schema}.{table}"] = (n, digest)
        return out


def tagged_rows(url: str, tag: str) -> int:
    """Rows anywhere in the database whose text carries ``tag`` (or its code-shaped form)."""
    total = 0
    pattern = f"%{tag.replace('-', '_')}%"
    with admin_connection(url) as conn:
        for schema, table in conn.execute(
                "SELECT schemaname, tablename FROM pg_catalog.pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')"):
            total += conn.execute(sql.SQL("SELECT count(*) FROM {} AS x WHERE CAST(x AS text) ILIKE %s").format(
                sql.Identifier(schema, table)), (pattern,)).fetchone()[0]
    return total


def env_for(url: str, name: str, **settings) -> Environment:
    return Environment(name, url, source="secrets", allow_invariants=True, **settings)


def step(run, prefix: str):
    return next(s for s in run.steps if s.name.startswith(prefix))


# ---------------------------------------------------------------- outcomes


@pytest.mark.parametrize("db", ["staging", "fixed"])
@pytest.mark.parametrize("test", list(EXPECTED["staging"]))
def test_outcome(db, test, request, history):
    url = request.getfixturevalue(f"{db}_url")
    before = content_checksums(url)
    run = run_invariant(env_for(url, db), test)
    assert run.outcome == EXPECTED[db][test], (run.detail, [s.to_dict() for s in run.steps])
    names = [s.name for s in run.steps]
    assert names[0].startswith("open one transaction")
    assert names[-2:] == ["roll back the test transaction", "after-check on a fresh read-only connection"]
    assert step(run, "roll back").outcome == PASS
    assert step(run, "after-check").outcome == PASS
    assert all(s.duration_ms >= 0 for s in run.steps)
    assert run.tag.startswith("apmsops-") and run.tag in step(run, "open one transaction").detail
    assert content_checksums(url) == before
    assert tagged_rows(url, run.tag) == 0
    recorded = history.list_invariant_runs(environment=db, test=test)
    assert recorded[0]["outcome"] == run.outcome and recorded[0]["tag"] == run.tag
    assert recorded[0]["run_by"] == "tester" and recorded[0]["database"] == url  # no password to mask here
    assert [s["name"] for s in recorded[0]["steps"]] == names


def test_lifecycle_says_which_rule_is_not_enforced(staging_env, fixed_env):
    staging = run_invariant(staging_env, "lifecycle")
    outcomes = {s.name: (s.outcome, s.sqlstate) for s in staging.steps if s.kind == "probe"}
    assert outcomes == {
        "an illegal status is rejected": (PASS, "23514"),
        "an ACTIVE version without activated_at is rejected": (NOT_ENFORCED, None),
        "a duplicate version number in a workspace is rejected": (PASS, "23505"),
        "a version number below 1 is rejected": (PASS, "23514"),
    }
    assert "activated_at" in staging.detail and "application code" in staging.detail
    fixed = run_invariant(fixed_env, "lifecycle")
    assert step(fixed, "an ACTIVE version without").sqlstate == "23514"
    assert "config_versions_activated_at_check" in step(fixed, "an ACTIVE version without").detail


def test_one_active_is_the_partial_index(staging_env):
    run = run_invariant(staging_env, "one_active_per_workspace")
    probes = [s for s in run.steps if s.kind == "probe"]
    assert [s.sqlstate for s in probes] == ["23505", "23505"]
    assert all("config_versions_one_active_per_workspace" in s.detail for s in probes)


def test_freeze_steps_follow_the_lifecycle(staging_env):
    run = run_invariant(staging_env, "freeze_by_reference")
    names = [s.name for s in run.steps]
    assert names[1:10] == [
        "pick an instance frozen to an ACTIVE version",
        "checksum version 2's master rows",
        "create version 4 as DRAFT",
        "add version 4's master rows (copies of version 2's)",
        "edit version 4's master rows",
        "archive version 2",
        "activate version 4",
        "the instance still references version 2",
        "version 2's master rows are unchanged",
    ]
    assert "55 rows of version 2 in 15 master tables" in step(run, "checksum").detail
    assert "55 rows in 15 master tables" in step(run, "add version 4").detail
    assert "(RUNNING)" in step(run, "pick").detail  # running work is the work a freeze protects
    assert "1 updated row(s) read as before" in step(run, "after-check").detail


def test_referential_per_table(staging_env, fixed_env):
    staging = run_invariant(staging_env, "referential")
    probes = [s for s in staging.steps if s.kind == "probe"]
    assert len(probes) == 16 and probes[0].name.startswith("workflow_instances:")
    assert {s.outcome for s in probes} == {NOT_ENFORCED}
    assert "16 of 16 tables" in staging.detail
    fixed = run_invariant(fixed_env, "referential")
    assert {s.sqlstate for s in fixed.steps if s.kind == "probe"} == {"23503"}


def test_isolation_passes_with_composite_foreign_keys(scratch):
    # The design's single-column FKs accept another workspace's version; composite
    # (workspace, config version) FKs are what refuses it.
    env = scratch.make(seed="fixed", sql_text="""
        ALTER TABLE config_versions ADD CONSTRAINT config_versions_workspace_id_id_key UNIQUE (workspace_id, id);
        DO $$
        DECLARE t text;
        BEGIN
          FOR t IN SELECT c.relname FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid
                    WHERE a.attname = 'config_version_id' AND c.relkind = 'r' AND c.relnamespace = 'public'::regnamespace
          LOOP
            EXECUTE format('ALTER TABLE %I ADD CONSTRAINT %I FOREIGN KEY (workspace_id, config_version_id) '
                           'REFERENCES config_versions (workspace_id, id)', t, t || '_same_workspace_fkey');
          END LOOP;
        END $$;
    """)
    run = run_invariant(env, "isolation")
    assert run.outcome == PASS, run.detail
    probes = [s for s in run.steps if s.kind == "probe"]
    assert len(probes) == 16 and {s.sqlstate for s in probes} == {"23503"}
    assert "rejected in 16 of 16 tables" in run.detail


def test_freeze_fails_when_activation_moves_running_work(scratch):
    # The anti-pattern the freeze protects against: activating a version drags running work along.
    # The function names its own search_path: tests run with search_path pinned to pg_catalog, pg_temp.
    env = scratch.make(seed="staging", sql_text="""
        CREATE FUNCTION follow_active() RETURNS trigger LANGUAGE plpgsql SET search_path = public AS $$
        BEGIN
          UPDATE workflow_instances SET config_version_id = NEW.id
           WHERE workspace_id = NEW.workspace_id AND status IN ('RUNNING', 'PENDING');
          RETURN NEW;
        END $$;
        CREATE TRIGGER follow_active AFTER UPDATE OF status ON config_versions
          FOR EACH ROW WHEN (NEW.status = 'ACTIVE') EXECUTE FUNCTION follow_active();
    """)
    before = content_checksums(env.url)
    run = run_invariant(env, "freeze_by_reference")
    assert run.outcome == FAIL
    assert step(run, "the instance still references").outcome == FAIL
    assert "now references apmsops-" in run.detail
    assert step(run, "version 2's master rows are unchanged").outcome == PASS
    assert content_checksums(env.url) == before


def retire_rows(settings: str = "") -> str:
    """A trigger that rewrites the archived version's rows (``settings``: the function's SET clause)."""
    return f"""
        CREATE FUNCTION retire_rows() RETURNS trigger LANGUAGE plpgsql {settings} AS $$
        BEGIN
          UPDATE master_holidays SET is_active = false WHERE config_version_id = NEW.id;
          RETURN NEW;
        END $$;
        CREATE TRIGGER retire_rows AFTER UPDATE OF status ON config_versions
          FOR EACH ROW WHEN (NEW.status = 'ARCHIVED') EXECUTE FUNCTION retire_rows();
    """


def test_freeze_fails_when_archiving_rewrites_the_old_rows(scratch):
    env = scratch.make(seed="staging", sql_text=retire_rows("SET search_path = public"))
    run = run_invariant(env, "freeze_by_reference")
    assert run.outcome == FAIL
    assert "rows of version 2 changed in master_holidays" in run.detail


def test_a_function_relying_on_the_callers_search_path_is_an_error_that_says_so(scratch):
    # Tests run with search_path pinned to pg_catalog, pg_temp: an unqualified name in the function is not found.
    env = scratch.make(seed="staging", sql_text=retire_rows())
    run = run_invariant(env, "freeze_by_reference")
    assert run.outcome == ERROR
    assert 'relation "master_holidays" does not exist' in run.detail
    assert "retire_rows()" in run.detail and "search_path" in run.detail


def test_registry_is_complete_and_documented():
    assert [i.name for i in REGISTRY] == list(EXPECTED["staging"]) == list(EXPECTED["fixed"])
    for inv in REGISTRY:
        assert inv.doc and inv.summary and inv.title
        assert len({i.name for i in REGISTRY}) == len(REGISTRY)


# ---------------------------------------------------------------- nothing remains


@pytest.mark.parametrize("db", ["staging", "fixed"])
def test_run_all_leaves_every_table_unchanged(db, request):
    url = request.getfixturevalue(f"{db}_url")
    before = content_checksums(url)
    runs = run_invariants(env_for(url, db))
    assert {r.test: r.outcome for r in runs} == EXPECTED[db]
    assert content_checksums(url) == before
    assert all(tagged_rows(url, r.tag) == 0 for r in runs)
    assert len({r.tag for r in runs}) == len(runs)


def _terminate(url: str, pid: int) -> None:
    with admin_connection(url) as conn:
        assert conn.execute("SELECT pg_terminate_backend(%s)", (pid,)).fetchone()[0]


def test_backend_terminated_mid_test(staging_url):
    """Another connection kills the test's backend between two writing steps."""
    before = content_checksums(staging_url)
    seen: list[StepEvent] = []

    def kill_at_archive(event: StepEvent) -> None:
        seen.append(event)
        if event.step.startswith("archive version") and event.phase == "start":
            _terminate(staging_url, event.pid)
            time.sleep(0.2)  # let the server finish the session

    run = run_invariant(env_for(staging_url, "staging"), "freeze_by_reference", on_step=kill_at_archive)
    assert run.outcome == ERROR
    archive = step(run, "archive version")
    assert archive.outcome == ERROR
    assert archive.sqlstate in ("57P01", None)  # admin_shutdown, when the driver still read the server's message
    assert step(run, "roll back").outcome == SKIP and "connection was lost" in step(run, "roll back").detail
    assert step(run, "after-check").outcome == PASS
    assert not any(s.name.startswith("activate") for s in run.steps)  # the test stopped there
    assert content_checksums(staging_url) == before
    assert tagged_rows(staging_url, run.tag) == 0
    assert seen[0].pid is None and len({e.pid for e in seen[1:]}) == 1  # one backend for the whole test


def test_backend_terminated_while_waiting_on_a_lock(staging_url):
    """The test waits on a row lock another session holds; that session's DBA kills the test."""
    before = content_checksums(staging_url)
    env = env_for(staging_url, "staging", lock_timeout_ms=30_000)
    result = {}
    with psycopg.connect(staging_url) as holder:  # a transaction holding the ACTIVE version's row lock
        holder.execute("SELECT id FROM config_versions WHERE status = 'ACTIVE' ORDER BY workspace_id, id LIMIT 1 FOR UPDATE")
        worker = threading.Thread(target=lambda: result.setdefault("run", run_invariant(env, "freeze_by_reference")))
        worker.start()
        pid = None
        with admin_connection(staging_url) as watcher:
            for _ in range(200):
                row = watcher.execute(
                    "SELECT pid FROM pg_stat_activity WHERE application_name LIKE %s AND wait_event_type = 'Lock'",
                    (f"{APPLICATION_NAME}%",)).fetchone()
                if row:
                    pid = row[0]
                    break
                time.sleep(0.05)
            assert pid, "the test never waited on the lock"
            assert watcher.execute("SELECT pg_terminate_backend(%s)", (pid,)).fetchone()[0]
        worker.join(30)
        holder.rollback()
    run = result["run"]
    assert run.outcome == ERROR
    assert step(run, "archive version").outcome == ERROR
    assert step(run, "after-check").outcome == PASS
    assert content_checksums(staging_url) == before
    assert tagged_rows(staging_url, run.tag) == 0


def test_lock_timeout_is_an_error_not_a_hang(staging_url):
    before = content_checksums(staging_url)
    env = env_for(staging_url, "staging", lock_timeout_ms=200)
    with psycopg.connect(staging_url) as holder:
        holder.execute("SELECT id FROM config_versions WHERE status = 'ACTIVE' ORDER BY workspace_id, id LIMIT 1 FOR UPDATE")
        started = time.perf_counter()
        run = run_invariant(env, "freeze_by_reference")
        elapsed = time.perf_counter() - started
        holder.rollback()
    assert run.outcome == ERROR and elapsed < 10
    assert step(run, "archive version").sqlstate == "55P03"  # lock_not_available
    assert "SQLSTATE 55P03" in run.detail
    assert step(run, "roll back").outcome == PASS
    assert content_checksums(staging_url) == before


def test_statement_timeout_is_an_error(staging_url):
    # A table lock held elsewhere makes the test's first INSERT wait; with lock_timeout
    # off, statement_timeout is what ends the wait.
    env = env_for(staging_url, "staging", statement_timeout_ms=300, lock_timeout_ms=0)
    before = content_checksums(staging_url)
    with psycopg.connect(staging_url) as holder:
        holder.execute("LOCK TABLE config_versions IN SHARE ROW EXCLUSIVE MODE")
        run = run_invariant(env, "lifecycle")
        holder.rollback()
    assert run.outcome == ERROR
    assert step(run, "an illegal status").sqlstate == "57014"  # query_canceled
    assert step(run, "after-check").outcome == PASS
    assert content_checksums(staging_url) == before


def test_two_runs_at_once_do_not_interfere(staging_url):
    before = content_checksums(staging_url)
    env = env_for(staging_url, "staging", lock_timeout_ms=10_000)
    results: dict[int, list] = {}
    barrier = threading.Barrier(2)

    def worker(i: int) -> None:
        barrier.wait()
        results[i] = run_invariants(env, run_by=f"runner {i}")

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert set(results) == {0, 1}
    for runs in results.values():
        assert {r.test: r.outcome for r in runs} == EXPECTED["staging"], [(r.test, r.detail) for r in runs]
        assert all(step(r, "after-check").outcome == PASS for r in runs)
    assert not {r.tag for r in results[0]} & {r.tag for r in results[1]}
    assert content_checksums(staging_url) == before


def test_runs_on_one_database_take_turns(staging_url):
    """A run waits for another run's transaction (an advisory lock), within lock_timeout."""
    from apms_ops.invariants.runner import ADVISORY_LOCK_KEY

    env = env_for(staging_url, "staging", lock_timeout_ms=200)
    with psycopg.connect(staging_url) as other:
        other.execute("SELECT pg_advisory_xact_lock(%s)", (ADVISORY_LOCK_KEY,))
        run = run_invariant(env, "lifecycle")
        other.rollback()
    assert run.outcome == ERROR
    assert step(run, "open one transaction").sqlstate == "55P03"
    assert step(run, "after-check").detail == "the test wrote nothing"
    assert "no other invariant run" in step(run_invariant(env, "lifecycle"), "open one transaction").detail


def test_after_check_finds_a_leftover(scratch):
    """The proof is not vacuous: a committed row carrying a tag is reported."""
    env = scratch.make(seed="staging")
    snapshot, profile = read_target(env)
    tag = new_tag()
    with admin_connection(env.url) as conn:
        conn.execute("INSERT INTO config_versions (id, workspace_id, version, status) "
                     "SELECT %s, workspace_id, 99, 'DRAFT' FROM config_versions LIMIT 1", (f"{tag}-leftover",))
        active = conn.execute("SELECT id, md5(CAST(v AS text)) FROM config_versions v WHERE status = 'ACTIVE' LIMIT 1").fetchone()
        conn.execute("UPDATE config_versions SET status = 'ARCHIVED' WHERE id = %s", (active[0],))
    leftovers, changed = remaining(env, profile, snapshot, tag, {"config_versions": {f"{tag}-leftover"}},
                                   {"config_versions": {active[0]: active[1]}})
    assert leftovers == {"config_versions": 1}
    assert changed == [("config_versions", active[0])]


# ---------------------------------------------------------------- refusals and skips


def test_skip_without_the_profile_tables(scratch):
    env = scratch.make(sql_text="CREATE TABLE notes (id integer PRIMARY KEY, body text)")
    before = content_checksums(env.url)
    runs = run_invariants(env)
    assert {r.outcome for r in runs} == {SKIP}
    assert all("no profile applies" in r.detail for r in runs)
    assert all(r.steps[0].name == "requirements" for r in runs)
    runs = run_invariants(env, profile="apms")
    assert {r.outcome for r in runs} == {SKIP}
    assert all("table config_versions is missing from schema public" in r.detail for r in runs)
    assert content_checksums(env.url) == before


def test_skip_when_no_instance_is_frozen_to_an_active_version(scratch):
    env = scratch.make(seed="staging", sql_text="DELETE FROM workflow_instances")
    run = run_invariant(env, "freeze_by_reference")
    assert run.outcome == SKIP
    assert "no workflow_instances row references an ACTIVE config_versions row" in run.detail
    assert step(run, "after-check").outcome == PASS


def test_protected_environment_is_refused(staging_url, history):
    env = Environment("production", staging_url, source="secrets", protected=True, allow_invariants=False)
    with pytest.raises(InvariantsRefused) as err:
        run_invariant(env, "lifecycle")
    message = str(err.value)
    assert "\n" not in message and "production is protected" in message and "allow_invariants = true" in message
    with pytest.raises(InvariantsRefused):
        run_invariants(env)
    assert history.list_invariant_runs() == []  # nothing ran, nothing recorded


def test_protected_environment_may_opt_in(tmp_path, staging_url):
    secrets = tmp_path / "secrets.toml"
    secrets.write_text(f'[connections.prod]\nurl = "{staging_url}"\nprotected = true\n\n'
                       f'[connections.prod_tests]\nurl = "{staging_url}"\nprotected = true\nallow_invariants = true\n')
    envs = {e.name: e for e in configured_environments(environ={}, secrets=tomllib.loads(secrets.read_text()))}
    with pytest.raises(InvariantsRefused):
        run_invariant(envs["prod"], "one_active_per_workspace")
    assert run_invariant(envs["prod_tests"], "one_active_per_workspace").outcome == PASS


# ---------------------------------------------------------------- the command


def test_cli_exit_codes_and_json(staging_url, fixed_url, tmp_path, capsys, history):
    assert cli_main(["invariants", "--dsn", staging_url]) == 0  # NOT_ENFORCED alone does not fail the gate
    out = capsys.readouterr().out
    assert "5 tests: 2 PASS, 3 NOT_ENFORCED" in out and "roll back the test transaction" in out
    assert cli_main(["invariants", "--dsn", staging_url, "--only", "lifecycle", "--fail-on", "not-enforced"]) == 1
    capsys.readouterr()
    target = tmp_path / "runs.json"
    assert cli_main(["invariants", "--dsn", fixed_url, "--only", "referential", "lifecycle", "--format", "json",
                     "--output", str(target)]) == 0
    data = json.loads(target.read_text())
    assert [r["test"] for r in data["runs"]] == ["lifecycle", "referential"]  # registry order
    assert data["summary"]["PASS"] == 2 and data["runs"][0]["run_by"] == "tester"
    assert all({"name", "outcome", "sqlstate", "duration_ms", "detail"} <= set(s) for s in data["runs"][0]["steps"])
    assert len(history.list_invariant_runs()) == 5 + 1 + 2


def test_cli_fail_and_could_not_run(scratch, tmp_path, capsys, monkeypatch):
    # The function names its own search_path: tests run with search_path pinned to pg_catalog, pg_temp.
    env = scratch.make(seed="staging", sql_text="""
        CREATE FUNCTION follow_active() RETURNS trigger LANGUAGE plpgsql SET search_path = public AS $$
        BEGIN UPDATE workflow_instances SET config_version_id = NEW.id WHERE workspace_id = NEW.workspace_id; RETURN NEW; END $$;
        CREATE TRIGGER follow_active AFTER UPDATE OF status ON config_versions
          FOR EACH ROW WHEN (NEW.status = 'ACTIVE') EXECUTE FUNCTION follow_active();
    """)
    assert cli_main(["invariants", "--dsn", env.url, "--only", "freeze_by_reference"]) == 1
    capsys.readouterr()
    assert cli_main(["invariants", "--dsn", "postgresql://nobody:secret@127.0.0.1:1/none"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "secret" not in err and "cannot connect" in err
    secrets = tmp_path / "secrets.toml"
    secrets.write_text(f'[connections.production]\nurl = "{env.url}"\nprotected = true\n')
    monkeypatch.setenv("APMS_OPS_SECRETS", str(secrets))
    assert cli_main(["invariants", "--env", "production"]) == 2
    assert "production is protected" in capsys.readouterr().err
    assert cli_main(["invariants", "--dsn", env.url, "--only", "no_such_test"]) == 2
