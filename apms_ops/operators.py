"""Operators and viewers: who may press a button that writes.

Buttons that write (run invariant tests, accept a finding, sign off a deploy)
are for operators; everybody else is a viewer, who sees every result but no
such button. The mode follows from the secrets (``operator_mode``):

``oidc``
    An ``[auth]`` table is configured, so the dashboard signs people in with
    Streamlit's ``st.login`` (OpenID Connect). Operators are the signed-in
    identities whose e-mail (``st.user.email``, compared case-insensitively) is
    on the allowlist ``[apms_ops] operators = ["alice@example.com", ...]``; an
    empty allowlist means nobody is an operator. Runs are recorded under the e-mail.
``passcode``
    No ``[auth]``, but a passcode is set: ``APMS_OPS_OPERATOR_PASSCODE`` in the
    environment (wins) or ``[apms_ops] operator_passcode`` in the secrets.
    Whoever gives a name and the passcode (compared with
    ``hmac.compare_digest``) is an operator for the browser session, recorded
    under that name.
``demo-only``
    Neither is configured: nobody is an operator.

In every mode the embedded demo environments (``demo-staging``, ``demo-fixed``)
are open to anyone, recorded as "demo user" (or as the signed-in e-mail), so
with no configuration at all only the demo can be tested. On top of this,
invariant tests never run on an environment marked ``protected`` unless its
``[connections.<name>]`` table sets ``allow_invariants = true``
(``may_run_invariants``).

The rules are pure functions over plain values, so they are tested without
Streamlit; ``apms_ops.ui.operators`` draws the sign-in and asks them::

    from apms_ops.operators import current_settings, may_write, passcode_identity
    decision = may_write(env, identity)      # Decision(allowed, reason, run_by)
    if decision.allowed:
        store.accept(..., accepted_by=decision.run_by)
"""

from __future__ import annotations

import hmac
import os
from dataclasses import dataclass, field
from typing import Mapping

from apms_ops.connections import Environment, read_secrets
from apms_ops.errors import ConfigError

OIDC, PASSCODE, DEMO_ONLY = "oidc", "passcode", "demo-only"
MODES = (OIDC, PASSCODE, DEMO_ONLY)
PASSCODE_ENV = "APMS_OPS_OPERATOR_PASSCODE"
DEMO_USER = "demo user"
MAX_NAME = 100


@dataclass(frozen=True)
class OperatorSettings:
    """What the secrets and the environment say about operators (the passcode is never shown)."""

    auth_configured: bool = False
    providers: tuple[str | None, ...] = ()  # st.login providers: None is the unnamed [auth] provider
    operators: tuple[str, ...] = ()  # allowlisted e-mails, lower-case
    passcode: str | None = field(default=None, repr=False)
    passcode_source: str | None = None  # "environment" | "secrets"


@dataclass(frozen=True)
class Identity:
    """Who is at the keyboard, as far as the dashboard knows."""

    name: str  # what the history records
    operator: bool = False
    method: str = "anonymous"  # oidc | passcode | anonymous
    email: str | None = None
    mode: str = DEMO_ONLY

    @property
    def signed_in(self) -> bool:
        return self.method in ("oidc", "passcode")


@dataclass(frozen=True)
class Decision:
    """Whether a button that writes may be shown; ``run_by`` is the name to record."""

    allowed: bool
    reason: str
    run_by: str | None = None


def operator_settings(secrets: Mapping | None = None, environ: Mapping[str, str] | None = None) -> OperatorSettings:
    """Operator settings from the secrets (``[auth]``, ``[apms_ops]``) and the environment."""
    secrets = read_secrets() if secrets is None else secrets
    environ = os.environ if environ is None else environ
    auth = secrets.get("auth") or {}
    if not isinstance(auth, Mapping):
        raise ConfigError("secrets: [auth] must be a table")
    providers: list[str | None] = []
    if auth.get("client_id") or auth.get("server_metadata_url"):
        providers.append(None)
    providers += [name for name, value in auth.items() if isinstance(value, Mapping)]
    settings = secrets.get("apms_ops") or {}
    if not isinstance(settings, Mapping):
        raise ConfigError("secrets: [apms_ops] must be a table")
    operators = settings.get("operators", [])
    if isinstance(operators, str) or not isinstance(operators, (list, tuple)) or not all(isinstance(o, str) for o in operators):
        raise ConfigError('secrets: [apms_ops] operators must be a list of e-mails, like ["alice@example.com"]')
    passcode, source = environ.get(PASSCODE_ENV) or None, "environment"
    if passcode is None:
        value = settings.get("operator_passcode")
        if value is not None and (not isinstance(value, str) or not value):
            raise ConfigError("secrets: [apms_ops] operator_passcode must be a non-empty string")
        passcode, source = value, "secrets"
    return OperatorSettings(
        auth_configured=bool(auth),
        providers=tuple(providers),
        operators=tuple(sorted({o.strip().lower() for o in operators if o.strip()})),
        passcode=passcode,
        passcode_source=source if passcode else None,
    )


def current_settings() -> OperatorSettings:
    return operator_settings()


def operator_mode(settings: OperatorSettings) -> str:
    """``oidc`` when ``[auth]`` is configured, else ``passcode`` when one is set, else ``demo-only``."""
    if settings.auth_configured:
        return OIDC
    if settings.passcode:
        return PASSCODE
    return DEMO_ONLY


def viewer(settings: OperatorSettings) -> Identity:
    """Somebody not signed in."""
    return Identity(name="viewer", operator=False, method="anonymous", mode=operator_mode(settings))


def login_identity(settings: OperatorSettings, email: str | None, name: str | None = None) -> Identity:
    """The identity of a signed-in ``st.user``: an operator when the e-mail is on the allowlist."""
    email = (email or "").strip()
    if not email:
        return Identity(name=(name or "signed-in user").strip()[:MAX_NAME], operator=False, method="oidc", mode=OIDC)
    return Identity(name=email[:MAX_NAME], operator=email.lower() in settings.operators, method="oidc", email=email, mode=OIDC)


def check_passcode(settings: OperatorSettings, attempt: str | None) -> bool:
    """True when ``attempt`` is the passcode (constant-time comparison)."""
    if not settings.passcode or attempt is None:
        return False
    return hmac.compare_digest(attempt.encode("utf-8"), settings.passcode.encode("utf-8"))


def passcode_identity(settings: OperatorSettings, name: str | None, attempt: str | None) -> Identity:
    """An operator named ``name`` when ``attempt`` is the passcode; raises ``ConfigError`` otherwise."""
    name = " ".join((name or "").split())
    if not name:
        raise ConfigError("give your name: the history records who ran what")
    if operator_mode(settings) != PASSCODE:
        raise ConfigError("operators sign in with a passcode only when one is configured and [auth] is not")
    if not check_passcode(settings, attempt):
        raise ConfigError("wrong passcode")
    return Identity(name=name[:MAX_NAME], operator=True, method="passcode", mode=PASSCODE)


def may_write(env: Environment, identity: Identity) -> Decision:
    """May ``identity`` press a button that writes for ``env`` (tests, acceptances, sign-offs)?"""
    if identity.operator:
        return Decision(True, f"{identity.name} is an operator", identity.name)
    if env.is_demo:
        who = identity.email or DEMO_USER
        return Decision(True, "the embedded demo is open to everyone", who)
    if identity.mode == OIDC:
        if identity.method != "oidc":
            return Decision(False, "sign in as an operator to use the buttons that write")
        return Decision(False, f"{identity.name} is not on the operator list ([apms_ops] operators)")
    if identity.mode == PASSCODE:
        return Decision(False, "enter the operator passcode to use the buttons that write")
    return Decision(False, "no operators are configured, so only the embedded demo can be tested "
                           "(configure [auth] with [apms_ops] operators, or an operator passcode)")


def may_run_invariants(env: Environment, identity: Identity) -> Decision:
    """``may_write``, and never on a protected environment unless it sets ``allow_invariants = true``."""
    from apms_ops.invariants.runner import refusal

    why = refusal(env)
    if why:
        return Decision(False, why)
    return may_write(env, identity)
