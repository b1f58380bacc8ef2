"""Sidebar state and cached loaders: which environment, which profile, and the review of it.

Everything slow goes through ``st.cache_data`` (results as JSON-safe dicts, keyed
by ``environment_key``), so switching pages costs no query and the refresh
button is the one place that drops what was read.
"""

from __future__ import annotations

import hashlib
import os
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Callable

import streamlit as st

from apms_ops.connections import (
    DEMO_ENVIRONMENTS, Environment, configured_environments, demo_environment, read_only_session, server_identity,
)
from apms_ops.errors import ConfigError, DatabaseError, OpsError
from apms_ops.profiles import builtin_profiles
from apms_ops.review import Review, run_review, with_acceptances

ENV_KEY = "apms_ops.environment"
PROFILE_KEY = "apms_ops.profile"
REFRESHED_KEY = "apms_ops.refreshed_at"
FAILURES_KEY = "apms_ops.failures"  # review failures of the current run only

# A review is a snapshot for a meeting: five minutes old is fresh enough, and the
# refresh button is there for the moment right after a fix.
REVIEW_TTL_S = int(os.environ.get("APMS_OPS_REVIEW_TTL", "300"))
STATUS_TTL_S = int(os.environ.get("APMS_OPS_STATUS_TTL", "30"))

_refresh_hooks: list[Callable[[], None]] = []


# ---------------------------------------------------------------- environments


@dataclass(frozen=True)
class Choices:
    """The environments the picker offers, and why there are none when it offers none."""

    names: list[str]
    configured: dict[str, Environment] = field(default_factory=dict)
    demo: bool = False
    error: str | None = None


def environment_choices() -> Choices:
    """Configured environments (secrets file, then DATABASE_URL); with none, the embedded demo."""
    try:
        envs = configured_environments()
    except OpsError as exc:
        # A broken secrets file is reported, not papered over with the demo:
        # a team would otherwise review the wrong database without noticing.
        return Choices([], error=str(exc))
    if not envs:
        return Choices(list(DEMO_ENVIRONMENTS), demo=True)
    by_name: dict[str, Environment] = {}
    for env in envs:
        by_name.setdefault(env.name, env)  # the secrets file wins over DATABASE_URL on a name clash
    return Choices(list(by_name), configured=by_name)


@st.cache_resource(ttl=REVIEW_TTL_S, show_spinner="Starting the embedded demo database...")
def _demo_environment(name: str) -> Environment:
    return demo_environment(name)


def selected_name(choices: Choices | None = None) -> str | None:
    choices = choices or environment_choices()
    if not choices.names:
        return None
    name = st.session_state.get(ENV_KEY)
    return name if name in choices.names else choices.names[0]


def current_environment() -> Environment:
    """The environment picked in the sidebar; raises ``OpsError`` when none can be used."""
    choices = environment_choices()
    if choices.error:
        raise ConfigError(choices.error)
    name = selected_name(choices)
    if name is None:
        raise ConfigError("no environment configured")
    if choices.demo:
        return _demo_environment(name)
    return choices.configured[name]


def environment_or_none() -> Environment | None:
    """The current environment, or None where there is none (for masking an error's message)."""
    try:
        return current_environment()
    except Exception:  # noqa: BLE001
        return None


def current_profile() -> str:
    return st.session_state.get(PROFILE_KEY) or "auto"


def environment_key(env: Environment) -> str:
    """A cache key for ``env``: its name and a digest of its URL and settings (never the URL itself)."""
    raw = "|".join(str(x) for x in (env.url, env.schema, env.profile, env.health_url, env.statement_timeout_ms, env.lock_timeout_ms))
    return f"{env.name}:{hashlib.sha256(raw.encode()).hexdigest()[:16]}"


# ---------------------------------------------------------------- cached loaders


@st.cache_data(ttl=REVIEW_TTL_S, max_entries=64, show_spinner="Reviewing the database (read-only)...")
def _review_dict(env_key: str, _env: Environment, profile: str) -> dict:
    return run_review(_env, profile, with_facts=True).to_dict(include_facts=True)


def load_review(env: Environment | None = None, profile: str | None = None) -> Review:
    """The review of ``env`` (default: the sidebar's) with its facts, cached for ``REVIEW_TTL_S``.

    A failure is not cached by Streamlit, so within one run it is remembered
    here: the sidebar and the page then show one failed attempt, not two (a
    host that drops packets costs the connect timeout each time).
    """
    env = env or current_environment()
    profile = profile or current_profile()
    key = (environment_key(env), profile)
    failures = st.session_state.setdefault(FAILURES_KEY, {})
    if key in failures:
        raise failures[key]
    try:
        review = Review.from_dict(_review_dict(key[0], env, profile))
    except Exception as exc:
        failures[key] = exc
        raise
    return with_acceptances(review, _active_acceptances(env.name, review.database_key))


def _active_acceptances(environment: str, database_key: str | None = None) -> dict:
    """Today's acceptances valid for this database (not cached: accepting a finding shows at once);
    none when the store fails."""
    from apms_ops.ui.report import reading

    try:
        return reading(lambda s: s.active_acceptances(environment, database_key=database_key))
    except Exception:  # noqa: BLE001 - the review stands without them; the History page reports the store
        return {}


def review_failure(env: Environment) -> BaseException | None:
    """The error the review of ``env`` failed with in this run, if it did."""
    return st.session_state.get(FAILURES_KEY, {}).get((environment_key(env), current_profile()))


def page_environment() -> Environment:
    """For pages that need no review: the current environment, or an error panel and the end of the page run."""
    from apms_ops.ui import widgets

    try:
        return current_environment()
    except Exception as exc:  # noqa: BLE001 - every failure becomes a panel, never a traceback
        widgets.error_panel(exc, None)
        st.stop()


def page_review() -> Review:
    """For pages: the current review, or an error panel and the end of the page run."""
    from apms_ops.ui import widgets

    env = None
    try:
        env = current_environment()
        return load_review(env)
    except Exception as exc:  # noqa: BLE001 - every failure becomes a panel, never a traceback
        widgets.error_panel(exc, env)
        st.stop()


@st.cache_data(ttl=STATUS_TTL_S, max_entries=64, show_spinner=False)
def _status_dict(env_key: str, _env: Environment) -> dict:
    started = time.perf_counter()
    with read_only_session(_env) as conn:
        connected = time.perf_counter()
        identity = server_identity(conn)
        answered = time.perf_counter()
    return {
        **identity,
        "connect_ms": round((connected - started) * 1000, 1),
        "round_trip_ms": round((answered - connected) * 1000, 2),
        "checked_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
    }


def load_status(env: Environment) -> dict:
    """Server version, database, user, connect and round-trip times of ``env`` (cached briefly)."""
    return _status_dict(environment_key(env), env)


@st.cache_data(ttl=REVIEW_TTL_S, max_entries=64, show_spinner="Reading sample rows (read-only)...")
def _samples_dict(env_key: str, _env: Environment, profile: str, wanted: tuple, limit: int, cross_workspace: bool) -> dict:
    from apms_ops.samples import orphan_samples

    return orphan_samples(_env, list(wanted), profile=profile, limit=limit, cross_workspace=cross_workspace)


def load_orphan_samples(wanted: list[tuple[str, str, str]], limit: int = 20, cross_workspace: bool = False,
                        env: Environment | None = None) -> dict[str, dict]:
    """Sample rows for ``(table, column, target)`` references, keyed by ``samples.sample_label``."""
    env = env or current_environment()
    return _samples_dict(environment_key(env), env, current_profile(), tuple(tuple(w) for w in wanted), int(limit), bool(cross_workspace))


# ---------------------------------------------------------------- refresh


def on_refresh(fn: Callable[[], None]) -> None:
    """Have the refresh button also call ``fn`` (e.g. another page's ``cached.clear``)."""
    if fn not in _refresh_hooks:
        _refresh_hooks.append(fn)


def refresh() -> None:
    """Drop every cached read, so the next run reviews the database again."""
    _review_dict.clear()
    _status_dict.clear()
    _samples_dict.clear()
    _demo_environment.clear()
    for fn in list(_refresh_hooks):
        fn()
    st.session_state[REFRESHED_KEY] = datetime.now(timezone.utc).isoformat(timespec="seconds")


# ---------------------------------------------------------------- the sidebar


def _remember_environment() -> None:
    # Keep the choice in the URL so a link opens the same environment.
    name = st.session_state.get(ENV_KEY)
    if name:
        st.query_params["env"] = name


def render_sidebar() -> None:
    """Environment picker, profile, verdict, connection status and refresh, on every page."""
    from apms_ops.ui import widgets

    sb = st.sidebar
    st.session_state[FAILURES_KEY] = {}  # the router calls this first in every run
    st.session_state.pop("apms_ops.history_failure", None)  # ui.report.HISTORY_FAILURE_KEY: the store is asked afresh
    choices = environment_choices()
    if choices.error:
        with sb:
            widgets.error_panel(ConfigError(choices.error))
        return
    if st.session_state.get(ENV_KEY) not in choices.names:
        wanted = st.query_params.get("env")
        st.session_state[ENV_KEY] = wanted if wanted in choices.names else choices.names[0]
    sb.selectbox("Environment", choices.names, key=ENV_KEY, on_change=_remember_environment,
                 help="From .streamlit/secrets.toml [connections.*] and DATABASE_URL"
                 + ("; none is configured, so the embedded demo is offered." if choices.demo else "."))
    profiles = ["auto", *builtin_profiles(), "none"]
    if st.session_state.get(PROFILE_KEY) not in profiles:
        st.session_state[PROFILE_KEY] = "auto"
    sb.selectbox("Profile", profiles, key=PROFILE_KEY,
                 help="auto: a built-in profile whose tables exist in the database, else discovery only (none).")

    env = review = None
    try:
        env = current_environment()
        review = load_review(env)
    except Exception as exc:  # noqa: BLE001 - the page shows the full panel; the sidebar says it briefly
        with sb:
            widgets.sidebar_problem(exc, env)
    if review is not None:
        with sb:
            widgets.verdict_badge(review)
    if env is not None:
        failure = review_failure(env)
        # The review could not reach the database: asking again for the status would only wait again.
        status = {"error": widgets.safe_message(failure, env)} if isinstance(failure, DatabaseError) else _safe_status(env)
        with sb:
            widgets.connection_panel(env, status)
    # A callback runs before the next script run, so that run already reads afresh.
    sb.button("Refresh", icon=":material/refresh:", help="Read the database again (clears cached results)",
              on_click=refresh, key="apms_ops.refresh", width="stretch")
    with sb:
        widgets.refresh_caption(review, st.session_state.get(REFRESHED_KEY))


def _safe_status(env: Environment) -> dict:
    try:
        return load_status(env)
    except Exception as exc:  # noqa: BLE001
        from apms_ops.ui.widgets import safe_message

        return {"error": safe_message(exc, env)}
