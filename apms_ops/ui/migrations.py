"""The app's migrations folder on the dashboard: where it is, its status against the history, the timeline.

The folder is a path on the dashboard's machine: ``APMS_OPS_MIGRATIONS_DIR``,
else the profile's ``migrations.dir``, else what the reader types (kept for
every page in the session).
"""

from __future__ import annotations

from datetime import datetime, timezone

import altair as alt
import pandas as pd
import streamlit as st

from apms_ops.connections import Environment
from apms_ops.ui import state
from apms_ops.ui.tables import moment

MIGRATIONS_DIR_ENV = state.MIGRATIONS_DIR_ENV
FOLDER_KEY = "apms_ops.migrations_dir"
STATES = ["applied", "failed", "rolled back", "pending"]
STATE_SCALE = alt.Scale(domain=STATES, range=["#2e9e55", "#d64545", "#e0a100", "#4a7fd0"])


def default_folder() -> str:
    if state.deployment_migrations_dir():
        return state.deployment_migrations_dir()
    from apms_ops.profiles import load_profile

    name = state.current_profile()
    try:
        return (load_profile(name).migrations_dir or "") if name not in ("auto", "none") else ""
    except Exception:  # noqa: BLE001 - a broken profile is the review's error panel, not this input's
        return ""


def folder_input() -> str | None:
    """The migrations folder the reader points at (one value for every page), or None."""
    if FOLDER_KEY not in st.session_state:
        st.session_state[FOLDER_KEY] = default_folder()
    value = st.text_input("Migrations folder", key=FOLDER_KEY, placeholder="/path/to/app/prisma/migrations",
                          help="The app's prisma/migrations folder, as a path on the dashboard's machine "
                               f"(default: ${MIGRATIONS_DIR_ENV} or the profile's migrations.dir).")
    return value.strip() or None


@st.cache_data(ttl=state.REVIEW_TTL_S, max_entries=32, show_spinner="Reading the migration history (read-only)...")
def _status_dict(env_key: str, _env: Environment, folder: str | None) -> dict:
    from apms_ops.migrations.folder import read_folder
    from apms_ops.migrations.status import load_status, summary

    statuses, has_table = load_status(_env, read_folder(folder) if folder else None, schema=_env.schema or "public")
    return {"folder": folder, "has_history_table": has_table, "summary": summary(statuses),
            "migrations": [s.to_dict() for s in statuses], "read_at": datetime.now(timezone.utc).isoformat()}


state.on_refresh(_status_dict.clear)


def load_status(env: Environment, folder: str | None) -> dict:
    """Every migration of ``folder`` and of the history with its state (cached like the review)."""
    return _status_dict(state.environment_key(env), env, folder)


def status_or_panel(folder: str) -> dict | None:
    """The status for the current environment, or an error panel (a wrong path, an unreachable database) and None."""
    from apms_ops.ui import widgets

    try:
        return load_status(state.current_environment(), folder)
    except Exception as exc:  # noqa: BLE001 - every failure becomes a panel, never a traceback
        widgets.error_panel(exc, state.environment_or_none())
        return None


def status_rows(doc: dict) -> pd.DataFrame:
    rows = [{"Migration": m["migration"], "State": m["state"], "Problems": ", ".join(m["problems"]) or "—",
             "Attempts": len(m["attempts"]), "Last started": moment(m["attempts"][-1]["started_at"]) if m["attempts"] else "—",
             "Note": m["note"] or "—"} for m in reversed(doc["migrations"])]
    return pd.DataFrame(rows, columns=["Migration", "State", "Problems", "Attempts", "Last started", "Note"])


def timeline_rows(doc: dict) -> pd.DataFrame:
    """One point per attempt (started, and how it ended), and one per pending migration at the time of reading."""
    rows = []
    for m in doc["migrations"]:
        for a in m["attempts"]:
            ended = a.get("rolled_back_at") or a.get("finished_at")
            rows.append({"Migration": m["migration"], "When": a["started_at"], "State": a["state"],
                         "Ended": moment(ended), "Problems": ", ".join(m["problems"]) or "—"})
        if m["pending"]:
            rows.append({"Migration": m["migration"], "When": doc["read_at"], "State": "pending", "Ended": "not applied",
                         "Problems": ", ".join(m["problems"])})
    df = pd.DataFrame(rows, columns=["Migration", "When", "State", "Ended", "Problems"])
    df["When"] = pd.to_datetime(df["When"], utc=True, errors="coerce")
    return df


def timeline_chart(df: pd.DataFrame, order: list[str]) -> alt.Chart:
    """Migrations top to bottom in the order they apply; each attempt where it started, colored by how it ended."""
    return (
        alt.Chart(df)
        .mark_point(filled=True, size=110)
        .encode(
            x=alt.X("When:T", title=None, axis=alt.Axis(format="%Y-%m-%d", labelAngle=0)),
            y=alt.Y("Migration:N", sort=order, title=None, axis=alt.Axis(labelLimit=360)),
            color=alt.Color("State:N", scale=STATE_SCALE, legend=alt.Legend(orient="top", title=None)),
            shape=alt.Shape("State:N", scale=alt.Scale(domain=STATES, range=["circle", "cross", "triangle-down", "diamond"]), legend=None),
            tooltip=["Migration", "State", alt.Tooltip("When:T", format="%Y-%m-%d %H:%M:%S"), "Ended", "Problems"],
        )
        .properties(height=alt.Step(26))
    )
