"""Migration status: a real Prisma migrations folder against a real ``_prisma_migrations`` table."""

from __future__ import annotations

import hashlib
import json

import pytest

from apms_ops.cli import main
from apms_ops.errors import ConfigError
from apms_ops.migrations.folder import read_folder, script_matches_checksum
from apms_ops.migrations.status import migration_status, summary
from apms_ops.review import run_review
from conftest import admin_connection
from prisma_folders import HISTORY_TABLE_DDL, record, sha256_hex, write_folder

SCHEMA = """
CREATE TABLE accounts (id bigint PRIMARY KEY, email text NOT NULL);
INSERT INTO accounts SELECT n, 'a' || n || '@example.com' FROM generate_series(1, 20) AS n;
""" + HISTORY_TABLE_DDL

INIT = 'CREATE TABLE "accounts" ("id" BIGINT NOT NULL, "email" TEXT NOT NULL, CONSTRAINT "accounts_pkey" PRIMARY KEY ("id"));\n'
ADD_NAME = 'ALTER TABLE "accounts" ADD COLUMN "name" TEXT;\n'
ADD_INDEX = 'CREATE INDEX "accounts_email_idx" ON "accounts"("email");\n'


# ---------------------------------------------------------------- checksums, as Prisma compares them


@pytest.mark.parametrize("script,recorded,matches", [
    (b"SELECT 1;\n", sha256_hex(b"SELECT 1;\n"), True),
    (b"SELECT 1;\r\nSELECT 2;\r\n", sha256_hex(b"SELECT 1;\nSELECT 2;\n"), True),     # checked out with CRLF, applied with LF
    (b"SELECT 1;\nSELECT 2;\n", sha256_hex(b"SELECT 1;\r\nSELECT 2;\r\n"), True),     # the other way round
    (b"SELECT 1;\n", sha256_hex(b"SELECT 1;"), False),                                # a trailing newline is an edit
    (b"SELECT 1;\n", sha256_hex(b"SELECT 2;\n"), False),
    (b"SELECT 1;\n", "", False),
    (b"SELECT 1;\n", sha256_hex(b"SELECT 1;\n").upper(), False),                       # Prisma compares the exact string
], ids=["same", "crlf-file", "crlf-recorded", "trailing-newline", "edited", "empty", "uppercase"])
def test_checksum_rules_are_prismas(script, recorded, matches):
    assert script_matches_checksum(script, recorded) is matches


def test_old_unpadded_checksums_still_match():
    # Old Prisma versions wrote each byte as {:x}, dropping leading zeros; find a script whose digest has such a byte.
    script = next(s for s in (f"SELECT {n};\n".encode() for n in range(1000))
                  if any(b < 16 for b in hashlib.sha256(s).digest()))
    old = "".join(f"{b:x}" for b in hashlib.sha256(script).digest())
    assert len(old) < 64
    assert script_matches_checksum(script, old)
    assert not script_matches_checksum(script + b"--", old)


def test_folder_is_read_in_prisma_order_and_bad_folders_say_why(tmp_path):
    root = write_folder(tmp_path / "migrations", {"20260102000000_b": ADD_NAME, "20260101000000_a": INIT})
    (root / "README.md").write_text("not a migration")
    folder = read_folder(root)
    assert folder.names == ["20260101000000_a", "20260102000000_b"]
    assert folder.provider == "postgresql"
    assert folder.get("20260101000000_a").checksum == sha256_hex(INIT)

    with pytest.raises(ConfigError, match="not found"):
        read_folder(tmp_path / "nope")
    (root / "20260103000000_empty").mkdir()
    with pytest.raises(ConfigError, match="20260103000000_empty/migration.sql: cannot read"):
        read_folder(root)
    mysql = write_folder(tmp_path / "mysql", {"20260101000000_a": INIT}, provider="mysql")
    with pytest.raises(ConfigError, match="provider is 'mysql'"):
        read_folder(mysql)


# ---------------------------------------------------------------- every state on a real database


@pytest.fixture
def history(scratch, tmp_path):
    """A database whose history has every case, and the folder beside it.

    - init: applied, file unchanged;
    - add_name: applied, file edited afterwards (checksum drift);
    - add_index: failed, marked rolled back, applied again (two rows: applied);
    - add_phone: failed and not rolled back;
    - add_city: failed and rolled back, not applied again (pending: deploy applies it again);
    - add_zip: in the folder only (pending);
    - hotfix: applied in the database, not in the folder (missing locally).
    """
    env = scratch.make(None, SCHEMA)
    scripts = {
        "20260101000000_init": INIT,
        "20260102000000_add_name": ADD_NAME + "-- edited after it ran\n",
        "20260103000000_add_index": ADD_INDEX,
        "20260105000000_add_phone": 'ALTER TABLE "accounts" ADD COLUMN "phone" TEXT;\n',
        "20260106000000_add_city": 'ALTER TABLE "accounts" ADD COLUMN "city" TEXT;\n',
        "20260107000000_add_zip": 'ALTER TABLE "accounts" ADD COLUMN "zip" TEXT;\n',
    }
    root = write_folder(tmp_path / "prisma" / "migrations", scripts)
    with admin_connection(env.url) as conn:
        record(conn, "20260101000000_init", INIT, started="2026-01-01 10:00:00+00", finished="2026-01-01 10:00:01+00")
        record(conn, "20260102000000_add_name", ADD_NAME, started="2026-01-02 10:00:00+00", finished="2026-01-02 10:00:01+00")
        record(conn, "20260103000000_add_index", ADD_INDEX, started="2026-01-03 10:00:00+00", finished=None,
               rolled_back="2026-01-03 11:00:00+00", logs="lock timeout")
        record(conn, "20260103000000_add_index", ADD_INDEX, started="2026-01-03 12:00:00+00", finished="2026-01-03 12:00:02+00")
        record(conn, "20260104000000_hotfix", "UPDATE accounts SET email = lower(email);\n",
               started="2026-01-04 09:00:00+00", finished="2026-01-04 09:00:01+00")
        record(conn, "20260105000000_add_phone", scripts["20260105000000_add_phone"], started="2026-01-05 10:00:00+00", finished=None,
               logs="column already exists")
        record(conn, "20260106000000_add_city", scripts["20260106000000_add_city"], started="2026-01-06 10:00:00+00", finished=None,
               rolled_back="2026-01-06 10:30:00+00")
    return env, root


def test_every_state_is_named(history):
    env, root = history
    review = run_review(env, "none", migrations_dir=str(root), with_facts=True)
    folder_check = review.check("C1.migrations_folder")
    assert folder_check.status == "FAIL"
    by_state = {}
    for f in folder_check.findings:
        by_state.setdefault(f["state"], []).append(f["migration"])
    assert by_state == {
        "checksum drift": ["20260102000000_add_name"],
        "missing locally": ["20260104000000_hotfix"],
        "pending": ["20260106000000_add_city", "20260107000000_add_zip"],
    }
    assert (folder_check.target, folder_check.actual) == (6, 3)  # init, add_name, add_index
    failed = review.check("C1.migrations")
    assert [f["migration"] for f in failed.findings] == ["20260105000000_add_phone"]
    # Rolled-back attempts are history, named too: one applied again, one not (pending).
    assert "rolled back: 20260103000000_add_index, 20260106000000_add_city" in failed.detail
    assert "rolled back before: 20260103000000_add_index, 20260106000000_add_city" in folder_check.detail

    status = {s["migration"]: s for s in review.facts["migration_status"]}
    assert status["20260103000000_add_index"]["state"] == "applied"
    assert status["20260103000000_add_index"]["rolled_back"] == 1
    assert status["20260103000000_add_index"]["problems"] == []
    assert len(status["20260103000000_add_index"]["attempts"]) == 2
    assert status["20260105000000_add_phone"]["problems"] == ["failed"]
    assert status["20260106000000_add_city"]["problems"] == ["pending"]
    assert status["20260106000000_add_city"]["rolled_back"] == 1
    assert status["20260102000000_add_name"]["file_checksum"] != status["20260102000000_add_name"]["recorded_checksum"]

    rules = {r.rule: r.text for r in review.reasons}
    assert {"R19", "R20", "R21", "R22"} <= set(rules)
    assert "20260105000000_add_phone" in rules["R19"]
    assert "20260106000000_add_city, 20260107000000_add_zip" in rules["R20"]
    assert "20260102000000_add_name" in rules["R21"] and "20260104000000_hotfix" in rules["R22"]
    assert review.verdict == "HOLD"


def test_folder_and_history_that_agree_pass(scratch, tmp_path):
    env = scratch.make(None, SCHEMA)
    root = write_folder(tmp_path / "migrations", {"20260101000000_init": INIT.replace("\n", "\r\n"), "20260102000000_add_name": ADD_NAME})
    with admin_connection(env.url) as conn:
        record(conn, "20260101000000_init", INIT)  # recorded from an LF checkout: Prisma still matches it
        record(conn, "20260102000000_add_name", ADD_NAME, started="2026-01-02 10:00:00+00", finished="2026-01-02 10:00:01+00")
    review = run_review(env, "none", migrations_dir=str(root))
    assert review.check("C1.migrations_folder").status == "PASS"
    assert review.check("C1.migrations").status == "PASS"
    assert review.verdict == "GO", [str(r) for r in review.reasons]


def test_without_a_history_table_every_migration_is_pending(scratch, tmp_path):
    env = scratch.make(None, "CREATE TABLE t (id int PRIMARY KEY)")
    root = write_folder(tmp_path / "migrations", {"20260101000000_init": INIT})
    r = run_review(env, "none", migrations_dir=str(root)).check("C1.migrations_folder")
    assert [(f["migration"], f["state"]) for f in r.findings] == [("20260101000000_init", "pending")]


def test_without_a_folder_the_check_is_skipped(scratch):
    env = scratch.make(None, SCHEMA)
    assert run_review(env, "none").check("C1.migrations_folder").status == "SKIP"


def test_the_profile_names_the_folder_relative_to_itself(history, tmp_path):
    env, root = history
    profile = tmp_path / "prisma" / "app.toml"
    profile.write_text('[profile]\nname = "app"\n\n[migrations]\ndir = "migrations"\n')
    r = run_review(env, str(profile)).check("C1.migrations_folder")
    assert r.status == "FAIL" and len(r.findings) == 4


def test_status_without_rows_or_folder_is_pure():
    assert migration_status(None, []) == []
    statuses = migration_status(None, [{"migration": "m1", "checksum": "x", "started_at": "1", "finished_at": "2", "rolled_back_at": None}])
    assert statuses[0].problems == [] and statuses[0].state == "applied"
    assert summary(statuses)["applied"] == ["m1"]


def test_cli_status_lists_every_migration(history, capsys):
    env, root = history
    code = main(["migrations", "status", "--dsn", env.url, "--migrations-dir", str(root), "--format", "json"])
    out = json.loads(capsys.readouterr().out)
    assert code == 1
    assert out["pending"] == ["20260106000000_add_city", "20260107000000_add_zip"]
    assert out["failed"] == ["20260105000000_add_phone"]
    assert out["checksum_drift"] == ["20260102000000_add_name"]
    assert out["missing_locally"] == ["20260104000000_hotfix"]
    assert out["rolled_back"] == ["20260103000000_add_index", "20260106000000_add_city"]
    assert len(out["migrations"]) == 7

    assert main(["migrations", "status", "--dsn", env.url, "--migrations-dir", str(root), "--format", "table"]) == 1
    table = capsys.readouterr().out
    assert "20260106000000_add_city" in table and "pending" in table


def test_cli_bad_folder_exits_2_with_one_line(history, tmp_path, capsys):
    env, _ = history
    for command in (["check", "--dsn", env.url], ["migrations", "status", "--dsn", env.url]):
        assert main([*command, "--migrations-dir", str(tmp_path / "missing")]) == 2
        err = capsys.readouterr().err.strip()
        assert len(err.splitlines()) == 1 and "migrations folder not found" in err
