"""Nobody bypasses a finding: acceptances and sign-offs are operator actions, bounded by a policy.

The command line asks for the dashboard's identity; the demo accepts only for
itself; an acceptance binds to the database it was made on; the policy bounds
expiries and refuses critical findings unless it allows them; wrong passcodes
are throttled; a passcode change signs operators out.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa
from streamlit.testing.v1 import AppTest

from apms_ops import history as history_module
from apms_ops.connections import Environment
from apms_ops.errors import ConfigError
from apms_ops.history import HistoryStore, run_audit
from apms_ops.operators import (
    PASSCODE_ENV, AcceptancePolicy, Throttle, acceptance_policy, acceptance_scope, check_passcode, operator_settings, os_login,
)
from apms_ops.review import run_review
from conftest import ROOT, SOON

PASSCODE = "correct horse battery"
CHECK = "C1.check_constraints"  # a major check: its findings may be accepted by default


@pytest.fixture
def store(tmp_path):
    s = HistoryStore(f"sqlite:///{tmp_path / 'history.sqlite3'}")
    yield s
    s.engine.dispose()


def cli(*args, history_url: str, secrets: str = "/nonexistent/secrets.toml", **extra):
    env = {k: v for k, v in os.environ.items()
           if k not in ("DATABASE_URL", "APMS_OPS_SECRETS", PASSCODE_ENV, "APMS_OPS_OPERATOR_TOKEN", "APMS_OPS_USER")}
    env.update(APMS_OPS_SECRETS=secrets, APMS_OPS_HISTORY_URL=history_url, PYTHONPATH=str(ROOT), **extra)
    return subprocess.run([sys.executable, "-m", "apms_ops", *args], capture_output=True, text=True, cwd=ROOT, env=env,
                          timeout=120, stdin=subprocess.DEVNULL)


def check_finding(review, check_id: str = CHECK) -> dict:
    return review.check(check_id).findings[0]


# ---------------------------------------------------------------- the command line asks who is there


def test_cli_accept_and_signoff_need_an_operator(staging_url, tmp_path):
    url = f"sqlite:///{tmp_path / 'h.sqlite3'}"
    assert cli("audit", "--env", "staging", "--dsn", staging_url, history_url=url).returncode == 0
    fingerprint = check_finding(HistoryStore(url).get_review(1))["fingerprint"]
    accept = ("accept", fingerprint, "--check", CHECK, "--reason", "next migration", "--expires", SOON, "--env", "staging")

    # Saying who you are is not enough: APMS_OPS_USER is anyone's to set.
    proc = cli(*accept, history_url=url, APMS_OPS_USER="anyone")
    assert proc.returncode == 2 and "only an operator may accept findings" in proc.stderr
    proc = cli("signoff", "--env", "staging", "--decision", "GO", "--migration", "m", "--comment", "c", history_url=url,
               APMS_OPS_USER="anyone")
    assert proc.returncode == 2 and "only an operator may sign off" in proc.stderr
    assert HistoryStore(url).list_acceptances(include_inactive=True) == [] and HistoryStore(url).list_sign_offs() == []

    # A wrong token is an error, not a viewer.
    proc = cli(*accept, history_url=url, **{PASSCODE_ENV: PASSCODE, "APMS_OPS_OPERATOR_TOKEN": "guess"})
    assert proc.returncode == 2 and "wrong operator passcode" in proc.stderr and "guess" not in proc.stderr

    # The operator passcode as a token: accepted, recorded under the name given.
    proc = cli(*accept, history_url=url, APMS_OPS_USER="olga", **{PASSCODE_ENV: PASSCODE, "APMS_OPS_OPERATOR_TOKEN": PASSCODE})
    assert proc.returncode == 0, proc.stderr
    assert "by olga" in proc.stdout
    proc = cli("signoff", "--env", "staging", "--decision", "HOLD", "--migration", "m", "--comment", "c", history_url=url,
               APMS_OPS_USER="olga", **{PASSCODE_ENV: PASSCODE, "APMS_OPS_OPERATOR_TOKEN": PASSCODE})
    assert proc.returncode == 0, proc.stderr
    assert HistoryStore(url).latest_sign_off("staging")["signed_by"] == "olga"


def test_cli_operators_by_os_login_are_recorded_by_login_not_by_what_they_claim(staging_url, tmp_path):
    url = f"sqlite:///{tmp_path / 'h.sqlite3'}"
    secrets = tmp_path / "secrets.toml"
    secrets.write_text(f'[apms_ops]\ncli_operators = ["{os_login()}"]\n')
    assert cli("audit", "--env", "staging", "--dsn", staging_url, history_url=url).returncode == 0
    proc = cli("signoff", "--env", "staging", "--decision", "HOLD", "--migration", "m", "--comment", "c", history_url=url,
               secrets=str(secrets), APMS_OPS_USER="somebody-else", USER="somebody-else", LOGNAME="somebody-else")
    assert proc.returncode == 0, proc.stderr
    assert HistoryStore(url).latest_sign_off("staging")["signed_by"] == os_login()


# ---------------------------------------------------------------- the demo accepts only for itself


def test_the_demo_accepts_for_itself_only(store, staging_env, staging_url):
    demo = Environment("demo-staging", staging_url, source="demo", allow_invariants=True)
    with pytest.raises(ConfigError, match="for demo-staging only"):
        acceptance_scope(demo, every_environment=True)
    assert acceptance_scope(demo, every_environment=False) == "demo-staging"
    review = run_review(staging_env)
    f = check_finding(review)
    with pytest.raises(ConfigError, match="demo environment only"):
        store.accept(f["fingerprint"], CHECK, "why not", SOON, finding=f, accepted_by="demo user")


def test_an_anonymous_demo_acceptance_for_every_environment_never_clears_a_real_database(store, staging_env):
    """The break: a demo visitor accepted staging's findings "for every environment" and a real
    database's gate went HOLD -> GO. Even one already stored (before the rule) is left out."""
    policy = AcceptancePolicy(accept_critical=True)
    review = run_review(staging_env)
    with store.engine.begin() as conn:  # as an older version of the dashboard stored them
        for check_id in ("C1.foreign_keys", "C1.critical_foreign_keys", "C1.check_constraints"):
            for f in review.check(check_id).findings:
                conn.execute(history_module.acceptances.insert().values(
                    fingerprint=f["fingerprint"], check_id=check_id, environment=None, reason="demo click",
                    accepted_by="demo user", accepted_at=datetime.now(timezone.utc),
                    expires_at=datetime.now(timezone.utc) + timedelta(days=30)))
    audited, _ = run_audit(staging_env, store)
    assert audited.verdict == "HOLD"
    assert {i["why"] for i in audited.ignored_acceptances} >= {"made anonymously on the embedded demo for every environment"}
    assert policy.accept_critical  # (the policy would not be the reason here)


# ---------------------------------------------------------------- an acceptance is for one database


def test_an_audit_ignores_acceptances_made_for_another_database(store, scratch):
    a = scratch.make("staging")
    b = scratch.make("staging")
    env_a = Environment("staging", a.url, source="secrets")
    env_b = Environment("staging", b.url, source="secrets")  # the same name, another database
    review_a = run_review(env_a)
    f = check_finding(review_a)
    store.accept(f["fingerprint"], CHECK, "next migration", SOON, environment="staging", finding=f,
                 database_key=review_a.database_key, database=review_a.identity["label"])
    on_a, _ = run_audit(env_a, store)
    on_b, _ = run_audit(env_b, store)
    assert "R10" not in [r.rule for r in on_a.reasons]
    assert "R10" in [r.rule for r in on_b.reasons]
    assert on_b.ignored_acceptances == [] or all("another database" in i["why"] for i in on_b.ignored_acceptances)
    assert not on_b.check(CHECK).findings[0].get("accepted")


# ---------------------------------------------------------------- the policy


def test_the_policy_bounds_the_expiry_and_refuses_critical_findings(store, staging_env, tmp_path, monkeypatch):
    review = run_review(staging_env)
    f = check_finding(review)
    with pytest.raises(ConfigError, match="more than 90 days"):
        store.accept(f["fingerprint"], CHECK, "for ever", "9999-12-31", finding=f)
    critical = next(x for x in review.check("C1.foreign_keys").findings if x.get("critical"))
    with pytest.raises(ConfigError, match="critical findings are not accepted"):
        store.accept(critical["fingerprint"], "C1.foreign_keys", "later", SOON, finding=critical)
    with pytest.raises(ConfigError, match="critical findings are not accepted"):
        store.accept("f" * 16, "C1.orphans", "blocker check", SOON)

    secrets = tmp_path / "secrets.toml"
    secrets.write_text("[apms_ops]\nacceptance_max_days = 400\naccept_critical_findings = true\n")
    monkeypatch.setenv("APMS_OPS_SECRETS", str(secrets))
    assert acceptance_policy() == AcceptancePolicy(max_days=400, accept_critical=True)
    later = (datetime.now(timezone.utc) + timedelta(days=300)).date()
    store.accept(f["fingerprint"], CHECK, "a long one", later, finding=f)
    store.accept(critical["fingerprint"], "C1.foreign_keys", "allowed now", SOON, finding=critical)

    # The policy tightens again: what it no longer allows is left out of the next verdict.
    secrets.write_text("[apms_ops]\nacceptance_max_days = 90\n")
    audited, _ = run_audit(staging_env, store)
    reasons = {i["fingerprint"]: i["why"] for i in audited.ignored_acceptances}
    assert "critical finding" in reasons[critical["fingerprint"]]
    assert audited.verdict == "HOLD"


@pytest.mark.parametrize("line,message", [
    ("acceptance_max_days = \"90\"", "key 'acceptance_max_days': must be a whole number of days"),
    ("acceptance_max_days = 1e400", "key 'acceptance_max_days'"),
    ("accept_critical_findings = \"false\"", "key 'accept_critical_findings': must be true or false"),
])
def test_a_bad_policy_names_its_file_and_key(tmp_path, monkeypatch, line, message):
    secrets = tmp_path / "secrets.toml"
    secrets.write_text(f"[apms_ops]\n{line}\n")
    monkeypatch.setenv("APMS_OPS_SECRETS", str(secrets))
    with pytest.raises(ConfigError, match=message) as exc:
        acceptance_policy()
    assert str(secrets) in str(exc.value)


# ---------------------------------------------------------------- passcodes


def test_wrong_passcodes_are_throttled_whoever_sends_them():
    now = [0.0]
    throttle = Throttle(failures=5, window=60, clock=lambda: now[0])
    settings = operator_settings({"apms_ops": {"operator_passcode": PASSCODE}}, {})
    for _ in range(5):
        assert not check_passcode(settings, "guess", throttle)
    with pytest.raises(ConfigError, match="too many wrong passcodes"):
        check_passcode(settings, PASSCODE, throttle)  # even the right one waits: no oracle while locked
    now[0] += 61
    assert check_passcode(settings, PASSCODE, throttle)


def _page_with_passcode(tmp_path, monkeypatch, staging_url) -> AppTest:
    secrets = tmp_path / "secrets.toml"
    secrets.write_text(f'[connections.staging]\nurl = "{staging_url}"\n')
    monkeypatch.setenv("APMS_OPS_SECRETS", str(secrets))
    monkeypatch.setenv("APMS_OPS_HISTORY_URL", f"sqlite:///{tmp_path / 'h.sqlite3'}")
    monkeypatch.delenv("DATABASE_URL", raising=False)
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120).run()
    at.switch_page("pages/9_audit-history.py").run()
    assert not at.exception
    return at


def _sign_in(at: AppTest, passcode: str) -> AppTest:
    at.text_input(key="history.operator.name").input("Mallory")
    at.text_input(key="history.operator.passcode").input(passcode)
    next(b for b in at.button if b.label == "Sign in as operator").click().run()
    assert not at.exception
    return at


def _is_operator(at: AppTest) -> bool:
    return any("Operator: **" in m.value for m in at.markdown)


def test_the_dashboard_throttles_passcode_guesses(tmp_path, monkeypatch, staging_url):
    monkeypatch.setenv(PASSCODE_ENV, PASSCODE)
    at = _page_with_passcode(tmp_path, monkeypatch, staging_url)
    for _ in range(6):
        _sign_in(at, "guess")
        assert not _is_operator(at)
    _sign_in(at, PASSCODE)
    assert not _is_operator(at)
    assert any("too many wrong passcodes" in str(e.value) for e in at.error)


def test_a_passcode_change_signs_operators_out(tmp_path, monkeypatch, staging_url):
    monkeypatch.setenv(PASSCODE_ENV, PASSCODE)
    at = _page_with_passcode(tmp_path, monkeypatch, staging_url)
    _sign_in(at, PASSCODE)
    assert _is_operator(at)
    at.run()
    assert _is_operator(at)  # the sign-in lasts...
    monkeypatch.setenv(PASSCODE_ENV, "a new passcode after a leak")
    at.run()
    assert not _is_operator(at)  # ...as long as the passcode it was made with
    assert "Sign in as operator" in [b.label for b in at.button]


def test_the_history_page_offers_the_demo_no_every_environment_scope(tmp_path, monkeypatch, staging_url):
    from apms_ops.ui import history as hist

    demo = Environment("demo-fixed", staging_url, source="demo")
    review = run_review(demo)
    f = check_finding(review)
    monkeypatch.setenv("APMS_OPS_HISTORY_URL", f"sqlite:///{tmp_path / 'h.sqlite3'}")
    with pytest.raises(ConfigError, match="demo-fixed only"):
        hist.accept(f["fingerprint"], CHECK, "r", datetime.now(timezone.utc).date() + timedelta(days=5), env=demo,
                    every_environment=True, review=review, finding=f, run_by="demo user")
    acc_id = hist.accept(f["fingerprint"], CHECK, "r", datetime.now(timezone.utc).date() + timedelta(days=5), env=demo,
                         every_environment=False, review=review, finding=f, run_by="demo user")
    stored = HistoryStore(f"sqlite:///{tmp_path / 'h.sqlite3'}").get_acceptance(acc_id)
    assert (stored["environment"], stored["database_key"]) == ("demo-fixed", review.database_key)
    assert json.dumps(stored, default=str)  # a plain row
    with HistoryStore(f"sqlite:///{tmp_path / 'h.sqlite3'}").engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(history_module.acceptances)).scalar() == 1
