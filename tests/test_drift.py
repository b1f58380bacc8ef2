"""Drift between two real databases: one difference of each kind, each found with both sides; identical ones match."""

from __future__ import annotations

import json

import pytest

from apms_ops.cli import main
from apms_ops.drift import run_drift
from conftest import admin_connection
from prisma_folders import HISTORY_TABLE_DDL, record, write_folder

BASE = """
CREATE EXTENSION IF NOT EXISTS pgcrypto;
CREATE TABLE accounts (id bigint PRIMARY KEY, email text NOT NULL, plan text DEFAULT 'free', created_at timestamptz DEFAULT now());
CREATE TABLE projects (id bigint PRIMARY KEY, account_id bigint NOT NULL, name text, status text NOT NULL DEFAULT 'open',
                       CONSTRAINT projects_account_id_fkey FOREIGN KEY (account_id) REFERENCES accounts (id) ON DELETE RESTRICT,
                       CONSTRAINT projects_status_check CHECK (status IN ('open', 'closed')));
CREATE UNIQUE INDEX projects_one_open ON projects (account_id) WHERE status = 'open';
CREATE INDEX projects_name_idx ON projects (name);
""" + HISTORY_TABLE_DDL

MIGRATIONS = {
    "20260101000000_init": "CREATE TABLE accounts (id bigint PRIMARY KEY);\n",
    "20260201000000_projects": "CREATE TABLE projects (id bigint PRIMARY KEY, account_id bigint NOT NULL);\n",
    "20260301000000_archive": "ALTER TABLE projects ADD COLUMN archived_at timestamptz;\nCREATE TABLE project_events (id bigint PRIMARY KEY);\n",
}

# One change per kind of object; each applied to the "against" side only.
CHANGES = {
    "table": ("CREATE TABLE project_events (id bigint PRIMARY KEY)", ("project_events", "table", "project_events", "exists")),
    "column": ("ALTER TABLE projects ADD COLUMN archived_at timestamptz", ("projects", "column", "archived_at", "exists")),
    "type": ("ALTER TABLE projects ALTER COLUMN name TYPE varchar(200)", ("projects", "column", "name", "type")),
    "nullability": ("ALTER TABLE projects ALTER COLUMN name SET NOT NULL", ("projects", "column", "name", "nullability")),
    "default": ("ALTER TABLE accounts ALTER COLUMN plan SET DEFAULT 'trial'", ("accounts", "column", "plan", "default")),
    "fk_action": ("ALTER TABLE projects DROP CONSTRAINT projects_account_id_fkey, ADD CONSTRAINT projects_account_id_fkey "
                  "FOREIGN KEY (account_id) REFERENCES accounts (id) ON DELETE CASCADE",
                  ("projects", "constraint", "projects_account_id_fkey", "definition")),
    "check_definition": ("ALTER TABLE projects DROP CONSTRAINT projects_status_check, ADD CONSTRAINT projects_status_check "
                         "CHECK (status IN ('open', 'closed', 'archived'))",
                         ("projects", "constraint", "projects_status_check", "definition")),
    "check_name": ("ALTER TABLE projects RENAME CONSTRAINT projects_status_check TO projects_status_ck",
                   ("projects", "constraint", "projects_status_check / projects_status_ck", "name")),
    "not_valid": ("ALTER TABLE projects DROP CONSTRAINT projects_status_check, ADD CONSTRAINT projects_status_check "
                  "CHECK (status IN ('open', 'closed')) NOT VALID", ("projects", "constraint", "projects_status_check", "validity")),
    "constraint_missing": ("ALTER TABLE projects DROP CONSTRAINT projects_account_id_fkey",
                           ("projects", "constraint", "projects_account_id_fkey", "exists")),
    "index_predicate": ("DROP INDEX projects_one_open; CREATE UNIQUE INDEX projects_one_open ON projects (account_id) "
                        "WHERE status <> 'closed'", ("projects", "index", "projects_one_open", "predicate")),
    "index_uniqueness": ("DROP INDEX projects_name_idx; CREATE UNIQUE INDEX projects_name_idx ON projects (name)",
                         ("projects", "index", "projects_name_idx", "uniqueness")),
    "index_validity": ("UPDATE pg_index SET indisvalid = false WHERE indexrelid = 'projects_name_idx'::regclass",
                       ("projects", "index", "projects_name_idx", "validity")),
    "index_missing": ("DROP INDEX projects_name_idx", ("projects", "index", "projects_name_idx", "exists")),
    # A plain (not unique, not partial) index's definition counts too: drift needs every index's definition.
    "index_definition": ("DROP INDEX projects_name_idx; CREATE INDEX projects_name_idx ON projects (name, status)",
                         ("projects", "index", "projects_name_idx", "definition")),
    "fk_target": ("ALTER TABLE projects DROP CONSTRAINT projects_account_id_fkey, ADD CONSTRAINT projects_account_id_fkey "
                  "FOREIGN KEY (account_id) REFERENCES projects (id) ON DELETE RESTRICT",
                  ("projects", "constraint", "projects_account_id_fkey", "definition")),
    "extension": ("DROP EXTENSION pgcrypto", ("", "extension", "pgcrypto", "exists")),
    "migration": (None, ("", "migration", "20260301000000_archive", "applied")),
}


def _history(conn, names):
    for n, name in enumerate(names):
        record(conn, name, MIGRATIONS[name], started=f"2026-0{n + 1}-01 10:00:00+00", finished=f"2026-0{n + 1}-01 10:00:01+00")


@pytest.fixture
def pair(scratch):
    def make(change_sql: str | None = None, *, migrations_right=("20260101000000_init", "20260201000000_projects")):
        left = scratch.make(None, BASE)
        right = scratch.make(None, BASE + (change_sql + ";" if change_sql else ""))
        with admin_connection(left.url) as a, admin_connection(right.url) as b:
            _history(a, ["20260101000000_init", "20260201000000_projects"])
            _history(b, list(migrations_right))
        return left, right
    return make


def test_identical_databases_match_and_exit_0(pair, capsys):
    left, right = pair()
    drift = run_drift(left, right)
    assert drift.same, [d.to_dict() for d in drift.differences]
    assert main(["drift", "--env", "staging", "--dsn", left.url, "--against", "production", "--against-dsn", right.url]) == 0
    assert "match" in capsys.readouterr().out


@pytest.mark.parametrize("kind", sorted(CHANGES))
def test_each_kind_of_difference_is_found_with_both_sides(pair, kind):
    change, (table, obj, name, aspect) = CHANGES[kind]
    if change is None:
        left, right = pair(migrations_right=tuple(MIGRATIONS))
    else:
        left, right = pair(change)
    drift = run_drift(left, right)
    found = [d for d in drift.differences if (d.table, d.kind, d.name, d.aspect) == (table, obj, name, aspect)]
    assert found, [d.to_dict() for d in drift.differences]
    assert found[0].left != found[0].right
    # Exactly the one change (an FK or CHECK re-added is still one difference).
    assert len(drift.differences) == 1, [d.to_dict() for d in drift.differences]


def test_fk_actions_show_both_definitions(pair):
    change, _ = CHANGES["fk_action"]
    (d,) = run_drift(*pair(change)).differences
    assert "ON DELETE RESTRICT" in d.left and "ON DELETE CASCADE" in d.right


def test_pending_migrations_are_listed_under_the_tables_they_touch(pair, tmp_path, capsys):
    folder = write_folder(tmp_path / "migrations", MIGRATIONS)
    left, right = pair("ALTER TABLE projects ADD COLUMN archived_at timestamptz; CREATE TABLE project_events (id bigint PRIMARY KEY)",
                       migrations_right=tuple(MIGRATIONS))
    code = main(["drift", "--env", "staging", "--dsn", left.url, "--against", "production", "--against-dsn", right.url,
                 "--migrations-dir", str(folder), "--format", "json"])
    out = json.loads(capsys.readouterr().out)
    assert code == 1 and out["same"] is False
    assert out["migrations"]["only_against"] == ["20260301000000_archive"]
    by_table = out["by_table"]
    assert {d["name"] for d in by_table["projects"]} == {"archived_at"}
    assert by_table["projects"][0]["pending"] == ["20260301000000_archive"]
    (pending,) = out["pending"]
    assert [s["tables"] for s in pending["statements"]] == [["projects"], ["project_events"]]

    assert main(["drift", "--env", "staging", "--dsn", left.url, "--against", "production", "--against-dsn", right.url,
                 "--format", "markdown"]) == 1
    text = capsys.readouterr().out
    assert "## projects" in text and "archived_at" in text


def test_drift_cannot_run_exits_2(pair, capsys):
    left, _ = pair()
    assert main(["drift", "--env", "staging", "--dsn", left.url, "--against", "production",
                 "--against-dsn", "postgresql://nobody:secret@127.0.0.1:1/none"]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "secret" not in err
