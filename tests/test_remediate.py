"""Deployable fixes: folders written as Prisma writes them, applied with psql under a concurrent writer,
and what must stop or be left out (orphans, violated CHECKs, duplicates) stopping or left out."""

from __future__ import annotations

import subprocess
import sys

import pytest

from apms_ops.cli import main
from apms_ops.lint import lint_paths
from pglast.enums import AlterTableType

from apms_ops.migrations.folder import NON_TRANSACTIONAL_MARK, read_folder
from apms_ops.migrations.statements import parse_script
from apms_ops.remediation_plan import build_plan
from apms_ops.review import run_review
from conftest import ROOT, admin_connection
from prisma_folders import HISTORY_TABLE_DDL

sys.path.insert(0, str(ROOT / "benchmarks"))
from remediation_round_trip import apply_folders, round_trip, seed_staging  # noqa: E402


def test_round_trip_on_a_staging_copy_takes_it_to_go_without_failing_a_writer(scratch, tmp_path, capsys):
    env = scratch.make(None, "SELECT 1")
    seed_staging(env.url, extra_rows=20_000)
    assert run_review(env, "apms").verdict == "HOLD"
    result = round_trip(env.url, tmp_path)
    capsys.readouterr()
    assert result["writer_errors"] == 0, result["writer_error_messages"]
    assert result["writer_writes"] > 100
    assert result["verdict_after"] == "GO", result["reasons_after"]
    assert result["steps_not_recorded_as_applied"] == []
    # 45 foreign keys and one CHECK: one step adds them all NOT VALID, then one VALIDATE each.
    assert result["steps"] == 47
    assert [s["blocks_writes"] for s in result["per_step"]].count(True) == 1


def test_generated_folders_are_prisma_folders_and_lint_clean(scratch, tmp_path, capsys):
    env = scratch.make("staging")
    migrations = tmp_path / "prisma" / "migrations"
    migrations.mkdir(parents=True)
    (migrations / "20251229010228_add_master_tables_final_v2").mkdir()
    (migrations / "20251229010228_add_master_tables_final_v2" / "migration.sql").write_text("SELECT 1;\n")
    assert main(["remediate", "--dsn", env.url, "--profile", "apms", "--prisma-migrations", str(migrations)]) == 0
    capsys.readouterr()
    folder = read_folder(migrations)
    generated = folder.names[1:]
    assert len(generated) == 47 and all("_apms_ops_" in n for n in generated)
    assert generated == sorted(generated) and generated[0] > folder.names[0]
    first = folder.get(generated[0]).text
    assert first.count(" NOT VALID;") == 46 and "VALIDATE" not in first
    for name in generated[1:]:
        (validate,) = parse_script(folder.get(name).text)  # alone: no lock timeout, nothing else
        assert validate.node.cmds[0].subtype == AlterTableType.AT_ValidateConstraint
    # The same judge that lints pending migrations finds nothing to hold in them.
    report = lint_paths(env, [str(folder.get(n).path) for n in generated])
    assert report.verdict == "GO", [f.detail for f in report.findings]


def test_orphans_stop_remediate_and_are_named(scratch, tmp_path, capsys):
    env = scratch.make("staging", """
        INSERT INTO master_roles (id, workspace_id, config_version_id, code, name)
        SELECT 'orphan-' || n, workspace_id, 'no-such-version', 'ORPHAN_' || n, 'x'
          FROM config_versions, generate_series(1, 3) AS n WHERE status = 'ACTIVE' LIMIT 3;""")
    migrations = tmp_path / "migrations"
    migrations.mkdir()
    assert main(["remediate", "--dsn", env.url, "--profile", "apms", "--prisma-migrations", str(migrations)]) == 1
    out = capsys.readouterr().out
    assert "master_roles.config_version_id -> config_versions.id: 3 orphaned row(s)" in out
    assert 'SELECT c.* FROM "public"."master_roles" AS c WHERE c."config_version_id" IS NOT NULL AND NOT EXISTS' in out
    assert list(migrations.iterdir()) == []  # nothing written, nothing deleted
    with admin_connection(env.url) as conn:
        assert conn.execute("SELECT count(*) FROM master_roles WHERE id LIKE 'orphan-%'").fetchone()[0] == 3


def test_a_check_existing_rows_violate_is_reported_not_added(scratch, capsys):
    env = scratch.make("staging", "UPDATE config_versions SET activated_at = NULL WHERE status = 'ACTIVE' AND id IN "
                                  "(SELECT id FROM config_versions WHERE status = 'ACTIVE' ORDER BY id LIMIT 2)")
    assert main(["remediate", "--dsn", env.url, "--profile", "apms", "--format", "sql"]) == 1
    captured = capsys.readouterr()
    assert "config_versions_status_activated_at_check" not in captured.out
    assert "left out CHECK (status <> 'ACTIVE' OR activated_at IS NOT NULL) on config_versions: existing rows violate it (2 row(s))" in captured.err
    assert "IS FALSE" in captured.err  # the query that lists them
    assert captured.out.count("NOT VALID;") == 45


def test_a_conflicting_wrong_constraint_is_dropped_first_in_the_same_step(scratch, tmp_path, capsys):
    # A constraint with the design's name that is not the designed one blocks ADD CONSTRAINT unless dropped.
    env = scratch.make("staging", "ALTER TABLE master_roles ADD CONSTRAINT master_roles_workspace_id_fkey CHECK (workspace_id IS NOT NULL)")
    plan = build_plan(env, "apms")
    adds = plan.steps[0].statements
    drop = adds.index('ALTER TABLE "public"."master_roles" DROP CONSTRAINT "master_roles_workspace_id_fkey";')
    assert "FOREIGN KEY" in adds[drop + 1] and '"master_roles_workspace_id_fkey"' in adds[drop + 1]
    migrations = tmp_path / "migrations"
    migrations.mkdir()
    assert main(["remediate", "--dsn", env.url, "--profile", "apms", "--prisma-migrations", str(migrations)]) == 0
    capsys.readouterr()
    apply_folders(env.url, migrations)
    assert run_review(env, "apms").verdict == "GO"


def test_plain_sql_script_is_the_same_steps_and_runs_with_psql(scratch, capsys):
    env = scratch.make("staging")
    assert main(["remediate", "--dsn", env.url, "--profile", "apms", "--format", "sql"]) == 0
    script = capsys.readouterr().out
    assert script.count("-- Step ") == 47 and script.count("BEGIN;") == 47
    done = subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", env.url], input=script, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert run_review(env, "apms").verdict == "GO"


PARTITIONED = """
CREATE TABLE accounts (id bigint PRIMARY KEY, name text NOT NULL);
INSERT INTO accounts SELECT n, 'a' || n FROM generate_series(1, 50) AS n;
CREATE TABLE events (id bigint NOT NULL, account_id bigint NOT NULL, kind text NOT NULL, at date NOT NULL)
    PARTITION BY RANGE (at);
CREATE TABLE events_2025 PARTITION OF events FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
CREATE TABLE events_2026 PARTITION OF events FOR VALUES FROM ('2026-01-01') TO ('2027-01-01')
    PARTITION BY LIST (kind);
CREATE TABLE events_2026_login PARTITION OF events_2026 FOR VALUES IN ('login');
CREATE TABLE events_2026_other PARTITION OF events_2026 DEFAULT;
INSERT INTO events SELECT n, n % 50 + 1, CASE WHEN n % 3 = 0 THEN 'login' ELSE 'click' END, date '2025-06-01' + (n % 400)
  FROM generate_series(1, 3000) AS n;
""" + HISTORY_TABLE_DDL

PARTITIONED_PROFILE = """
[profile]
name = "events"

[tables]
created = ["accounts", "events"]

[[foreign_keys]]
table = "events"
column = "account_id"
references = "accounts.id"

[[partial_unique_indexes]]
name = "events_one_login_per_id"
table = "events"
columns = ["id", "at", "kind"]
predicate = "kind = 'login'"
"""


def test_partitioned_tables_get_the_forms_postgresql_accepts(scratch, tmp_path, capsys):
    env = scratch.make(None, PARTITIONED)
    profile = tmp_path / "events.toml"
    profile.write_text(PARTITIONED_PROFILE)
    plan = build_plan(env, str(profile))
    names = [s.name for s in plan.steps]
    assert names[0] == "add_constraints_not_valid"
    # NOT VALID on each leaf partition (PostgreSQL 15 refuses it on the partitioned parent)...
    assert [s for s in plan.steps[0].statements if "events" in s and "NOT VALID" in s] == [
        f'ALTER TABLE "public"."{leaf}" ADD CONSTRAINT "{leaf}_account_id_fkey" FOREIGN KEY ("account_id") '
        f'REFERENCES "public"."accounts" ("id") NOT VALID;' for leaf in ("events_2025", "events_2026_login", "events_2026_other")]
    assert sum(n.startswith("validate_") for n in names) == 3
    # ...then on the parent, which attaches the validated ones; the index ON ONLY the parent, built per leaf, attached.
    assert "attach_partitioned_foreign_keys" in names
    assert [s.transactional for s in plan.steps if s.name.startswith("index_events_20")] == [False, False, False]
    assert sum("ON ONLY" in st for s in plan.steps for st in s.statements) == 2  # the root and events_2026

    migrations = tmp_path / "migrations"
    migrations.mkdir()
    assert main(["remediate", "--dsn", env.url, "--profile", str(profile), "--prisma-migrations", str(migrations)]) == 0
    capsys.readouterr()
    folder = read_folder(migrations)
    assert all(m.text.startswith(NON_TRANSACTIONAL_MARK) == ("CONCURRENTLY" in m.text) for m in folder.migrations)
    assert lint_paths(env, [str(migrations / m.name) for m in folder.migrations]).verdict == "GO"
    apply_folders(env.url, migrations)
    with admin_connection(env.url) as conn:
        fk = conn.execute("SELECT convalidated FROM pg_constraint WHERE conrelid = 'events'::regclass AND contype = 'f'").fetchone()
        index = conn.execute("SELECT indisvalid FROM pg_index WHERE indexrelid = 'events_one_login_per_id'::regclass").fetchone()
    assert fk == (True,) and index == (True,)
    review = run_review(env, str(profile))
    assert review.check("C1.foreign_keys").status == "PASS" and review.check("C1.partial_unique_index").status == "PASS"


def test_duplicates_leave_the_unique_index_out(scratch, tmp_path):
    env = scratch.make("staging", """
        DROP INDEX config_versions_one_active_per_workspace;
        UPDATE config_versions SET status = 'ACTIVE', activated_at = now()
         WHERE id = (SELECT min(id) FROM config_versions WHERE status = 'DRAFT');""")
    plan = build_plan(env, "apms")
    assert not any(s.name.startswith("index_") for s in plan.steps)
    (left,) = [x for x in plan.left_out if "unique index" in x["what"]]
    assert (left["duplicate_keys"], left["rows"]) == (1, 2)


@pytest.mark.parametrize("argv,message", [
    (["--format", "folders"], "--prisma-migrations DIR is needed"),
    (["--prisma-migrations", "/nonexistent/prisma/migrations"], "not a directory"),
])
def test_bad_arguments_exit_2(scratch, capsys, argv, message):
    env = scratch.make("fixed")
    assert main(["remediate", "--dsn", env.url, "--profile", "apms", *argv]) == 2
    assert message in capsys.readouterr().err


def test_wrong_foreign_key_and_differing_check_are_replaced_in_one_transaction(scratch, tmp_path, capsys):
    env = scratch.make("staging", """
        ALTER TABLE config_versions DROP CONSTRAINT config_versions_workspace_id_fkey,
            ADD CONSTRAINT config_versions_workspace_id_fkey FOREIGN KEY (workspace_id) REFERENCES workspaces (id) ON DELETE CASCADE;
        ALTER TABLE master_priorities DROP CONSTRAINT master_priorities_rank_check,
            ADD CONSTRAINT master_priorities_rank_check CHECK (rank BETWEEN 1 AND 9);""")
    assert run_review(env, "apms").verdict == "NO_GO"  # a critical key that cascades deletes
    plan = build_plan(env, "apms")
    adds = plan.steps[0].statements
    drop = adds.index('ALTER TABLE "public"."config_versions" DROP CONSTRAINT "config_versions_workspace_id_fkey";')
    assert "ON DELETE RESTRICT" in adds[drop + 1] and '"config_versions_workspace_id_fkey"' in adds[drop + 1]
    drop_check = adds.index('ALTER TABLE "public"."master_priorities" DROP CONSTRAINT "master_priorities_rank_check";')
    assert "CHECK (rank BETWEEN 1 AND 5) NOT VALID" in adds[drop_check + 1]
    migrations = tmp_path / "migrations"
    migrations.mkdir()
    assert main(["remediate", "--dsn", env.url, "--profile", "apms", "--prisma-migrations", str(migrations)]) == 0
    capsys.readouterr()
    apply_folders(env.url, migrations)
    review = run_review(env, "apms")
    assert review.verdict == "GO", [str(r) for r in review.reasons]
