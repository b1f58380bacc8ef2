"""The Drift page's data: two environments compared (cached), as tables of differences with both sides."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from apms_ops.connections import Environment
from apms_ops.ui import state

AGAINST_KEY = "apms_ops.drift.against"


@st.cache_data(ttl=state.REVIEW_TTL_S, max_entries=16, show_spinner="Reading both databases (read-only)...")
def _drift_dict(env_key: str, against_key: str, _env: Environment, _against: Environment, folder: str | None) -> dict:
    from apms_ops.drift import run_drift
    from apms_ops.migrations.folder import read_folder

    return run_drift(_env, _against, folder=read_folder(folder) if folder else None).to_dict()


state.on_refresh(_drift_dict.clear)


def other_environments() -> list[str]:
    current = state.selected_name()
    return [n for n in state.environment_choices().names if n != current]


def drift_or_panel(against: str, folder: str | None) -> dict | None:
    """The drift of the sidebar's environment against ``against``, or an error panel and None."""
    from apms_ops.ui import widgets

    env = None
    try:
        env = state.current_environment()
        other = state.environment_named(against)
        return _drift_dict(state.environment_key(env), state.environment_key(other), env, other, folder)
    except Exception as exc:  # noqa: BLE001 - every failure becomes a panel, never a traceback
        widgets.error_panel(exc, env)
        return None


def _side(value) -> str:
    return "—" if value is None else str(value)


def difference_rows(doc: dict, table: str | None = None) -> pd.DataFrame:
    left, right = doc["environment"], doc["against"]
    rows = [{"Table": d["table"] or "(database)", "Object": d["kind"], "Name": d["name"], "Differs in": d["aspect"],
             left: _side(d["left"]), right: _side(d["right"]), "Pending migrations": ", ".join(d["pending"]) or "—"}
            for d in doc["differences"] if table in (None, d["table"] or "(database)")]
    return pd.DataFrame(rows, columns=["Table", "Object", "Name", "Differs in", left, right, "Pending migrations"])


def pending_rows(doc: dict) -> pd.DataFrame:
    rows = [{"Migration": p["migration"], "Line": s["line"], "Tables": ", ".join(s["tables"]) or "—", "Statement": s["statement"]}
            for p in doc["pending"] for s in p["statements"]]
    rows += [{"Migration": p["migration"], "Line": None, "Tables": "—",
              "Statement": p["error"] or "not in the migrations folder: statements unknown"}
             for p in doc["pending"] if not p["statements"]]
    return pd.DataFrame(rows, columns=["Migration", "Line", "Tables", "Statement"])
