"""Configuration values are typed: a bad value is one line naming the file, the table and the key, never "internal error".

The break this guards: ``allow_invariants = "false"`` (a string) was truthy, so
invariant tests ran on a protected environment.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from conftest import ROOT

GOOD = 'url = "postgresql://postgres@127.0.0.1:5432/postgres"\n'


def cli(*args, secrets=None, **extra):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "APMS_OPS_SECRETS")}
    env.update(APMS_OPS_SECRETS=str(secrets) if secrets else "/nonexistent/secrets.toml", PYTHONPATH=str(ROOT), **extra)
    return subprocess.run([sys.executable, "-m", "apms_ops", *args], capture_output=True, text=True, cwd=ROOT, env=env,
                          timeout=120, stdin=subprocess.DEVNULL)


def one_line(proc) -> str:
    assert proc.returncode == 2, proc.stdout + proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in proc.stderr, proc.stderr
    assert "internal error" not in lines[0]
    return lines[0]


def test_a_quoted_false_never_allows_invariant_tests_on_a_protected_environment(tmp_path, staging_url):
    from test_invariants import content_checksums

    secrets = tmp_path / "secrets.toml"
    secrets.write_text(f'[connections.prod]\nurl = "{staging_url}"\nprotected = true\nallow_invariants = "false"\n')
    before = content_checksums(staging_url)
    line = one_line(cli("invariants", "--env", "prod", secrets=secrets))
    assert str(secrets) in line and "[connections.prod]" in line and "'allow_invariants'" in line
    assert "must be true or false" in line and "the string 'false'" in line
    assert content_checksums(staging_url) == before


@pytest.mark.parametrize("setting,key,words", [
    ('port = "abc"\nhost = "h"\ndatabase = "d"', "port", "must be a port number"),
    ("port = 70000\nhost = \"h\"\ndatabase = \"d\"", "port", "must be a port number"),
    ('connect_timeout = "abc"', "connect_timeout", "must be a number of seconds"),
    ("connect_timeout = 1e400", "connect_timeout", "must be a number of seconds"),
    ("statement_timeout = 1e400", "statement_timeout", "must be a duration"),
    ("lock_timeout = -5", "lock_timeout", "must be a duration"),
    ("protected = 1", "protected", "must be true or false"),
    ('schema = ["public"]', "schema", "must be a string"),
    ('password = 1234\nhost = "h"\ndatabase = "d"', "password", "must be a string"),
])
def test_bad_values_name_file_table_and_key(tmp_path, setting, key, words):
    secrets = tmp_path / "secrets.toml"
    url = "" if "host" in setting else GOOD
    secrets.write_text(f"[connections.x]\n{url}{setting}\n")
    line = one_line(cli("check", "--env", "x", secrets=secrets))
    assert str(secrets) in line and "[connections.x]" in line and f"'{key}'" in line and words in line, line


def test_deeply_nested_and_non_utf8_secrets_name_the_file(tmp_path):
    nested = tmp_path / "nested.toml"
    nested.write_text("a = " + "[" * 5000 + "]" * 5000 + "\n")
    line = one_line(cli("check", "--env", "x", secrets=nested))
    assert str(nested) in line and "nested too deeply" in line
    latin = tmp_path / "latin1.toml"
    latin.write_bytes('[connections.x]\nurl = "postgresql://u:caf\xe9@h/d"\n'.encode("latin-1"))
    line = one_line(cli("check", "--env", "x", secrets=latin))
    assert str(latin) in line and "not UTF-8" in line


def test_deeply_nested_and_non_utf8_profiles_name_the_file(tmp_path, staging_url):
    nested = tmp_path / "nested.toml"
    nested.write_text("[profile]\nname = 'x'\ndeep = " + "{a = " * 3000 + "1" + "}" * 3000 + "\n")
    line = one_line(cli("check", "--dsn", staging_url, "--profile", str(nested)))
    assert str(nested) in line and "nested too deeply" in line
    latin = tmp_path / "latin1.toml"
    latin.write_bytes("[profile]\nname = 'caf\xe9'\n".encode("latin-1"))
    line = one_line(cli("check", "--dsn", staging_url, "--profile", str(latin)))
    assert str(latin) in line and "not UTF-8" in line


def test_yes_no_environment_variables_are_strict(staging_url):
    line = one_line(cli("invariants", **{"DATABASE_URL": staging_url, "APMS_OPS_PROTECTED": "true", "APMS_OPS_ALLOW_INVARIANTS": "flase"}))
    assert "APMS_OPS_ALLOW_INVARIANTS" in line and "'flase'" in line
