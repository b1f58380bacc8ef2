"""The CLI through a real subprocess: exit codes, one-line errors, the JSON contract."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def cli(*args, env_extra=None, cwd=None):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "APMS_OPS_SECRETS")}
    env["APMS_OPS_SECRETS"] = "/nonexistent/secrets.toml"  # no developer's secrets leak into tests
    env["APMS_OPS_HISTORY_URL"] = "sqlite:///" + str(Path(cwd or "/tmp") / "cli-history.sqlite3")
    env["PYTHONPATH"] = str(ROOT)
    env.update(env_extra or {})
    return subprocess.run([sys.executable, "-m", "apms_ops", *args], capture_output=True, text=True, cwd=cwd or ROOT, env=env, timeout=120)


def one_line_error(proc):
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert proc.stdout == ""
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    return lines[0]


def test_check_staging_json_contract(staging_url):
    proc = cli("check", "--dsn", staging_url, "--profile", "apms", "--format", "json")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert set(data) >= {"verdict", "reasons", "environment", "database", "profile", "started_at", "duration_ms", "checks"}
    assert data["verdict"] == "HOLD" and data["profile"] == "apms"
    for check in data["checks"]:
        assert set(check) >= {"id", "group", "title", "severity", "status", "target", "actual", "detail", "findings"}
    fk = next(c for c in data["checks"] if c["id"] == "C1.foreign_keys")
    assert (fk["target"], fk["actual"], len(fk["findings"])) == (46, 1, 45)
    assert {"table", "column", "references", "fingerprint"} <= set(fk["findings"][0])


def test_fail_on_hold_makes_hold_exit_1(staging_url):
    assert cli("check", "--dsn", staging_url, "--fail-on", "hold").returncode == 1


def test_fixed_is_go_exit_0_and_markdown(fixed_url, tmp_path):
    out = tmp_path / "report.md"
    proc = cli("check", "--dsn", fixed_url, "--format", "markdown", "--output", str(out))
    assert proc.returncode == 0 and proc.stdout == ""
    text = out.read_text()
    database = fixed_url.rsplit("/", 1)[1]
    assert text.startswith(f"# Validation report: 127.0.0.1:5432/{database} — GO")
    assert "| Foreign key coverage (`C1.foreign_keys`) | 46 | 46 | **PASS** |" in text


def test_staging_markdown_reads_like_the_report(staging_url):
    text = cli("check", "--dsn", staging_url, "--format", "markdown").stdout
    assert "— HOLD" in text.splitlines()[0]
    assert "| Foreign key coverage (`C1.foreign_keys`) | 46 | 1 | **FAIL** |" in text
    assert "| CHECK constraints (`C1.check_constraints`) | 22 | 21 | **FAIL** |" in text
    assert "## Remediation SQL" in text and text.count("VALIDATE CONSTRAINT") >= 46


def test_no_go_exits_1(scratch):
    env = scratch.make("staging", "INSERT INTO master_roles (id, workspace_id, config_version_id, code, name) "
                                  "SELECT 'o1', workspace_id, 'missing', 'X', 'x' FROM config_versions LIMIT 1")
    proc = cli("check", "--dsn", env.url, "--format", "table")
    assert proc.returncode == 1
    assert proc.stdout.startswith("verdict: NO_GO")


def test_unreachable_database():
    line = one_line_error(cli("check", "--dsn", "postgresql://postgres:s3cretpw@127.0.0.1:1/nowhere"))
    assert "cannot connect to 127.0.0.1:1" in line
    assert "s3cretpw" not in line and "***" in line


def test_wrong_password(password_server):
    line = one_line_error(cli("check", "--dsn", f"postgresql://postgres:wrong-password@127.0.0.1:{password_server}/postgres"))
    assert "password authentication failed" in line
    assert "wrong-password" not in line and "postgres:***@" in line
    ok = cli("check", "--dsn", f"postgresql://postgres:right-password@127.0.0.1:{password_server}/postgres", "--format", "json")
    assert ok.returncode == 0, ok.stderr
    assert "right-password" not in ok.stdout


@pytest.mark.parametrize("content,expected", [
    ("[profile\nname = 'x'", "not valid TOML"),
    ("[profile]\ntitle = 'no name'\n", "key 'profile.name': missing"),
    ("[profile]\nname = 'x'\n[[foreign_keys]]\ntable = 't'\ncolumn = 'c'\nreferences = 'nodot'\n", "key 'foreign_keys[0].references'"),
    ("[profile]\nname = 'x'\n[lifecycle]\ntable = 't'\n", "key 'lifecycle.workspace_column': missing"),
    ("[profile]\nname = 'x'\n[surprise]\n", "key 'surprise': unknown section"),
])
def test_malformed_profile_exits_2_naming_file_and_key(tmp_path, staging_url, content, expected):
    path = tmp_path / "bad.toml"
    path.write_text(content)
    line = one_line_error(cli("check", "--dsn", staging_url, "--profile", str(path)))
    assert str(path) in line and expected in line


def test_unknown_profile_name(staging_url):
    assert "unknown profile 'nope'" in one_line_error(cli("check", "--dsn", staging_url, "--profile", "nope"))


def test_bad_arguments_are_one_line():
    assert "invalid choice" in one_line_error(cli("check", "--format", "yaml"))
    assert "unknown check" in one_line_error(cli("check", "--dsn", "postgresql://x@127.0.0.1/x", "--only", "C9.nothing"))


def test_no_database_configured_says_what_to_do(tmp_path):
    line = one_line_error(cli("check", cwd=tmp_path))
    assert "no database configured" in line and "--dsn" in line


def test_secrets_file_environment(tmp_path, fixed_url):
    secrets = tmp_path / "secrets.toml"
    secrets.write_text(f'[connections.fixed]\nurl = "{fixed_url}"\nstatement_timeout = "10s"\n')
    proc = cli("check", "--env", "fixed", "--format", "json", env_extra={"APMS_OPS_SECRETS": str(secrets)})
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["environment"] == "fixed"
    assert "unknown environment 'nope'" in one_line_error(cli("check", "--env", "nope", env_extra={"APMS_OPS_SECRETS": str(secrets)}))


def test_database_url_environment(fixed_url):
    proc = cli("check", "--format", "json", env_extra={"DATABASE_URL": fixed_url})
    assert proc.returncode == 0 and json.loads(proc.stdout)["environment"] == "database_url"


def test_checks_list_comes_from_the_registry():
    from apms_ops.checks import REGISTRY

    proc = cli("checks", "--list", "--format", "json")
    assert [c["id"] for c in json.loads(proc.stdout)] == [c.id for c in REGISTRY]
    for required in ("C1.extensions", "C1.tables", "C1.foreign_keys", "C1.critical_foreign_keys", "C1.check_constraints",
                     "C1.partial_unique_index", "C1.orphans", "C2.id_types", "C2.reference_types", "C3.lifecycle",
                     "C4.one_active_per_workspace", "C5.isolation", "C6.runtime"):
        assert required in proc.stdout


def test_demo_command_serves_both_demo_databases():
    """`demo` starts the embedded server (as an unprivileged user when run as root) and seeds both states."""
    import shutil
    import tempfile

    root = Path(tempfile.mkdtemp(prefix="apmsops-demo-cli-", dir="/var/tmp"))
    root.chmod(0o755)
    extra = {"APMS_OPS_DEMO_DIR": str(root / "demo")}
    try:
        started = cli("demo", "start", env_extra=extra)
        assert started.returncode == 0, started.stderr
        assert "demo-staging" in started.stdout and "/apms_staging" in started.stdout
        staging = cli("check", "--env", "demo-staging", "--format", "json", env_extra=extra)
        fixed = cli("check", "--env", "demo-fixed", "--format", "json", env_extra=extra)
        assert json.loads(staging.stdout)["verdict"] == "HOLD"
        assert json.loads(fixed.stdout)["verdict"] == "GO"
        assert "running: True" in cli("demo", "status", env_extra=extra).stdout
    finally:
        cli("demo", "stop", env_extra=extra)
        shutil.rmtree(root, ignore_errors=True)
