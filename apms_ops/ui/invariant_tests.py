"""What the Invariant tests page shows and does: the run buttons, the step log of the
latest run, and the history of runs. The page itself only lays these out.

Runs go through ``apms_ops.invariants.run_invariants`` (one rolled-back
transaction per test, recorded in the history store ``apms_ops.ui.report.store()``
opens); the latest runs per environment are kept in the session, and, for
someone who has not run anything yet, read back from the history.
"""

from __future__ import annotations


import pandas as pd
import streamlit as st

from apms_ops.connections import Environment
from apms_ops.history import default_history_url
from apms_ops.invariants import ERROR, FAIL, NOT_ENFORCED, PASS, REGISTRY, SKIP, InvariantRun, run_invariants
from apms_ops.ui.report import store
from apms_ops.ui.settings import HISTORY_TTL_S
from apms_ops.ui.tables import moment

LATEST_KEY = "apms_ops.invariants.latest"

# (background, text) per outcome; NOT_ENFORCED reads as a warning: the rule holds only in application code.
OUTCOME_COLORS = {
    PASS: ("#d3f3dc", "#0b5d1e"),
    FAIL: ("#fbd3d3", "#8a1111"),
    NOT_ENFORCED: ("#ffefbf", "#6e4a00"),
    ERROR: ("#f1d3f4", "#65106a"),
    SKIP: ("#ececec", "#4a4a4a"),
}
OUTCOME_BADGES = {PASS: "green", FAIL: "red", NOT_ENFORCED: "orange", ERROR: "violet", SKIP: "gray"}
TITLES = {inv.name: inv.title for inv in REGISTRY}
SHORT_LABELS = {"freeze_by_reference": "Freeze", "one_active_per_workspace": "One ACTIVE", "lifecycle": "Lifecycle",
                "isolation": "Isolation", "referential": "Referential"}
# NOT_ENFORCED must read whole: the outcome column is sized for it, the long texts share the rest.
OUTCOME_COLUMN = st.column_config.TextColumn(width=120)
STEP_COLUMNS = {"Step": st.column_config.TextColumn(width="large"), "Outcome": OUTCOME_COLUMN,
                "ms": st.column_config.NumberColumn(width=60, format="%.1f"), "Detail": st.column_config.TextColumn(width="large")}
RUN_COLUMNS = {"When": st.column_config.TextColumn(width=150), "Outcome": OUTCOME_COLUMN,
               "ms": st.column_config.NumberColumn(width=60, format="%.1f"), "Detail": st.column_config.TextColumn(width="large")}


def _css(value) -> str:
    colors = OUTCOME_COLORS.get(str(value))
    return f"background-color: {colors[0]}; color: {colors[1]}; font-weight: 600" if colors else ""


def styled(df: pd.DataFrame, columns=("Outcome",)):
    """``df`` with its outcomes colored and milliseconds to one decimal (a Styler; the data stays plain)."""
    subset = [c for c in columns if c in df.columns]
    if not subset or df.empty:
        return df
    return df.style.map(_css, subset=subset).format({"ms": "{:.1f}"} if "ms" in df.columns else {})


def button_label(name: str) -> str:
    """A short label for a test's button (the full title is its tooltip)."""
    return SHORT_LABELS.get(name, TITLES.get(name, name))


def badge(outcome: str) -> str:
    return f":{OUTCOME_BADGES.get(outcome, 'gray')}-badge[{outcome}]"


# ---------------------------------------------------------------- tables (pure)


def steps_frame(steps: list[dict]) -> pd.DataFrame:
    """One row per step: what was done, its outcome, timing and SQLSTATE."""
    return pd.DataFrame([{
        "Step": s.get("name", ""),
        "Outcome": s.get("outcome", ""),
        "ms": round(float(s.get("duration_ms") or 0), 1),
        "SQLSTATE": s.get("sqlstate") or "",
        "Detail": s.get("detail") or "",
    } for s in steps], columns=["Step", "Outcome", "ms", "SQLSTATE", "Detail"])


def runs_frame(rows: list[dict]) -> pd.DataFrame:
    """One row per recorded run, newest first."""
    return pd.DataFrame([{
        "When": moment(r.get("started_at")),
        "Environment": r.get("environment", ""),
        "Test": r.get("test", ""),
        "Outcome": r.get("outcome", ""),
        "ms": round(float(r.get("duration_ms") or 0), 1),
        "Run by": r.get("run_by", ""),
        "Detail": r.get("detail", ""),
        "Tag": r.get("tag", ""),
        "Database": r.get("database", ""),
    } for r in rows], columns=["When", "Environment", "Test", "Outcome", "ms", "Run by", "Detail", "Tag", "Database"])


# ---------------------------------------------------------------- reads (cached) and runs


@st.cache_data(ttl=HISTORY_TTL_S, show_spinner=False)
def _history(url: str, environment: str | None, test: str | None, limit: int) -> list[dict]:
    return store().list_invariant_runs(environment=environment, test=test, limit=limit)


def history(environment: str | None = None, test: str | None = None, limit: int = 500) -> list[dict]:
    """Recorded runs, newest first (cached briefly; dropped after every run here)."""
    return _history(default_history_url(), environment, test, limit)


def clear() -> None:
    """Drop the cached run history (and the Overview's, whose caveats name the latest runs)."""
    from apms_ops.ui import overview

    _history.clear()
    overview.clear()


def latest_runs(env: Environment) -> list[dict]:
    """The runs to show as "latest": this session's last batch on ``env``, else the newest recorded run of each test."""
    mine = st.session_state.get(LATEST_KEY, {}).get(env.name)
    if mine:
        return mine
    newest: dict[str, dict] = {}
    for r in history(env.name):
        newest.setdefault(r["test"], r)
    return [newest[i.name] for i in REGISTRY if i.name in newest]


def run(env: Environment, names: list[str], run_by: str, profile: str | None = None) -> list[dict]:
    """Run ``names`` one after the other with a progress bar; remember and return them as dicts."""
    bar = st.progress(0.0, text=f"Running {len(names)} test(s) on {env.name}...")

    def advance(i: int, n: int, result: InvariantRun) -> None:
        bar.progress(i / n, text=f"{i} of {n}: {result.test} {result.outcome}")

    try:
        runs = run_invariants(env, names, profile=profile, run_by=run_by, store=store(), on_result=advance)
    finally:
        clear()
    bar.progress(1.0, text=f"Done: {len(runs)} test(s) on {env.name}, each rolled back")
    shown = [{**r.to_record(), "title": r.title, "record_error": r.record_error} for r in runs]
    st.session_state.setdefault(LATEST_KEY, {})[env.name] = shown
    return shown


# ---------------------------------------------------------------- rendering


def run_card(r: dict, expanded: bool = True) -> None:
    """One run: outcome, detail, who/when/tag, and its step log."""
    title = TITLES.get(r["test"], r["test"])
    with st.expander(f"{title} — {r['outcome']}", expanded=expanded):
        st.markdown(f"{badge(r['outcome'])} {_escape(r.get('detail', ''))}")
        st.caption(f"`{r['test']}` · run by **{_escape(r.get('run_by', ''))}** · {moment(r.get('started_at'))} · "
                   f"{float(r.get('duration_ms') or 0):.0f} ms · tag `{r.get('tag', '')}`")
        if r.get("record_error"):
            st.warning(r["record_error"], icon=":material/history_toggle_off:")
        df = steps_frame(r.get("steps") or [])
        st.dataframe(styled(df), hide_index=True, width="stretch", column_config=STEP_COLUMNS)


def _escape(text) -> str:
    from apms_ops.ui.widgets import md_escape

    return md_escape(text)
