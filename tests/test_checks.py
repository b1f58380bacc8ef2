"""Every check with a pass case (the intended design) and a fail case built in a scratch copy."""

from __future__ import annotations

import http.server
import threading
from dataclasses import replace

import pytest

from apms_ops.checks import REGISTRY
from apms_ops.review import run_review


def review(env, only=None, profile="apms"):
    return run_review(env, profile, only=only)


def result(env, check_id, profile="apms"):
    return review(env, [check_id], profile).check(check_id)


@pytest.fixture(scope="module")
def fixed_review(fixed_url):
    from apms_ops.connections import Environment

    return run_review(Environment("fixed", fixed_url), "apms")


@pytest.mark.parametrize("check_id", [c.id for c in REGISTRY if c.id != "C6.health"])
def test_every_check_passes_on_the_intended_design(fixed_review, check_id):
    r = fixed_review.check(check_id)
    assert r.status == "PASS", r.detail
    assert r.findings == []


def test_extensions_fail_when_pgcrypto_is_missing(scratch):
    env = scratch.make("fixed", "DROP EXTENSION pgcrypto")
    r = result(env, "C1.extensions")
    assert (r.status, r.target, r.actual) == ("FAIL", 1, 0)
    assert r.findings[0]["extension"] == "pgcrypto"
    assert r.findings[0]["available"] is True
    assert "CREATE EXTENSION" in r.findings[0]["sql"]


def test_tables_fail_when_a_created_table_is_missing(scratch):
    env = scratch.make("fixed", "DROP TABLE master_holidays")
    r = result(env, "C1.tables")
    assert (r.status, r.target, r.actual) == ("FAIL", 16, 15)
    assert [f["table"] for f in r.findings] == ["master_holidays"]


def test_foreign_keys_fail_with_the_missing_one_named(scratch):
    env = scratch.make("fixed", "ALTER TABLE master_roles DROP CONSTRAINT master_roles_workspace_id_fkey")
    r = result(env, "C1.foreign_keys")
    assert (r.status, r.target, r.actual) == ("FAIL", 46, 45)
    (f,) = r.findings
    assert (f["table"], f["column"], f["references"]) == ("master_roles", "workspace_id", "workspaces.id")
    assert "NOT VALID" in f["sql"] and "VALIDATE CONSTRAINT" in f["sql"]


def test_not_valid_foreign_key_is_flagged(scratch):
    env = scratch.make("fixed", """
        ALTER TABLE master_roles DROP CONSTRAINT master_roles_workspace_id_fkey;
        ALTER TABLE master_roles ADD CONSTRAINT master_roles_workspace_id_fkey
              FOREIGN KEY (workspace_id) REFERENCES workspaces (id) NOT VALID;""")
    r = result(env, "C1.foreign_keys")
    assert (r.status, r.actual) == ("WARN", 46)
    assert r.findings[0]["problem"] == "NOT VALID"


def test_critical_foreign_keys_fail(scratch):
    env = scratch.make("fixed", "ALTER TABLE master_roles DROP CONSTRAINT master_roles_config_version_id_fkey")
    r = result(env, "C1.critical_foreign_keys")
    assert (r.status, r.target, r.actual) == ("FAIL", 17, 16)
    assert r.findings[0]["references"] == "config_versions.id"


def test_check_constraints_fail_with_the_missing_definition(scratch):
    env = scratch.make("fixed", "ALTER TABLE master_holidays DROP CONSTRAINT master_holidays_holiday_date_check")
    r = result(env, "C1.check_constraints")
    assert (r.status, r.target, r.actual) == ("FAIL", 22, 21)
    assert r.findings[0]["definition"] == "holiday_date >= DATE '2000-01-01'"
    assert "NOT VALID" in r.findings[0]["sql"]


def test_check_with_a_different_definition_does_not_count(scratch):
    env = scratch.make("fixed", """
        ALTER TABLE master_priorities DROP CONSTRAINT master_priorities_rank_check;
        ALTER TABLE master_priorities ADD CONSTRAINT master_priorities_rank_check CHECK (rank BETWEEN 1 AND 9);""")
    r = result(env, "C1.check_constraints")
    assert (r.status, r.actual) == ("FAIL", 21)
    assert "master_priorities_rank_check" in r.detail  # listed as not in the profile


def test_partial_unique_index_fails_when_missing(scratch):
    env = scratch.make("fixed", "DROP INDEX config_versions_one_active_per_workspace")
    r = result(env, "C1.partial_unique_index")
    assert (r.status, r.actual) == ("FAIL", 0)
    assert r.findings[0]["problem"] == "missing"
    assert "CREATE UNIQUE INDEX CONCURRENTLY" in r.findings[0]["sql"]


def test_partial_unique_index_fails_when_predicate_differs(scratch):
    env = scratch.make("fixed", """
        DROP INDEX config_versions_one_active_per_workspace;
        CREATE UNIQUE INDEX config_versions_one_active_per_workspace ON config_versions (workspace_id) WHERE status = 'DRAFT';""")
    r = result(env, "C1.partial_unique_index")
    assert r.status == "FAIL"
    assert "differs" in r.findings[0]["problem"]


def test_orphans_counted_and_null_reference_is_not_an_orphan(scratch):
    env = scratch.make("fixed", """
        ALTER TABLE master_roles DROP CONSTRAINT master_roles_config_version_id_fkey;
        INSERT INTO master_roles (id, workspace_id, config_version_id, code, name)
             SELECT 'orphan-1', workspace_id, 'no-such-version', 'ORPHAN', 'Orphan' FROM config_versions LIMIT 1;
        INSERT INTO workflow_instances (id, workspace_id, started_by, status, config_version_id, current_step_id)
             SELECT 'no-step', workspace_id, NULL, 'PENDING', id, NULL FROM config_versions WHERE status = 'ACTIVE' LIMIT 1;""")
    r = result(env, "C1.orphans")
    assert (r.status, r.target, r.actual) == ("FAIL", 0, 1)
    (f,) = r.findings
    assert (f["table"], f["column"], f["references"], f["orphans"]) == ("master_roles", "config_version_id", "config_versions.id", 1)
    assert f["declared"] is False


def test_migrations_fail_on_a_failed_migration(scratch):
    env = scratch.make("fixed", """
        INSERT INTO _prisma_migrations (id, checksum, migration_name, started_at, finished_at, applied_steps_count)
        VALUES ('f0000000-0000-0000-0000-000000000001', repeat('a', 64), '20260101000000_broken', '2026-01-01', NULL, 0);""")
    r = result(env, "C1.migrations")
    assert r.status == "FAIL"
    assert r.findings[0]["migration"] == "20260101000000_broken"


def test_migrations_warn_when_the_history_table_is_missing(scratch):
    env = scratch.make("fixed", "DROP TABLE _prisma_migrations")
    assert result(env, "C1.migrations").status == "WARN"


def test_id_types_fail_on_a_uuid_id_where_text_is_expected(scratch):
    env = scratch.make("staging", "ALTER TABLE master_holidays ALTER COLUMN id TYPE uuid USING md5(id)::uuid")
    r = result(env, "C2.id_types")
    assert r.status == "FAIL"
    assert r.findings == [{"table": "master_holidays", "column": "id", "type": "uuid", "expected": "text",
                           "fingerprint": r.findings[0]["fingerprint"]}]


def test_reference_types_fail_on_a_mismatch_without_any_fk(scratch):
    env = scratch.make("staging", "ALTER TABLE master_positions ALTER COLUMN department_id TYPE varchar(36)")
    r = result(env, "C2.reference_types")
    assert (r.status, r.target, r.actual) == ("FAIL", 46, 45)
    (f,) = r.findings
    assert f["table"] == "master_positions" and f["column"] == "department_id"
    assert f["type"] == "character varying(36)" and f["referenced_type"] == "text"
    assert f["references"] == "master_departments.id" and f["declared"] is False


def test_lifecycle_fails_on_each_rule(scratch):
    env = scratch.make("staging", """
        ALTER TABLE config_versions DROP CONSTRAINT config_versions_status_check;
        ALTER TABLE config_versions DROP CONSTRAINT config_versions_version_check;
        ALTER TABLE config_versions DROP CONSTRAINT config_versions_workspace_id_version_key;
        UPDATE config_versions SET activated_at = NULL WHERE id = (SELECT min(id) FROM config_versions WHERE status = 'ACTIVE');
        UPDATE config_versions SET status = 'BROKEN' WHERE id = (SELECT min(id) FROM config_versions WHERE status = 'DRAFT');
        INSERT INTO config_versions (id, workspace_id, version, status)
             SELECT 'dup', workspace_id, 1, 'ARCHIVED' FROM config_versions WHERE version = 1 LIMIT 1;
        INSERT INTO config_versions (id, workspace_id, version, status)
             SELECT 'neg', workspace_id, -1, 'ARCHIVED' FROM config_versions WHERE version = 1 LIMIT 1;""")
    r = result(env, "C3.lifecycle")
    assert r.status == "FAIL"
    assert sorted({f["rule"] for f in r.findings}) == [
        "active_without_activation", "duplicate_version", "illegal_status", "non_positive_version"]


def test_one_active_per_workspace_fails_on_two_active(scratch):
    env = scratch.make("staging", """
        DROP INDEX config_versions_one_active_per_workspace;
        UPDATE config_versions SET status = 'ACTIVE', activated_at = '2025-12-30'
         WHERE id = (SELECT min(id) FROM config_versions WHERE status = 'DRAFT');""")
    r = result(env, "C4.one_active_per_workspace")
    assert (r.status, r.target, r.actual) == ("FAIL", 4, 3)
    (f,) = r.findings
    assert f["active"] == 2 and f["kind"] == "several ACTIVE" and f["workspace"]


def test_one_active_per_workspace_warns_on_none(scratch):
    env = scratch.make("fixed", """
        UPDATE config_versions SET status = 'ARCHIVED'
         WHERE id = (SELECT min(id) FROM config_versions WHERE status = 'ACTIVE');""")
    r = result(env, "C4.one_active_per_workspace")
    assert r.status == "WARN"
    assert r.findings[0]["active"] == 0


def test_isolation_fails_on_a_cross_workspace_reference(scratch):
    # The FK is satisfied (the department exists) but it belongs to another workspace.
    env = scratch.make("fixed", """
        UPDATE master_positions SET department_id = (
               SELECT d.id FROM master_departments d
                WHERE d.workspace_id <> master_positions.workspace_id LIMIT 1)
         WHERE id = (SELECT min(id) FROM master_positions);""")
    r = result(env, "C5.isolation")
    assert (r.status, r.actual) == ("FAIL", 1)
    (f,) = r.findings
    assert (f["table"], f["column"], f["references"], f["rows"]) == ("master_positions", "department_id", "master_departments.id", 1)


def test_runtime_fails_on_running_work_on_a_draft(scratch):
    env = scratch.make("fixed", """
        UPDATE workflow_instances i SET config_version_id = d.id
          FROM config_versions d
         WHERE d.workspace_id = i.workspace_id AND d.status = 'DRAFT'
           AND i.id = (SELECT min(id) FROM workflow_instances WHERE status = 'RUNNING');""")
    r = result(env, "C6.runtime")
    assert (r.status, r.actual) == ("FAIL", 1)
    assert r.findings[0]["status"] == "RUNNING" and r.findings[0]["version"] == 3


class _Health(http.server.BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802
        self.send_response(200 if self.path == "/ok" else 503)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def health_server():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Health)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_health_passes_and_fails(fixed_env, health_server):
    ok = run_review(replace(fixed_env, health_url=f"{health_server}/ok"), "apms", only=["C6.health"]).check("C6.health")
    down = run_review(replace(fixed_env, health_url=f"{health_server}/down"), "apms", only=["C6.health"]).check("C6.health")
    assert (ok.status, ok.actual) == ("PASS", 200)
    assert (down.status, down.actual) == ("FAIL", 503)
    assert run_review(fixed_env, "apms", only=["C6.health"]).check("C6.health").status == "SKIP"


# ---------------------------------------------------------------- design coverage (never a false all-clear)


def test_design_fails_on_an_empty_database(scratch):
    r = result(scratch.make(), "C1.design", profile="none")
    assert (r.status, r.actual) == ("FAIL", 0)
    assert "nothing to verify" in r.detail


def test_design_fails_when_none_of_the_designs_tables_exist(scratch):
    env = scratch.make(sql_text="CREATE TABLE invoices (id integer PRIMARY KEY)")
    r = result(env, "C1.design", profile="apms")
    assert (r.status, r.actual) == ("FAIL", 0)
    assert "none of the 20 tables the design expects exist" in r.detail


def test_design_is_info_without_a_design(scratch):
    env = scratch.make(sql_text="CREATE TABLE invoices (id integer PRIMARY KEY)")
    r = result(env, "C1.design", profile="none")
    assert r.status == "INFO" and r.detail.startswith("no design: discovery only")


def test_reference_columns_warn_without_a_design_and_name_each_column(scratch):
    env = scratch.make(sql_text="""
        CREATE TABLE customers (id integer PRIMARY KEY);
        CREATE TABLE orders (id integer PRIMARY KEY, customer_id integer, "stripeChargeId" text, paid boolean,
                             owner_id integer, owner_type text);""")
    r = result(env, "C1.reference_columns", profile="none")
    assert r.status == "WARN"
    assert [(f["table"], f["column"], f["problem"]) for f in r.findings] == [("orders", "stripeChargeId", "no table of that name")]
    assert "1 polymorphic" in r.detail  # owner_id beside owner_type is explained, not unresolved

