"""``audit``, ``report``, ``accept``/``acceptances``, ``signoff`` and ``check --save`` through a real subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tomllib
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from apms_ops.checks import REGISTRY
from apms_ops.history import HistoryStore
from conftest import SOON, admin_connection

ROOT = Path(__file__).resolve().parent.parent
DOWN = "postgresql://postgres:s3cretpw@127.0.0.1:1/nowhere"
PASSCODE = "operator-passcode-for-tests"  # every command here runs as an operator unless a test says otherwise


@pytest.fixture
def history_url(tmp_path):
    return f"sqlite:///{tmp_path / 'history.sqlite3'}"


@pytest.fixture
def cli(history_url, tmp_path):
    def run(*args, user="auditor", env_extra=None):
        env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "APMS_OPS_SECRETS")}
        env.update(APMS_OPS_SECRETS="/nonexistent/secrets.toml", APMS_OPS_HISTORY_URL=history_url, APMS_OPS_USER=user,
                   PYTHONPATH=str(ROOT), APMS_OPS_OPERATOR_PASSCODE=PASSCODE, APMS_OPS_OPERATOR_TOKEN=PASSCODE)
        env.update(env_extra or {})
        return subprocess.run([sys.executable, "-m", "apms_ops", *args], capture_output=True, text=True, cwd=tmp_path,
                              env=env, timeout=120)
    return run


def saved(history_url) -> list[dict]:
    store = HistoryStore(history_url)
    try:
        return store.list_reviews()
    finally:
        store.engine.dispose()


def one_line_error(proc) -> str:
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert proc.stdout == ""
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in proc.stderr, proc.stderr
    return lines[0]


def test_audit_go_exits_0_and_saves_the_run(cli, fixed_url, history_url):
    proc = cli("audit", "--env", "fixed", "--dsn", fixed_url)
    assert proc.returncode == 0, proc.stderr
    first = proc.stdout.splitlines()[0]
    assert first.startswith("fixed: GO — run #1 saved to sqlite:///")
    [run] = saved(history_url)
    assert (run["environment"], run["verdict"], run["source"], run["run_by"]) == ("fixed", "GO", "audit", "auditor")


def test_audit_hold_exits_0_or_1_with_fail_on_hold(cli, staging_url, history_url):
    proc = cli("audit", "--env", "staging", "--dsn", staging_url)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("staging: HOLD — run #1")
    assert "HOLD R9: Foreign keys are missing" in proc.stdout
    proc = cli("audit", "--env", "staging", "--dsn", staging_url, "--fail-on", "hold")
    assert proc.returncode == 1
    assert "since run #1: verdict HOLD -> HOLD" in proc.stdout
    assert [r["verdict"] for r in saved(history_url)] == ["HOLD", "HOLD"]


def test_audit_no_go_with_two_active_versions_in_a_workspace(cli, scratch, history_url):
    env = scratch.make("staging")
    with admin_connection(env.url) as conn:
        conn.execute("DROP INDEX config_versions_one_active_per_workspace")
        conn.execute("UPDATE config_versions SET status = 'ACTIVE', activated_at = now() WHERE id = "
                     "(SELECT id FROM config_versions WHERE status = 'DRAFT' ORDER BY id LIMIT 1)")
    proc = cli("audit", "--env", "broken", "--dsn", env.url)
    assert proc.returncode == 1, proc.stderr
    assert proc.stdout.startswith("broken: NO-GO — run #1")
    assert "NO-GO R6: A workspace has two or more ACTIVE versions" in proc.stdout
    assert "NO-GO R2: The partial unique index is missing: 0 of 1" in proc.stdout
    assert [r["verdict"] for r in saved(history_url)] == ["NO_GO"]


def test_audit_no_go_with_orphans(cli, scratch):
    env = scratch.make("staging", "INSERT INTO master_roles (id, workspace_id, config_version_id, code, name) "
                                  "SELECT 'o1', workspace_id, 'missing', 'X1', 'x' FROM config_versions ORDER BY id LIMIT 1")
    proc = cli("audit", "--env", "orphans", "--dsn", env.url)
    assert proc.returncode == 1
    assert "NO-GO R3: Orphaned rows exist" in proc.stdout


def test_audit_of_a_database_that_is_down_exits_2_in_one_line_and_saves_nothing(cli, history_url):
    line = one_line_error(cli("audit", "--env", "prod", "--dsn", DOWN))
    assert line.startswith("apms-ops: prod (") and "cannot connect to 127.0.0.1:1" in line
    assert "s3cretpw" not in line
    assert saved(history_url) == []


def test_audit_with_a_broken_history_store_still_prints_the_verdict_and_exits_by_it(cli, staging_url):
    proc = cli("audit", "--dsn", staging_url, "--fail-on", "hold",
               env_extra={"APMS_OPS_HISTORY_URL": "postgresql://u:pw9secret@127.0.0.1:1/h"})
    assert proc.returncode == 1  # HOLD with --fail-on hold: the gate's code, not "could not run"
    assert "HOLD — run NOT saved" in proc.stdout.splitlines()[0] and "R9" in proc.stdout
    [line] = proc.stderr.strip().splitlines()
    assert line.startswith("apms-ops: the review was not saved: history store postgresql://u:***@127.0.0.1:1/h")
    assert "pw9secret" not in proc.stdout + proc.stderr


def test_audit_writes_a_report_and_rejects_unknown_checks(cli, staging_url, tmp_path, history_url):
    out = tmp_path / "weekly.xml"
    proc = cli("audit", "--env", "staging", "--dsn", staging_url, "--report", str(out))
    assert proc.returncode == 0, proc.stderr
    assert len(ET.parse(out).getroot().findall("testcase")) == len(REGISTRY)
    assert "unknown check 'C9'" in one_line_error(cli("audit", "--dsn", staging_url, "--only", "C9"))
    assert len(saved(history_url)) == 1


def test_check_save_stores_the_run_and_keeps_stdout_for_the_format(cli, staging_url, history_url):
    proc = cli("check", "--env", "staging", "--dsn", staging_url, "--format", "json", "--save")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["verdict"] == "HOLD"
    assert proc.stderr.startswith("apms-ops: run #1 saved to ")
    [run] = saved(history_url)
    assert (run["source"], run["environment"]) == ("cli", "staging")
    assert cli("check", "--dsn", staging_url, "--format", "json").returncode == 0
    assert len(saved(history_url)) == 1  # without --save nothing is stored


def test_accept_list_revoke_export_import_and_the_verdict_follows(cli, staging_url, tmp_path, history_url):
    assert cli("audit", "--env", "staging", "--dsn", staging_url).returncode == 0
    data = json.loads(cli("check", "--dsn", staging_url, "--format", "json", "--only", "C1.check_constraints").stdout)
    fingerprint = data["checks"][0]["findings"][0]["fingerprint"]

    proc = cli("accept", fingerprint, "--check", "C1.check_constraints", "--reason", "added by the next migration",
               "--expires", SOON, "--env", "staging", user="olga")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("acceptance #1: C1.check_constraints") and "by olga" in proc.stdout
    assert "olga: added by the next migration" in cli("acceptances", "list").stdout

    proc = cli("audit", "--env", "staging", "--dsn", staging_url)
    assert "R10" not in proc.stdout and "1 accepted finding(s) left out of the verdict" in proc.stdout

    export = tmp_path / "acceptances.toml"
    assert cli("acceptances", "export", str(export)).stdout.startswith("exported 1 active acceptance(s)")
    entry = tomllib.loads(export.read_text())["acceptance"][0]
    assert (entry["fingerprint"], entry["check"], entry["environment"], entry["accepted_by"]) == (fingerprint, "C1.check_constraints", "staging", "olga")

    proc = cli("acceptances", "revoke", "1", user="rita")
    assert proc.returncode == 0 and "revoked by rita" in proc.stdout
    assert "R10" in cli("audit", "--env", "staging", "--dsn", staging_url).stdout
    proc = cli("acceptances", "import", str(export))
    assert proc.stdout.strip().endswith("1 added, 0 unchanged, 0 expired (skipped)")
    assert "R10" not in cli("audit", "--env", "staging", "--dsn", staging_url).stdout

    assert "belongs to a finding of C1.check_constraints" in one_line_error(
        cli("accept", fingerprint, "--check", "C1.orphans", "--reason", "r", "--expires", SOON))
    assert "in the past" in one_line_error(cli("accept", fingerprint, "--check", "C1.check_constraints", "--reason", "r", "--expires", "2001-01-01"))
    assert "not a date" in one_line_error(cli("accept", fingerprint, "--check", "C1.check_constraints", "--reason", "r", "--expires", "soon"))
    assert "unknown check" in one_line_error(cli("accept", fingerprint, "--check", "C7.x", "--reason", "r", "--expires", SOON))
    bad = tmp_path / "bad.toml"
    bad.write_text('[[acceptance]]\nfingerprint = "x"\n')
    assert "acceptance 1: missing check" in one_line_error(cli("acceptances", "import", str(bad)))


def test_signoff_and_report_formats(cli, staging_url, tmp_path):
    assert cli("audit", "--env", "staging", "--dsn", staging_url).returncode == 0
    proc = cli("signoff", "--env", "staging", "--decision", "NO-GO", "--migration", "20251229010228_add_master_tables_final_v2",
               "--comment", "wait for the foreign keys", user="quinn")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("sign-off #1: NO-GO for staging") and "rests on says HOLD" in proc.stderr
    assert "must be one of GO, HOLD, NO_GO" in one_line_error(
        cli("signoff", "--env", "staging", "--decision", "maybe", "--migration", "m", "--comment", "c"))

    md = cli("report", "--env", "staging", "--dsn", staging_url, "--format", "markdown")
    assert md.returncode == 0, md.stderr
    assert md.stdout.startswith("# Validation report: staging — HOLD")
    assert "**Sign-off:** **NO-GO** by quinn" in md.stdout and "Changes since run #1" in md.stdout

    out = tmp_path / "report.html"
    assert cli("report", "--env", "staging", "--dsn", staging_url, "--format", "html", "--output", str(out)).stdout == ""
    assert out.read_text().startswith("<!DOCTYPE html>") and "wait for the foreign keys" in out.read_text()
    junit = ET.fromstring(cli("report", "--env", "staging", "--dsn", staging_url, "--format", "junit").stdout)
    assert len(junit.findall("testcase")) == len(REGISTRY) and len(junit.findall("testcase/failure")) == 3
    data = json.loads(cli("report", "--env", "staging", "--dsn", staging_url, "--format", "json").stdout)
    assert data["sign_off"]["signed_by"] == "quinn"

    saved_run = cli("report", "--env", "staging", "--run", "latest", "--format", "markdown")
    assert saved_run.returncode == 0 and saved_run.stdout.startswith("# Validation report: staging — HOLD")
    assert "no saved run for environment 'prod'" in one_line_error(cli("report", "--env", "prod", "--run", "latest"))
    assert "no saved review with id 99" in one_line_error(cli("report", "--run", "99"))


def test_history_list_and_diff(cli, scratch):
    env = scratch.make("staging")
    assert cli("audit", "--env", "copy", "--dsn", env.url).returncode == 0
    with admin_connection(env.url) as conn:
        conn.execute("INSERT INTO master_roles (id, workspace_id, config_version_id, code, name) "
                     "SELECT 'o1', workspace_id, 'missing', 'X1', 'x' FROM config_versions ORDER BY id LIMIT 1")
    assert cli("audit", "--env", "copy", "--dsn", env.url).returncode == 1
    listing = cli("history", "list").stdout.splitlines()
    assert listing[0].startswith("#2") and "NO-GO" in listing[0] and "HOLD" in listing[1]
    diff = cli("history", "diff", "2").stdout
    assert diff.startswith("run #1 -> run #2: verdict HOLD -> NO-GO (worse)")
    assert "worse   C1.orphans: PASS -> FAIL" in diff and "new finding C1.orphans: table: master_roles" in diff
