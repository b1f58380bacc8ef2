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
with no configuration at all only the demo can be tested; what is accepted there
is accepted for that demo environment only (``acceptance_scope``). On top of
this, invariant tests never run on an environment marked ``protected`` unless its
``[connections.<name>]`` table sets ``allow_invariants = true``
(``may_run_invariants``).

Wrong passcodes are throttled for the whole process (``PASSCODE_THROTTLE``), and
a dashboard sign-in remembers a fingerprint of the passcode it was made with, so
changing the passcode signs every operator out.

The command line asks for the same identity (``cli_identity``): the passcode from
``APMS_OPS_OPERATOR_TOKEN`` or typed at a prompt, or the login name of the OS user
(from the user id, not from ``$USER``) on ``[apms_ops] cli_operators``.

The acceptance policy (``acceptance_policy``) lives under ``[apms_ops]`` too:
``acceptance_max_days`` (default 90) bounds every expiry, and critical findings
(a blocker check's, or a critical foreign key's) are never accepted unless
``accept_critical_findings = true``.

The rules are pure functions over plain values, so they are tested without
Streamlit; ``apms_ops.ui.operators`` draws the sign-in and asks them::

    from apms_ops.operators import current_settings, may_write, passcode_identity
    decision = may_write(env, identity)      # Decision(allowed, reason, run_by)
    if decision.allowed:
        store.accept(..., accepted_by=decision.run_by)
"""

from __future__ import annotations

import hashlib
import hmac
import os
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Callable, Mapping

from apms_ops.connections import DEMO_ENVIRONMENTS, Environment, read_secrets, secrets_origin
from apms_ops.errors import ConfigError

OIDC, PASSCODE, DEMO_ONLY = "oidc", "passcode", "demo-only"
MODES = (OIDC, PASSCODE, DEMO_ONLY)
PASSCODE_ENV = "APMS_OPS_OPERATOR_PASSCODE"
TOKEN_ENV = "APMS_OPS_OPERATOR_TOKEN"  # the passcode, given to a non-interactive command line
DEMO_USER = "demo user"
MAX_NAME = 100
DEFAULT_MAX_ACCEPTANCE_DAYS = 90
# Every command is a new process, so the in-process throttle cannot count a script's guesses: each costs this.
WRONG_CLI_PASSCODE_DELAY_S = 1.0


@dataclass(frozen=True)
class OperatorSettings:
    """What the secrets and the environment say about operators (the passcode is never shown)."""

    auth_configured: bool = False
    providers: tuple[str | None, ...] = ()  # st.login providers: None is the unnamed [auth] provider
    operators: tuple[str, ...] = ()  # allowlisted e-mails, lower-case
    passcode: str | None = field(default=None, repr=False)
    passcode_source: str | None = None  # "environment" | "secrets"
    cli_operators: tuple[str, ...] = ()  # OS login names that are operators on the command line

    @property
    def passcode_fingerprint(self) -> str | None:
        """What a sign-in remembers of the passcode: changing the passcode changes it."""
        return passcode_fingerprint(self.passcode)


@dataclass(frozen=True)
class Identity:
    """Who is at the keyboard, as far as the dashboard knows."""

    name: str  # what the history records
    operator: bool = False
    method: str = "anonymous"  # oidc | passcode | anonymous
    email: str | None = None
    mode: str = DEMO_ONLY
    passcode_fingerprint: str | None = field(default=None, repr=False)  # for passcode sign-ins

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
    cli_operators = settings.get("cli_operators", [])
    if isinstance(cli_operators, str) or not isinstance(cli_operators, (list, tuple)) or not all(isinstance(o, str) for o in cli_operators):
        raise ConfigError('secrets: [apms_ops] cli_operators must be a list of OS login names, like ["alice"]')
    return OperatorSettings(
        auth_configured=bool(auth),
        providers=tuple(providers),
        operators=tuple(sorted({o.strip().lower() for o in operators if o.strip()})),
        passcode=passcode,
        passcode_source=source if passcode else None,
        cli_operators=tuple(sorted({o.strip() for o in cli_operators if o.strip()})),
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


# A random key per process: the fingerprint of a passcode kept in a browser session says
# nothing about the passcode to anyone who reads the session.
_FINGERPRINT_KEY = os.urandom(32)


def passcode_fingerprint(passcode: str | None) -> str | None:
    if not passcode:
        return None
    return hmac.new(_FINGERPRINT_KEY, passcode.encode("utf-8"), hashlib.sha256).hexdigest()


class Throttle:
    """At most ``failures`` wrong passcodes per ``window`` seconds in this process, whoever sends them.

    Past that, every attempt is refused unread until the oldest failure leaves the window:
    guessing stays at a few tries a minute however many browser tabs or threads try.
    """

    def __init__(self, failures: int = 5, window: float = 60.0, clock: Callable[[], float] = time.monotonic):
        self.failures, self.window, self.clock = failures, window, clock
        self._times: list[float] = []
        self._lock = threading.Lock()

    def _recent(self, at: float) -> list[float]:
        self._times = [t for t in self._times if at - t < self.window]
        return self._times

    def wait(self) -> float:
        """Seconds until an attempt is read again (0: now)."""
        with self._lock:
            at = self.clock()
            recent = self._recent(at)
            return 0.0 if len(recent) < self.failures else self.window - (at - recent[0])

    def failed(self) -> None:
        with self._lock:
            self._recent(self.clock()).append(self.clock())

    def reset(self) -> None:
        with self._lock:
            self._times.clear()


PASSCODE_THROTTLE = Throttle()


def check_passcode(settings: OperatorSettings, attempt: str | None, throttle: Throttle | None = None) -> bool:
    """True when ``attempt`` is the passcode (constant-time comparison); throttled, see ``Throttle``."""
    throttle = throttle or PASSCODE_THROTTLE
    if not settings.passcode or attempt is None:
        return False
    wait = throttle.wait()
    if wait > 0:
        raise ConfigError(f"too many wrong passcodes: try again in {max(1, round(wait))} s")
    if hmac.compare_digest(attempt.encode("utf-8"), settings.passcode.encode("utf-8")):
        return True
    throttle.failed()
    return False


def passcode_identity(settings: OperatorSettings, name: str | None, attempt: str | None,
                      throttle: Throttle | None = None) -> Identity:
    """An operator named ``name`` when ``attempt`` is the passcode; raises ``ConfigError`` otherwise."""
    name = " ".join((name or "").split())
    if not name:
        raise ConfigError("give your name: the history records who ran what")
    if operator_mode(settings) != PASSCODE:
        raise ConfigError("operators sign in with a passcode only when one is configured and [auth] is not")
    if not check_passcode(settings, attempt, throttle):
        raise ConfigError("wrong passcode")
    return Identity(name=name[:MAX_NAME], operator=True, method="passcode", mode=PASSCODE,
                    passcode_fingerprint=settings.passcode_fingerprint)


def still_signed_in(settings: OperatorSettings, identity: Identity) -> bool:
    """A passcode sign-in lasts as long as the passcode it was made with."""
    if identity.method != "passcode":
        return True
    return (operator_mode(settings) == PASSCODE and identity.passcode_fingerprint is not None
            and hmac.compare_digest(identity.passcode_fingerprint, settings.passcode_fingerprint or ""))


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


def acceptance_scope(env: Environment, every_environment: bool) -> str | None:
    """The environment an acceptance made from ``env`` is for (None: every environment).

    The embedded demo is open to anyone, so what is accepted there stays there: a demo
    visitor must not clear the findings of a real database that shares the schema.
    """
    if every_environment and env.is_demo:
        raise ConfigError(f"{env.name} is the embedded demo: an acceptance made there is for {env.name} only, "
                          "never for every environment")
    return None if every_environment else env.name


# ---------------------------------------------------------------- the command line's operator


def os_login() -> str:
    """The login name of the process's real user id (``$USER`` and ``$LOGNAME`` are anyone's to set)."""
    import pwd

    try:
        return pwd.getpwuid(os.getuid()).pw_name
    except KeyError:
        return f"uid {os.getuid()}"


def cli_identity(settings: OperatorSettings, environ: Mapping[str, str] | None = None, *,
                 prompt: Callable[[str], str] | None = None, throttle: Throttle | None = None) -> Identity:
    """Who runs the command line, as an operator or not.

    - ``APMS_OPS_OPERATOR_TOKEN`` holding the operator passcode: an operator, named by
      ``APMS_OPS_USER`` or the OS login (as the dashboard records the name given with the passcode);
    - the OS login on ``[apms_ops] cli_operators``: an operator under that login;
    - on a terminal, with a passcode configured: the passcode is asked for;
    - otherwise a viewer.
    A wrong token or passcode is an error (and counts against the throttle), never a viewer.
    """
    environ = os.environ if environ is None else environ
    login = os_login()
    name = " ".join((environ.get("APMS_OPS_USER") or login).split())[:MAX_NAME] or login
    token = environ.get(TOKEN_ENV)
    if token is not None:
        if not settings.passcode:
            raise ConfigError(f"{TOKEN_ENV} is set, but no operator passcode is configured to check it against "
                              f"({PASSCODE_ENV} or [apms_ops] operator_passcode)")
        if not check_passcode(settings, token, throttle):
            time.sleep(WRONG_CLI_PASSCODE_DELAY_S)
            raise ConfigError(f"{TOKEN_ENV}: wrong operator passcode")
        return Identity(name=name, operator=True, method="token", mode=PASSCODE)
    if login in settings.cli_operators:
        return Identity(name=login, operator=True, method="os-user", mode=operator_mode(settings))
    if prompt is not None and settings.passcode:
        if not check_passcode(settings, prompt("operator passcode: "), throttle):
            time.sleep(WRONG_CLI_PASSCODE_DELAY_S)
            raise ConfigError("wrong operator passcode")
        return Identity(name=name, operator=True, method="passcode", mode=PASSCODE)
    return Identity(name=name, operator=False, method="anonymous", mode=operator_mode(settings))


def require_operator(environment: str | None, identity: Identity, action: str) -> str:
    """The name to record for ``action`` on ``environment`` (None: every environment), or a
    ``ConfigError`` saying how to become an operator. The embedded demo is open to anyone."""
    if identity.operator:
        return identity.name
    if environment in DEMO_ENVIRONMENTS:
        return DEMO_USER
    raise ConfigError(f"only an operator may {action}: set {TOKEN_ENV} to the operator passcode, run the command on a "
                      f"terminal to be asked for it, or add your OS login ({os_login()}) to [apms_ops] cli_operators")


def terminal_prompt() -> Callable[[str], str] | None:
    """A hidden passcode prompt when a person is at a terminal, else None (pipelines use the token)."""
    import getpass
    import sys

    return getpass.getpass if sys.stdin is not None and sys.stdin.isatty() else None


# ---------------------------------------------------------------- what may be accepted


@dataclass(frozen=True)
class AcceptancePolicy:
    """How long an acceptance may last, and whether critical findings may be accepted at all."""

    max_days: int = DEFAULT_MAX_ACCEPTANCE_DAYS
    accept_critical: bool = False

    def refusal(self, check_id: str, finding: dict | None, expires: datetime, accepted_at: datetime) -> str | None:
        """Why this acceptance is not allowed, or None."""
        if expires - accepted_at > timedelta(days=self.max_days):
            return (f"expiry {expires:%Y-%m-%d} is more than {self.max_days} days after {accepted_at:%Y-%m-%d}: the acceptance "
                    "policy allows at most that ([apms_ops] acceptance_max_days in the secrets)")
        if not self.accept_critical and is_critical(check_id, finding):
            return (f"{check_id}: critical findings are not accepted (a blocker check, or a critical foreign key); "
                    "fix it, or set [apms_ops] accept_critical_findings = true in the secrets")
        return None


def is_critical(check_id: str, finding: dict | None) -> bool:
    """A finding of a check whose FAIL is NO-GO, of the critical foreign keys, or marked critical."""
    from apms_ops.checks.base import BLOCKER
    from apms_ops.checks.registry import BY_ID

    check = BY_ID.get(check_id)
    return (check is not None and check.severity == BLOCKER) or check_id == "C1.critical_foreign_keys" \
        or (finding or {}).get("critical") is True


def acceptance_policy(secrets: Mapping | None = None) -> AcceptancePolicy:
    """``[apms_ops] acceptance_max_days`` and ``accept_critical_findings`` from the secrets (strict defaults)."""
    where = "secrets" if secrets is not None else secrets_origin("apms_ops")
    secrets = read_secrets() if secrets is None else secrets
    settings = secrets.get("apms_ops") or {}
    if not isinstance(settings, Mapping):
        raise ConfigError("secrets: [apms_ops] must be a table")
    days = settings.get("acceptance_max_days", DEFAULT_MAX_ACCEPTANCE_DAYS)
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= 3650:
        raise ConfigError(f"{where}: [apms_ops] key 'acceptance_max_days': must be a whole number of days from 1 to 3650, not {days!r}")
    critical = settings.get("accept_critical_findings", False)
    if not isinstance(critical, bool):
        raise ConfigError(f"{where}: [apms_ops] key 'accept_critical_findings': must be true or false (a TOML boolean, "
                          f"without quotes), not {critical!r}")
    return AcceptancePolicy(max_days=days, accept_critical=critical)
