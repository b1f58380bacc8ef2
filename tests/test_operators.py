"""The operator gate as plain functions: modes, identities, and who may press a button that writes."""

from __future__ import annotations

import pytest

from apms_ops.connections import Environment
from apms_ops.errors import ConfigError
from apms_ops.operators import (
    DEMO_ONLY, DEMO_USER, OIDC, PASSCODE, PASSCODE_ENV, Identity, OperatorSettings, check_passcode, login_identity,
    may_run_invariants, may_write, operator_mode, operator_settings, passcode_identity, viewer,
)

AUTH = {"redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "s3cret-cookie",
        "client_id": "apms-ops", "client_secret": "x", "server_metadata_url": "https://idp.example/.well-known/openid-configuration"}

DEMO = Environment("demo-staging", "postgresql://postgres@127.0.0.1:5432/apms_staging", source="demo", allow_invariants=True)
STAGING = Environment("staging", "postgresql://ops:pw@db.example:5432/apms", source="secrets")
PRODUCTION = Environment("production", "postgresql://ops:pw@db.example:5432/apms", source="secrets", protected=True)
PRODUCTION_OPT_IN = Environment("production", "postgresql://ops:pw@db.example:5432/apms", source="secrets",
                                protected=True, allow_invariants=True)


@pytest.mark.parametrize("secrets, environ, mode", [
    ({}, {}, DEMO_ONLY),
    ({"apms_ops": {"operator_passcode": "correct horse"}}, {}, PASSCODE),
    ({}, {PASSCODE_ENV: "battery staple"}, PASSCODE),
    ({"auth": AUTH}, {}, OIDC),
    ({"auth": AUTH, "apms_ops": {"operator_passcode": "correct horse"}}, {}, OIDC),  # OIDC wins over a passcode
    ({"auth": {"redirect_uri": "http://x/oauth2callback", "cookie_secret": "c", "google": {"client_id": "g"}}}, {}, OIDC),
    ({"apms_ops": {"operators": ["alice@example.com"]}}, {}, DEMO_ONLY),  # an allowlist without [auth] signs nobody in
])
def test_operator_mode(secrets, environ, mode):
    assert operator_mode(operator_settings(secrets, environ)) == mode


def test_settings_read_providers_allowlist_and_passcode_source():
    s = operator_settings({"auth": {**AUTH, "microsoft": {"client_id": "m"}},
                           "apms_ops": {"operators": [" Alice@Example.com ", "bob@example.com", ""]}}, {})
    assert s.providers == (None, "microsoft")
    assert s.operators == ("alice@example.com", "bob@example.com")
    env_wins = operator_settings({"apms_ops": {"operator_passcode": "from-secrets"}}, {PASSCODE_ENV: "from-env"})
    assert env_wins.passcode == "from-env" and env_wins.passcode_source == "environment"
    assert operator_settings({"apms_ops": {"operator_passcode": "from-secrets"}}, {}).passcode_source == "secrets"
    assert "from-env" not in repr(env_wins)  # the passcode never shows in a repr or a log line


@pytest.mark.parametrize("secrets, message", [
    ({"apms_ops": {"operators": "alice@example.com"}}, "must be a list of e-mails"),
    ({"apms_ops": {"operators": [1, 2]}}, "must be a list of e-mails"),
    ({"apms_ops": {"operator_passcode": ""}}, "non-empty string"),
    ({"apms_ops": {"operator_passcode": 1234}}, "non-empty string"),
    ({"apms_ops": "yes"}, "[apms_ops] must be a table"),
    ({"auth": "yes"}, "[auth] must be a table"),
])
def test_bad_settings_are_one_line_errors(secrets, message):
    with pytest.raises(ConfigError) as err:
        operator_settings(secrets, {})
    assert message in str(err.value) and "\n" not in str(err.value)


@pytest.mark.parametrize("email, operator", [
    ("alice@example.com", True),
    ("ALICE@example.COM", True),
    ("mallory@example.com", False),
    ("", False),
    (None, False),
])
def test_login_identity(email, operator):
    settings = operator_settings({"auth": AUTH, "apms_ops": {"operators": ["alice@example.com"]}}, {})
    identity = login_identity(settings, email, "Alice")
    assert identity.operator is operator and identity.method == "oidc" and identity.mode == OIDC
    if email:
        assert identity.name == email


@pytest.mark.parametrize("attempt, ok", [
    ("correct horse", True),
    ("correct horse ", False),
    ("Correct horse", False),
    ("", False),
    (None, False),
    ("héllo", False),  # non-ASCII input is compared, not an error
])
def test_check_passcode(attempt, ok):
    assert check_passcode(OperatorSettings(passcode="correct horse"), attempt) is ok


def test_check_passcode_without_a_passcode_is_always_false():
    assert check_passcode(OperatorSettings(), "") is False
    assert check_passcode(OperatorSettings(), "anything") is False


def test_passcode_identity():
    settings = operator_settings({"apms_ops": {"operator_passcode": "correct horse"}}, {})
    alice = passcode_identity(settings, "  Alice   Nguyen ", "correct horse")
    assert alice == Identity(name="Alice Nguyen", operator=True, method="passcode", mode=PASSCODE,
                             passcode_fingerprint=settings.passcode_fingerprint)
    assert "correct horse" not in repr(alice) and alice.passcode_fingerprint != "correct horse"
    with pytest.raises(ConfigError, match="wrong passcode"):
        passcode_identity(settings, "Alice", "wrong")
    with pytest.raises(ConfigError, match="give your name"):
        passcode_identity(settings, "  ", "correct horse")
    oidc = operator_settings({"auth": AUTH, "apms_ops": {"operator_passcode": "correct horse"}}, {})
    with pytest.raises(ConfigError, match="only when"):
        passcode_identity(oidc, "Alice", "correct horse")  # with [auth], the passcode is not a way in


OIDC_SETTINGS = operator_settings({"auth": AUTH, "apms_ops": {"operators": ["alice@example.com"]}}, {})
PASSCODE_SETTINGS = operator_settings({"apms_ops": {"operator_passcode": "correct horse"}}, {})
DEMO_SETTINGS = operator_settings({}, {})
ALICE = login_identity(OIDC_SETTINGS, "alice@example.com")
MALLORY = login_identity(OIDC_SETTINGS, "mallory@example.com")
BOB = passcode_identity(PASSCODE_SETTINGS, "Bob", "correct horse")


@pytest.mark.parametrize("env, identity, allowed, run_by, reason", [
    (STAGING, ALICE, True, "alice@example.com", "operator"),
    (STAGING, MALLORY, False, None, "not on the operator list"),
    (STAGING, viewer(OIDC_SETTINGS), False, None, "sign in"),
    (STAGING, BOB, True, "Bob", "operator"),
    (STAGING, viewer(PASSCODE_SETTINGS), False, None, "passcode"),
    (STAGING, viewer(DEMO_SETTINGS), False, None, "only the embedded demo"),
    (DEMO, viewer(DEMO_SETTINGS), True, DEMO_USER, "demo"),
    (DEMO, viewer(PASSCODE_SETTINGS), True, DEMO_USER, "demo"),
    (DEMO, MALLORY, True, "mallory@example.com", "demo"),  # signed in: recorded under the e-mail
    (DEMO, ALICE, True, "alice@example.com", "operator"),
])
def test_may_write(env, identity, allowed, run_by, reason):
    decision = may_write(env, identity)
    assert (decision.allowed, decision.run_by) == (allowed, run_by)
    assert reason in decision.reason


@pytest.mark.parametrize("env, identity, allowed", [
    (PRODUCTION, ALICE, False),  # protected: not even operators
    (PRODUCTION, BOB, False),
    (PRODUCTION_OPT_IN, ALICE, True),
    (PRODUCTION_OPT_IN, MALLORY, False),
    (STAGING, ALICE, True),
    (DEMO, viewer(DEMO_SETTINGS), True),
])
def test_may_run_invariants(env, identity, allowed):
    decision = may_run_invariants(env, identity)
    assert decision.allowed is allowed
    if env is PRODUCTION:
        assert "protected" in decision.reason and "allow_invariants = true" in decision.reason


def test_settings_from_the_secrets_file(tmp_path, monkeypatch):
    path = tmp_path / "secrets.toml"
    path.write_text('[apms_ops]\noperators = ["alice@example.com"]\noperator_passcode = "correct horse"\n')
    monkeypatch.setenv("APMS_OPS_SECRETS", str(path))
    monkeypatch.delenv(PASSCODE_ENV, raising=False)
    settings = operator_settings()
    assert operator_mode(settings) == PASSCODE and settings.operators == ("alice@example.com",)
    monkeypatch.setenv(PASSCODE_ENV, "other")
    assert check_passcode(operator_settings(), "other")
