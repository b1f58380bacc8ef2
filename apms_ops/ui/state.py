"""Sidebar state and cached loaders: which environment, which profile, and the review of it.

Everything slow goes through ``st.cache_data`` (results as JSON-safe dicts, keyed
by ``environment_key``), so switching pages costs no query and the refresh
button is the one place that drops what was read.
"""

from __future__ import annotations

import hashlib
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
from apms_ops.ui import links, settings
from apms_ops.ui.settings import REVIEW_TTL_S, STATUS_TTL_S

ENV_KEY = "apms_ops.environment"
PROFILE_KEY = "apms_ops.profile"
REFRESHED_KEY = "apms_ops.refreshed_at"
RUN_FAILURES_KEY = "apms_ops.failures"  # review failures of the current run only
# Connection failures, kept for the browser session until Retry: a database that
# accepts connections but never answers must not cost the connect timeout per click.
FAILURES_KEY = "apms_ops.connection_failures"
REQUESTED_KEY = "apms_ops.requested_environment"  # a link named an environment that is not usable here


_refresh_hooks: list[Callable[[], None]] = []


# ---------------------------------------------------------------- environments


@dataclass(frozen=True)
class Choices:
    """The environments the picker offers, and why there are none when it offers none."""

    names: list[str]
    configured: dict[str, Environment] = field(default_factory=dict)
    demo: bool = False
    error: str | None = None
    broken: dict[str, str] = field(default_factory=dict)  # environment name -> why it is disabled


def environment_choices() -> Choices:
    """Configured environments (secrets file, then DATABASE_URL); with none, the embedded demo.

    A broken ``[connections.<name>]`` entry disables that environment only (``broken``).
    """
    broken: dict[str, str] = {}
    try:
        envs = configured_environments(errors=broken)
    except OpsError as exc:
        # A secrets file that cannot be read is reported, not papered over with the demo:
        # a team would otherwise review the wrong database without noticing.
        return Choices([], error=str(exc))
    if not envs and not broken:
        return Choices(list(DEMO_ENVIRONMENTS), demo=True)
    by_name: dict[str, Environment] = {}
    for env in envs:
        by_name.setdefault(env.name, env)  # the secrets file wins over DATABASE_URL on a name clash
    if not by_name:
        return Choices([], broken=broken, error="every configured environment is disabled: "
                       + "; ".join(broken.values()))
    return Choices(list(by_name), configured=by_name, broken=broken)


@st.cache_resource(ttl=REVIEW_TTL_S, show_spinner="Starting the embedded demo database...")
def _demo_environment(name: str) -> Environment:
    env = demo_environment(name)
    _announce_demo()
    return env


_demo_announced = False


def _announce_demo() -> None:
    """Say once, in the console that runs the dashboard, that the demo server outlives it."""
    global _demo_announced
    if _demo_announced:
        return
    _demo_announced = True
    from apms_ops.demo_server import DemoServer

    print(f"apms-ops: the embedded demo PostgreSQL is running (data in {DemoServer().root}). It keeps running after "
          "the dashboard stops; stop it with: python -m apms_ops demo stop", flush=True)


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
    requested = st.session_state.get(REQUESTED_KEY)
    if requested:
        # Never show another environment in place of the one a link names: its verdict may be the opposite.
        why = f"is disabled: {choices.broken[requested]}" if requested in choices.broken else "is not configured here"
        raise ConfigError(f"the link asks for environment {requested!r}, which {why} "
                          f"(available: {', '.join(choices.names)}); pick one in the sidebar")
    name = selected_name(choices)
    if name is None:
        raise ConfigError("no environment configured")
    if choices.demo:
        return _demo_environment(name)
    return choices.configured[name]


def environment_named(name: str) -> Environment:
    """One of the environments the picker offers, by name (for pages that compare two)."""
    choices = environment_choices()
    if choices.error:
        raise ConfigError(choices.error)
    if name not in choices.names:
        raise ConfigError(f"unknown environment {name!r}")
    return _demo_environment(name) if choices.demo else choices.configured[name]


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
def _review_dict(env_key: str, _env: Environment, profile: str, migrations_dir: str | None = None) -> dict:
    return run_review(_env, profile, with_facts=True, migrations_dir=migrations_dir).to_dict(include_facts=True)


MIGRATIONS_DIR_ENV = "APMS_OPS_MIGRATIONS_DIR"


def deployment_migrations_dir() -> str | None:
    """The app's migrations folder when the deployment names one (``APMS_OPS_MIGRATIONS_DIR``): it joins every review."""
    import os

    return os.environ.get(MIGRATIONS_DIR_ENV) or None


def load_review(env: Environment | None = None, profile: str | None = None) -> Review:
    """The review of ``env`` (default: the sidebar's) with its facts, cached for ``REVIEW_TTL_S``.

    A failure is not cached by Streamlit, so within one run it is remembered
    here: the sidebar and the page then show one failed attempt, not two (a
    host that drops packets costs the connect timeout each time).
    """
    env = env or current_environment()
    profile = profile or current_profile()
    key = (environment_key(env), profile)
    remembered = st.session_state.setdefault(FAILURES_KEY, {})
    failures = st.session_state.setdefault(RUN_FAILURES_KEY, {})
    if key in remembered:
        raise remembered[key]["error"]
    if key in failures:
        raise failures[key]
    try:
        review = Review.from_dict(_review_dict(key[0], env, profile, deployment_migrations_dir()))
    except DatabaseError as exc:
        remembered[key] = {"error": exc, "at": datetime.now(timezone.utc).isoformat(timespec="seconds")}
        raise
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
    """The error the review of ``env`` failed with in this run (or, for a connection failure, this session)."""
    key = (environment_key(env), current_profile())
    remembered = st.session_state.get(FAILURES_KEY, {}).get(key)
    return remembered["error"] if remembered else st.session_state.get(RUN_FAILURES_KEY, {}).get(key)


def remembered_failure(env: Environment | None) -> dict | None:
    """``{"error", "at"}`` when a connection failure of ``env`` is remembered for this session."""
    if env is None:
        return None
    return st.session_state.get(FAILURES_KEY, {}).get((environment_key(env), current_profile()))


def retry(env_key: str) -> None:
    """Forget the remembered failures of one environment, so the next run connects again."""
    failures = st.session_state.get(FAILURES_KEY, {})
    for key in [k for k in failures if k[0] == env_key]:
        failures.pop(key, None)
    _status_dict.clear()


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
        widgets.error_panel(exc, env, retry_key="apms_ops.retry.page" if remembered_failure(env) else None)
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
    st.session_state.pop(FAILURES_KEY, None)
    from apms_ops.ui import overview

    overview.clear()
    for fn in list(_refresh_hooks):
        fn()
    st.session_state[REFRESHED_KEY] = datetime.now(timezone.utc).isoformat(timespec="seconds")


# ---------------------------------------------------------------- the sidebar


def _picked_environment() -> None:
    # A choice made in the sidebar replaces whatever environment a link asked for.
    st.session_state.pop(REQUESTED_KEY, None)


def _initial_choices(choices: Choices, profiles: list[str]) -> None:
    """On a session's first run (or after the configuration changed): environment and profile from the URL."""
    if st.session_state.get(ENV_KEY) not in choices.names:
        wanted = st.query_params.get(links.ENV)
        if wanted and wanted not in choices.names:
            # The picker stays empty: choosing any environment then clears the link's request.
            st.session_state[REQUESTED_KEY] = wanted
            st.session_state[ENV_KEY] = None
        else:
            st.session_state[ENV_KEY] = wanted or choices.names[0]
    if st.session_state.get(PROFILE_KEY) not in profiles:
        wanted = st.query_params.get(links.PROFILE)
        st.session_state[PROFILE_KEY] = wanted if wanted in profiles else "auto"


def render_sidebar() -> None:
    """Environment picker, profile, verdict, connection status and refresh, on every page.

    It also writes the environment and profile into the URL on every run: navigating
    between pages clears the query string, and a link must keep naming the environment.
    """
    from apms_ops.ui import overview, widgets

    sb = st.sidebar
    for problem in settings.PROBLEMS:
        sb.warning(problem, icon=":material/warning:")
    st.session_state[RUN_FAILURES_KEY] = {}  # the router calls this first in every run
    st.session_state.pop("apms_ops.history_failure", None)  # ui.report.HISTORY_FAILURE_KEY: the store is asked afresh
    choices = environment_choices()
    if choices.error:
        with sb:
            widgets.error_panel(ConfigError(choices.error))
        return
    profiles = ["auto", *builtin_profiles(), "none"]
    _initial_choices(choices, profiles)
    sb.selectbox("Environment", choices.names, key=ENV_KEY, on_change=_picked_environment, placeholder="Choose an environment",
                 help="From .streamlit/secrets.toml [connections.*] and DATABASE_URL"
                 + ("; none is configured, so the embedded demo is offered." if choices.demo else "."))
    if choices.broken:
        with sb:
            widgets.disabled_environments(choices.broken)
    sb.selectbox("Profile", profiles, key=PROFILE_KEY,
                 help="auto: a built-in profile whose tables exist in the database, else discovery only (none).")
    if not st.session_state.get(REQUESTED_KEY) and st.session_state.get(ENV_KEY):
        links.keep_in_url(st.session_state[ENV_KEY], current_profile())

    env = review = None
    try:
        env = current_environment()
        review = load_review(env)
    except Exception as exc:  # noqa: BLE001 - the page shows the full panel; the sidebar says it briefly
        with sb:
            widgets.sidebar_problem(exc, env)
    if review is not None:
        with sb:
            widgets.verdict_badge(review, overview.load_briefing(review))
    if env is not None:
        failure = review_failure(env)
        # The review could not reach the database: asking again for the status would only wait again.
        status = {"error": widgets.safe_message(failure, env)} if isinstance(failure, DatabaseError) else _safe_status(env)
        with sb:
            widgets.connection_panel(env, status, remembered_failure(env))
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
