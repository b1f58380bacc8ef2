"""The Migration lint page's data: the pending migrations of a folder, and their lint against the environment."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from apms_ops.connections import Environment
from apms_ops.ui import state

PICK_KEY = "apms_ops.lint.migrations"
SEVERITY_STATUS = {"blocker": "FAIL", "major": "WARN", "minor": "INFO"}


@st.cache_data(ttl=state.REVIEW_TTL_S, max_entries=16, show_spinner="Judging the migrations on the database (read-only)...")
def _lint_dict(env_key: str, _env: Environment, folder: str, names: tuple[str, ...]) -> dict:
    from apms_ops.lint import lint_scripts, scripts_from_folder_migrations
    from apms_ops.migrations.folder import read_folder

    chosen = [m for m in read_folder(folder).migrations if m.name in names]
    return lint_scripts(_env, scripts_from_folder_migrations(chosen)).to_dict()


state.on_refresh(_lint_dict.clear)


def lint_or_panel(folder: str, names: list[str]) -> dict | None:
    from apms_ops.ui import widgets

    env = None
    try:
        env = state.current_environment()
        return _lint_dict(state.environment_key(env), env, folder, tuple(names))
    except Exception as exc:  # noqa: BLE001 - every failure becomes a panel, never a traceback
        widgets.error_panel(exc, env)
        return None


def verdict_strip(doc: dict) -> None:
    """The lint's verdict in the colors of the review's banner, with the counts."""
    import html

    from apms_ops.ui.widgets import VERDICTS

    label, bg, fg, meaning = VERDICTS.get(doc["verdict"], (doc["verdict"], "#555", "#fff", ""))
    st.markdown(f'<div class="apms-lint-verdict" data-verdict="{html.escape(doc["verdict"])}" style="background:{bg};color:{fg};'
                f'border-radius:0.5rem;padding:0.6rem 1.2rem;font-size:1.6rem;font-weight:800">{html.escape(label)} '
                f'<span style="font-size:1rem;font-weight:600">· {len(doc["findings"])} finding(s) in '
                f'{len(doc["statements"])} statement(s)</span></div>', unsafe_allow_html=True)


def pending_names(status: dict) -> list[str]:
    return [m["migration"] for m in status["migrations"] if m["pending"]]


def finding_rows(doc: dict) -> pd.DataFrame:
    rows = [{"Status": SEVERITY_STATUS.get(f["severity"], "INFO"), "Severity": f["severity"], "Rule": f["rule"],
             "Migration": f["migration"], "Line": f["line"], "Finding": f["detail"]} for f in doc["findings"]]
    return pd.DataFrame(rows, columns=["Status", "Severity", "Rule", "Migration", "Line", "Finding"])


def statement_rows(doc: dict) -> pd.DataFrame:
    rows = []
    for s in doc["statements"]:
        lock = max(s["locks"], key=lambda lk: lk["estimated_seconds"] or 0, default=None)
        rows.append({"Migration": s["migration"], "Line": s["line"], "Statement": s["statement"],
                     "Lock": lock["mode"] if lock else "—", "Blocks": lock["blocks"] if lock else "—",
                     "Est. hold (s)": s["estimated_lock_seconds"], "Findings": ", ".join(s["findings"]) or "—",
                     "Notes": "; ".join(s["notes"]) or "—"})
    return pd.DataFrame(rows, columns=["Migration", "Line", "Statement", "Lock", "Blocks", "Est. hold (s)", "Findings", "Notes"])
