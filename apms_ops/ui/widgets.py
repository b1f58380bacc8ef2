"""Widgets every page uses: the verdict, colored status tables, error panels,
downloads and empty states. Rendering only: the data comes from ``tables``."""

from __future__ import annotations

import html
import json
import re
from datetime import datetime, timezone

import pandas as pd
import sqlalchemy as sa
import streamlit as st

from apms_ops.briefing import as_utc
from apms_ops.connections import Environment, database_error, mask_secrets, secrets_of
from apms_ops.errors import ConfigError, DatabaseError, HistoryError, OpsError, ProfileError
from apms_ops.review import Review
from apms_ops.ui import tables
from apms_ops.ui.tables import Figure

# (background, text) per check status: readable on a projector, not only by hue
# (the status word is always printed too).
STATUS_COLORS = {
    "PASS": ("#d3f3dc", "#0b5d1e"),
    "FAIL": ("#fbd3d3", "#8a1111"),
    "WARN": ("#ffefbf", "#6e4a00"),
    "ERROR": ("#f1d3f4", "#65106a"),
    "INFO": ("#dbe8fb", "#153f78"),
    "SKIP": ("#ececec", "#4a4a4a"),
}
VERDICTS = {
    # verdict: (label, background, text, what it means for the deploy)
    "GO": ("GO", "#11813f", "#ffffff", "No rule fired: the database matches the design. The deploy can go."),
    "HOLD": ("HOLD", "#f4b400", "#1f1a00", "Do not deploy yet: fix or accept each finding below, then refresh."),
    "NO_GO": ("NO-GO", "#c62828", "#ffffff", "Do not deploy: the data or schema breaks the design."),
}


def verdict_label(verdict: str) -> str:
    """``NO-GO`` for ``NO_GO``; ``GO`` and ``HOLD`` as they are."""
    return VERDICTS.get(verdict, (verdict,))[0]


def md_escape(text) -> str:
    """``text`` safe inside Markdown: no accidental emphasis, links or LaTeX from data."""
    return re.sub(r"([\\`*_{}\[\]<>()#+\-!|$~])", r"\\\1", str(text))


def _when(iso: str | None) -> str:
    """A moment written the one way (``tables.moment``) and how long ago it was."""
    try:
        moment = as_utc(iso)
    except ValueError:
        return str(iso)
    if moment is None:
        return "—"
    age = (datetime.now(timezone.utc) - moment).total_seconds()
    ago = "just now" if age < 60 else f"{int(age // 60)} min ago" if age < 3600 else f"{age / 3600:.1f} h ago"
    return f"{tables.moment(moment)} ({ago})"


# ---------------------------------------------------------------- verdict


def verdict_banner(review: Review, *, caveats: int = 0) -> None:
    """The verdict as a banner: the word, what it means, where and when (the reasons sit beside it)."""
    label, bg, fg, meaning = VERDICTS.get(review.verdict, (review.verdict, "#555", "#fff", ""))
    if review.verdict == "GO" and caveats:
        meaning = f"No rule fired — read the {caveats} caveat{'s' if caveats != 1 else ''} before deploying."
    st.markdown(
        f'<div class="apms-verdict" data-verdict="{html.escape(review.verdict)}" role="status" '
        f'style="background:{bg};color:{fg};border-radius:0.6rem;padding:0.8rem 1.2rem;margin-bottom:0.4rem">'
        f'<div class="apms-verdict-word" style="font-size:3rem;font-weight:800;line-height:1.05;letter-spacing:0.02em">{html.escape(label)}</div>'
        f'<div style="font-size:1.02rem;font-weight:600;margin-top:0.3rem">{html.escape(meaning)}</div>'
        f'<div style="font-size:0.85rem;opacity:0.9;margin-top:0.35rem">{html.escape(review.environment)} · profile '
        f'{html.escape(review.profile)} · {len(review.checks)} checks · reviewed {html.escape(_when(review.started_at))}</div>'
        "</div>",
        unsafe_allow_html=True,
    )


def verdict_badge(review: Review, briefing=None) -> None:
    """The verdict, small, for the sidebar of every page, with how many reasons and caveats it has."""
    label, bg, fg, _ = VERDICTS.get(review.verdict, (review.verdict, "#555", "#fff", ""))
    n = len(review.reasons)
    parts = [f"{n} reason{'s' if n != 1 else ''}"]
    if briefing is not None and briefing.warnings:
        k = len(briefing.warnings)
        parts.append(f"{k} caveat{'s' if k != 1 else ''}")
    st.markdown(
        f'<div class="apms-verdict-badge" data-verdict="{html.escape(review.verdict)}" '
        f'style="background:{bg};color:{fg};border-radius:0.4rem;padding:0.4rem 0.8rem;margin:0.3rem 0 0.6rem 0">'
        f'<span style="font-size:1.5rem;font-weight:800">{html.escape(label)}</span>'
        f'<span style="font-size:0.85rem;margin-left:0.6rem">{html.escape(" · ".join(parts))} · profile {html.escape(review.profile)}</span>'
        "</div>",
        unsafe_allow_html=True,
    )


def page_header(title: str, review: Review | None = None, what: str | None = None, *, json_key: str | None = None) -> None:
    """Page title, what it shows, where the data comes from, and the full result as JSON."""
    left, right = st.columns([5, 1], vertical_alignment="bottom")
    left.title(title)
    if review is not None and json_key:
        with right:
            json_download(review, key=json_key)
    if what:
        st.markdown(what)
    if review is not None:
        server = review.server or {}
        version = str(server.get("server_version", "")).split(" ")[0]
        st.caption(
            f"Environment **{md_escape(review.environment)}** · database `{server.get('database', '?')}` · "
            f"PostgreSQL {md_escape(version or '?')} · profile **{md_escape(review.profile)}** · "
            f"reviewed {md_escape(_when(review.started_at))}"
        )
        if review.partial:
            st.warning(f"**{md_escape(review.partial_label.capitalize())}**: the verdict covers only the checks that ran "
                       f"(not run: {md_escape(', '.join(review.not_run))}).")


# ---------------------------------------------------------------- tables and figures


# Words of other state columns (the migration history) that read as a status.
STATUS_ALIASES = {"APPLIED": "PASS", "FAILED": "FAIL", "ROLLED": "WARN"}


def _status_css(value) -> str:
    word = str(value).split(" ", 1)[0].upper()
    colors = STATUS_COLORS.get(STATUS_ALIASES.get(word, word))
    return f"background-color: {colors[0]}; color: {colors[1]}; font-weight: 600" if colors else ""


# Coloring goes through a pandas Styler, which costs about a second per 4,000 rows;
# above this a table stays plain (its rows are already sorted problems first).
STYLED_ROWS = 1000


def styled(df: pd.DataFrame, status_columns=("Status",)):
    """``df`` with its status columns colored (a Styler; the data itself stays plain)."""
    subset = [c for c in status_columns if c in df.columns]
    if not subset or df.empty or len(df) > STYLED_ROWS:
        return df
    return df.style.map(_status_css, subset=subset)


def status_table(df: pd.DataFrame, *, key: str, file_name: str, empty: str = "Nothing to show.",
                 status_columns=("Status",), column_config: dict | None = None, height="auto", empty_is_good: bool = False) -> None:
    """A table with colored statuses and its CSV download, or an empty state (``empty_is_good``: a check passed)."""
    if df is None or df.empty:
        (all_clear if empty_is_good else empty_state)(empty)
        return
    st.dataframe(styled(df, status_columns), hide_index=True, column_config=column_config, height=height, width="stretch",
                 placeholder=tables.DASH)
    csv_download(df, file_name=file_name, key=key)


def check_table(df: pd.DataFrame, *, key: str, file_name: str) -> None:
    """A few checks (Check | Target | Actual | Status | Detail) drawn whole: no cell is cut, whatever its length."""
    if df is None or df.empty:
        empty_state("No check of this group ran.")
        return
    # One figure column ("1 / 46", or a migration's name once) instead of Target and Actual side
    # by side: long names then take one cell, and every cell wraps instead of being cut.
    shown = df.drop(columns=[c for c in ("Id", "Target", "Actual") if c in df.columns])
    st.table(styled(shown.set_index("Check")))
    csv_download(df, file_name=file_name, key=key)


def selectable_table(df: pd.DataFrame, *, key: str, id_column: str, selected: str | None, file_name: str,
                     status_columns=("Status",), column_config: dict | None = None, height="auto",
                     hidden: tuple[str, ...] = ()) -> str | None:
    """A long list as one table where a row can be selected; returns the id of the selected row.

    ``selected`` (from the URL) is selected when the table first shows; the key carries it,
    so a link to another row draws the table afresh with that row selected.
    """
    ids = list(df[id_column])
    default = {"selection": {"rows": [ids.index(selected)]}} if selected in ids else None
    event = st.dataframe(styled(df, status_columns), hide_index=True, width="stretch", height=height, column_config=column_config,
                         column_order=[c for c in df.columns if c not in hidden] if hidden else None,
                         key=f"{key}.{selected or 'none'}", on_select="rerun", selection_mode="single-row",
                         selection_default=default, placeholder=tables.DASH)
    csv_download(df, file_name=file_name, key=f"{key}.csv")
    rows = list(getattr(getattr(event, "selection", None), "rows", None) or [])
    if rows:
        return ids[rows[0]]
    return None


def key_figures(figures: list[Figure]) -> None:
    """Figures at a glance (``1 / 46``), one metric each."""
    for col, fig in zip(st.columns(len(figures)), figures):
        col.metric(fig.label, fig.value, help=fig.help, border=True)
        if fig.status:
            col.markdown(f'<span style="{_status_css(fig.status)};padding:0.1rem 0.5rem;border-radius:0.3rem;'
                         f'font-size:0.8rem">{html.escape(fig.status)}</span>', unsafe_allow_html=True)


def sample_rows(sample: dict | None, what: str) -> None:
    """A bounded sample of rows (from ``state.load_orphan_samples``), or why there is none."""
    if not sample:
        return
    if sample.get("error"):
        needs_panel("Sample unavailable:", sample["error"])
    elif sample.get("rows"):
        st.caption(f"{what} (first {len(sample['rows'])}):")
        st.dataframe(pd.DataFrame(sample["rows"]).map(tables.text), hide_index=True)
    else:
        st.caption("No such rows now: fixed since the review? Refresh to review again.")


def empty_state(text: str) -> None:
    """Nothing to show: a neutral note (no check mark: an empty table is not good news by itself)."""
    st.caption(f":material/info: {text}")


def all_clear(text: str) -> None:
    """A verified absence of problems (the check ran and found none)."""
    st.success(text, icon=":material/check_circle:")


def needs_panel(what: str, why: str | None) -> None:
    """An APMS-specific panel on a database that lacks what it reads."""
    st.info(f"**{what}** {md_escape(why) if why else ''}".strip(), icon=":material/info:")


# ---------------------------------------------------------------- downloads


def csv_bytes(df: pd.DataFrame) -> bytes:
    return df.to_csv(index=False).encode("utf-8")


def review_json(review: Review) -> str:
    """The full result (checks, verdict, reasons and facts) as the CLI's JSON."""
    return json.dumps(review.to_dict(include_facts=True), indent=2, default=str)


def csv_download(df: pd.DataFrame, *, file_name: str, key: str, label: str = "CSV") -> None:
    st.download_button(label, csv_bytes(df), file_name=file_name, mime="text/csv", key=key,
                       icon=":material/download:", on_click="ignore", help=f"Download this table ({len(df)} rows) as {file_name}")


def json_download(review: Review, *, key: str, label: str = "JSON") -> None:
    # Built on click: on a 2,000-table schema the facts are megabytes, not worth building on every run.
    st.download_button(label, lambda: review_json(review), file_name=f"apms-ops-{review.environment}.json",
                       mime="application/json", key=key, icon=":material/download:", on_click="ignore",
                       help="Download the full result (checks, verdict, reasons and facts) as JSON")


def sql_download(text: str, *, file_name: str, key: str, label: str = "Migration (.sql)") -> None:
    st.download_button(label, text.encode("utf-8"), file_name=file_name, mime="application/sql", key=key,
                       icon=":material/download:", on_click="ignore")


# ---------------------------------------------------------------- errors


def safe_message(exc: BaseException, env: Environment | None = None) -> str:
    """One line, password masked, whatever raised it."""
    if isinstance(exc, sa.exc.DBAPIError):
        exc = database_error(exc, env)
    text = str(exc) if isinstance(exc, OpsError) else f"{type(exc).__name__}: {' '.join(str(exc).split())}"
    return mask_secrets(text, *secrets_of(env))


def classify(exc: BaseException) -> tuple[str, str]:
    """(title, what to do) for an error, by SQLSTATE where there is one."""
    sqlstate = getattr(exc, "sqlstate", None) or getattr(getattr(exc, "orig", None), "sqlstate", None) or ""
    text = str(exc).lower()
    if sqlstate in ("28P01", "28000") or "password authentication failed" in text:
        return "Authentication failed", "Check the username and password of this environment in the secrets file or DATABASE_URL."
    if sqlstate == "42501" or "permission denied" in text:
        return ("Permission denied", "The dashboard's role needs CONNECT on the database, USAGE on the schema and SELECT "
                "on its tables (see the README, 'Deploying for a team').")
    if sqlstate == "42P01" or ("relation" in text and "does not exist" in text):
        return "Table missing", "A table the dashboard reads is not there; the schema may have changed since the review: refresh."
    if sqlstate == "3D000":
        return "Database does not exist", "Check the database name of this environment."
    if sqlstate.startswith("08") or "cannot connect" in text or "timeout expired" in text:
        return ("Database unreachable", "Is the server running, and reachable from the dashboard's host and port? "
                "Other environments in the sidebar are not affected.")
    if sqlstate == "57014" or "statement timeout" in text:
        return "Query took too long", "A read hit the environment's statement_timeout; raise it in the secrets file or retry later."
    if isinstance(exc, HistoryError):
        return ("History store unavailable", "The review itself is unaffected. Saved runs, acceptances and sign-offs cannot "
                "be read or written until the store is back; the message says why (and `python -m apms_ops history restore` "
                "brings a backup back).")
    if isinstance(exc, ProfileError):
        return "Profile problem", "Fix the profile file named in the message, or pick another profile in the sidebar."
    if isinstance(exc, ConfigError):
        return ("Configuration problem", "Check .streamlit/secrets.toml ([connections.<name>]) and DATABASE_URL; "
                "with neither, the dashboard uses the embedded demo.")
    if isinstance(exc, DatabaseError):
        return "Database error", "The database refused a read; the message says which."
    return "Unexpected error", "The page could not be drawn. The message names the cause; other pages may still work."


def error_panel(exc: BaseException, env: Environment | None = None, *, retry_key: str | None = None) -> None:
    """An error as a panel: what happened, the one-line cause (masked), what to do. Never a traceback.

    With ``retry_key`` (a remembered connection failure) it offers Retry, which connects again.
    """
    title, hint = classify(exc)
    where = f" ({md_escape(env.name)})" if env is not None else ""
    st.error(f"{md_escape(safe_message(exc, env))}\n\n{hint}", title=f"{title}{where}", icon=":material/error:")
    if retry_key and env is not None:
        retry_button(env, retry_key)


def retry_button(env: Environment, key: str) -> None:
    """Connect again: the failure is remembered for the session so that other clicks do not wait for it."""
    from apms_ops.ui import state

    remembered = state.remembered_failure(env)
    since = f" (failed {_when(remembered['at'])})" if remembered else ""
    st.button("Retry", key=key, icon=":material/refresh:", on_click=state.retry, args=(state.environment_key(env),),
              help=f"Connect to {env.name} again{since}; until then every page shows this failure without waiting for it")


def sidebar_problem(exc: BaseException, env: Environment | None = None) -> None:
    title, _ = classify(exc)
    st.markdown(f":red[**{title}**]")
    st.caption(md_escape(safe_message(exc, env)))


def disabled_environments(broken: dict[str, str]) -> None:
    """Environments whose ``[connections.<name>]`` entry is broken: named, with why."""
    for name, why in broken.items():
        st.warning(f"**{md_escape(name)}** is disabled: {md_escape(why)}", icon=":material/block:")


def connection_panel(env: Environment, status: dict, remembered: dict | None = None) -> None:
    """Server version, database, masked DSN and round-trip time of the chosen environment."""
    with st.container(border=True):
        if status.get("error"):
            st.markdown(":red-badge[:material/cloud_off: Not connected]")
            st.caption(md_escape(status["error"]))
            if remembered:
                retry_button(env, "apms_ops.retry.sidebar")
        else:
            version = str(status.get("server_version", "")).split(" ")[0]
            st.markdown(f":green-badge[:material/check_circle: Connected] PostgreSQL {md_escape(version)}")
            st.caption(f"database `{status.get('database')}` as `{status.get('user_name')}`")
            st.caption(f"round trip {status.get('round_trip_ms')} ms · connect {status.get('connect_ms')} ms")
        st.caption(f"`{env.masked_url}`")
        st.caption(f"source: {md_escape(env.source)} · every read in a READ ONLY transaction")
        if env.is_demo:
            st.caption("The embedded demo PostgreSQL keeps running after the dashboard stops: "
                       "`python -m apms_ops demo stop` stops it.")


def refresh_caption(review: Review | None, refreshed_at: str | None) -> None:
    if review is not None:
        st.caption(f"Last refresh: {md_escape(_when(review.started_at))} · review took {review.duration_ms:.0f} ms")
    elif refreshed_at:
        st.caption(f"Last refresh: {md_escape(_when(refreshed_at))}")
