"""What the History page shows and does: cached reads of the history store, the tables and
Altair charts drawn from them, and the writes operators make (save a run, accept or revoke
a finding, sign off). The page itself only lays these out.

Reads are cached briefly (``HISTORY_TTL_S``) and dropped after every write and by the
sidebar's refresh button; the store is the one ``apms_ops.ui.report.store()`` opens, the
same one ``python -m apms_ops audit`` writes to.
"""

from __future__ import annotations

from datetime import date, datetime

import altair as alt
import pandas as pd
import streamlit as st

from apms_ops.connections import Environment
from apms_ops.history import current_user, default_history_url
from apms_ops.operators import acceptance_scope
from apms_ops.reports.document import VERDICT_WORDS, finding_text
from apms_ops.review import Review
from apms_ops.ui.report import store
from apms_ops.ui.settings import HISTORY_TTL_S
from apms_ops.ui.tables import moment

VERDICT_SCALE = alt.Scale(domain=["GO", "HOLD", "NO-GO"], range=["#2e9e55", "#e0a100", "#d64545"])
CHANGE_ORDER = ["worse", "better", "changed"]


def _iso(value) -> str | None:
    return value.isoformat() if isinstance(value, datetime) else value


def _plain(rows: list[dict]) -> list[dict]:
    """JSON-safe copies (datetimes as ISO text) for ``st.cache_data``."""
    return [{k: _iso(v) for k, v in r.items()} for r in rows]


# ---------------------------------------------------------------- cached reads


@st.cache_data(ttl=HISTORY_TTL_S, show_spinner=False)
def _runs(url: str, environment: str | None, limit: int) -> list[dict]:
    return _plain(store().list_reviews(environment, limit=limit))


@st.cache_data(ttl=HISTORY_TTL_S, show_spinner=False)
def _trends(url: str, environment: str) -> list[dict]:
    return [{**_plain([{k: v for k, v in t.items() if k != "orphans_by_reference"}])[0],
             "orphans_by_reference": t["orphans_by_reference"]} for t in store().trends(environment)]


@st.cache_data(ttl=HISTORY_TTL_S, show_spinner=False)
def _diff(url: str, run_a: int, run_b: int) -> dict:
    # The page compares any two runs it offers, and says loudly when they are of different databases.
    return store().diff(run_a, run_b, across_databases=True)


@st.cache_data(ttl=HISTORY_TTL_S, show_spinner=False)
def _identity_changes(url: str, environment: str) -> list[dict]:
    return _plain(store().identity_changes(environment))


@st.cache_data(ttl=HISTORY_TTL_S, show_spinner=False)
def _acceptances(url: str, environment: str, include_inactive: bool) -> list[dict]:
    return _plain(store().list_acceptances(environment, include_inactive=include_inactive))


@st.cache_data(ttl=HISTORY_TTL_S, show_spinner=False)
def _sign_offs(url: str, environment: str) -> list[dict]:
    return _plain(store().list_sign_offs(environment, limit=20))


@st.cache_data(ttl=HISTORY_TTL_S, show_spinner=False)
def _saved_review(url: str, run_id: int) -> dict:
    return store().get_review(run_id).to_dict()


def clear() -> None:
    """Drop every cached history read (after a write, and on the sidebar's refresh), the Overview's too."""
    from apms_ops.ui import overview

    for fn in (_runs, _trends, _diff, _acceptances, _sign_offs, _saved_review, _identity_changes):
        fn.clear()
    overview.clear()


def runs(environment: str | None = None, limit: int = 500) -> list[dict]:
    """Saved runs, newest first (all environments when ``environment`` is None)."""
    return _runs(default_history_url(), environment, limit)


def trends(environment: str) -> list[dict]:
    return _trends(default_history_url(), environment)


def identity_changes(environment: str) -> list[dict]:
    """Saved runs whose database differs from the run before them, newest first."""
    return _identity_changes(default_history_url(), environment)


def identity_change_line(change: dict) -> str:
    return (f"Run #{change['run_id']} reviewed another database than run #{change['previous_run_id']}: "
            f"{change['previous_database']} → {change['database']}.")


def different_databases_line(d: dict) -> str | None:
    """A warning when two compared runs are of different databases (None when they are the same, or unknown)."""
    if d.get("same_database") is False:
        return (f"These runs reviewed different databases ({d['a']['database']}; {d['b']['database']}): "
                "their differences are not changes of one database.")
    return None


def diff(run_a: int, run_b: int) -> dict:
    return _diff(default_history_url(), int(run_a), int(run_b))


def acceptances(environment: str, include_inactive: bool = False) -> list[dict]:
    return _acceptances(default_history_url(), environment, include_inactive)


def sign_offs(environment: str) -> list[dict]:
    return _sign_offs(default_history_url(), environment)


def saved_review(run_id: int) -> Review:
    return Review.from_dict(_saved_review(default_history_url(), int(run_id)))


# ---------------------------------------------------------------- tables


def when(value) -> pd.Timestamp | None:
    return pd.Timestamp(value) if value else None


def run_label(run: dict) -> str:
    """``#12 · 2026-01-05 10:00 UTC · HOLD · audit``."""
    return (f"#{run['id']} · {moment(run['started_at'])} · {VERDICT_WORDS.get(run['verdict'], run['verdict'])} · {run['source']}"
            + (" · partial review" if run.get("partial") else ""))


def timeline_frame(rows: list[dict]) -> pd.DataFrame:
    """One row per saved run: Environment, Run, When, Verdict, Source, By."""
    return pd.DataFrame([{
        "Environment": r["environment"], "Run": f"#{r['id']}", "When": when(r["started_at"]),
        "Verdict": VERDICT_WORDS.get(r["verdict"], r["verdict"]), "Source": r["source"], "By": r["run_by"],
        "Scope": "partial review (--only)" if r.get("partial") else "full",
    } for r in rows], columns=["Environment", "Run", "When", "Verdict", "Source", "By", "Scope"])


def trend_frame(rows: list[dict]) -> pd.DataFrame:
    """The charted figures per saved run, oldest first."""
    return pd.DataFrame([{
        "Run": f"#{t['run_id']}", "When": when(t["started_at"]), "Verdict": VERDICT_WORDS.get(t["verdict"], t["verdict"]),
        "FK present": t["fk_present"], "FK expected": t["fk_target"],
        "FK coverage (%)": round(100 * t["fk_coverage"], 1) if t["fk_coverage"] is not None else None,
        "Orphans": t["orphans"], "CHECKs": t["check_constraints"], "CHECKs expected": t["check_constraints_target"],
        "ACTIVE violations": t["active_violations"],
        "Scope": "partial review (--only)" if t.get("partial") else "full",
    } for t in rows], columns=["Run", "When", "Verdict", "Scope", "FK present", "FK expected", "FK coverage (%)", "Orphans",
                               "CHECKs", "CHECKs expected", "ACTIVE violations"])


def orphans_frame(rows: list[dict]) -> pd.DataFrame:
    """Orphans per reference per run (long form), references that ever had orphans only."""
    out = [{"Run": f"#{t['run_id']}", "When": when(t["started_at"]), "Reference": ref, "Orphans": n}
           for t in rows for ref, n in (t.get("orphans_by_reference") or {}).items()]
    return pd.DataFrame(out, columns=["Run", "When", "Reference", "Orphans"])


def diff_check_frame(d: dict) -> pd.DataFrame:
    rows = []
    for kind in CHANGE_ORDER:
        for c in d.get(kind, []):
            b, a = c["before"], c["after"]
            rows.append({"Change": kind, "Check": c["check_id"], "Title": c["title"], "Status before": b["status"],
                         "Status after": a["status"], "Actual before": _cell(b["actual"]), "Actual after": _cell(a["actual"]),
                         "Target": _cell(a["target"]), "Open findings before": b["open_findings"],
                         "Open findings after": a["open_findings"]})
    return pd.DataFrame(rows, columns=["Change", "Check", "Title", "Status before", "Status after", "Actual before",
                                       "Actual after", "Target", "Open findings before", "Open findings after"])


def diff_finding_frame(d: dict) -> pd.DataFrame:
    rows = []
    for key, label in (("new_findings", "new"), ("changed_findings", "changed"), ("resolved_findings", "resolved")):
        for f in d.get(key, []):
            measures = ", ".join(f"{k} {v[0]} → {v[1]}" for k, v in (f.get("measures") or {}).items())
            rows.append({"Change": label, "Check": f["check_id"], "Finding": _plain_text(finding_text(f["finding"], False)),
                         "Measures": measures, "Fingerprint": f["fingerprint"]})
    return pd.DataFrame(rows, columns=["Change", "Check", "Finding", "Measures", "Fingerprint"])


def acceptance_frame(rows: list[dict]) -> pd.DataFrame:
    return pd.DataFrame([{
        "Id": r["id"], "State": r["state"], "Check": r["check_id"], "Fingerprint": r["fingerprint"],
        "Environment": r["environment"] or "(every environment)",
        "Finding": _plain_text(finding_text(r.get("finding") or {}, False)) if r.get("finding") else "",
        "Reason": r["reason"], "Accepted by": r["accepted_by"], "Accepted": moment(r["accepted_at"]),
        "Expires": moment(r["expires_at"]), "Revoked by": r.get("revoked_by") or "",
    } for r in rows], columns=["Id", "State", "Check", "Fingerprint", "Environment", "Finding", "Reason", "Accepted by",
                               "Accepted", "Expires", "Revoked by"])


def sign_off_frame(rows: list[dict]) -> pd.DataFrame:
    return pd.DataFrame([{
        "When": moment(r["signed_at"]), "Decision": VERDICT_WORDS.get(r["decision"], r["decision"]), "Migration": r["migration"] or "",
        "Comment": r["comment"], "Signed by": r["signed_by"],
        "On run": f"#{r['review_run_id']}" if r.get("review_run_id") else "",
        "Run said": VERDICT_WORDS.get(r.get("review_verdict"), r.get("review_verdict") or ""),
    } for r in rows], columns=["When", "Decision", "Migration", "Comment", "Signed by", "On run", "Run said"])


def trend_table(trend: pd.DataFrame) -> pd.DataFrame:
    """The trend figures as a table: moments written the one way every page writes them."""
    return trend.assign(When=trend["When"].map(moment))


def diff_choices(env_runs: list[dict]) -> tuple[list[int], str]:
    """The runs to compare (newest first) and a widget key that changes when a run is saved,
    so the comparison moves to the newest two runs instead of staying on the ones first shown."""
    ids = [r["id"] for r in env_runs]
    return ids, f"history.diff.{ids[0]}"


def diff_headline(d: dict) -> str:
    """``Run #2 (HOLD) → run #3 (NO-GO): worse.``"""
    a, b = d["a"], d["b"]
    change = {"same": "same verdict", "better": "better", "worse": "worse"}[d["verdict_change"]]
    return (f"Run #{a['run_id']} (**{VERDICT_WORDS.get(a['verdict'], a['verdict'])}**) → run #{b['run_id']} "
            f"(**{VERDICT_WORDS.get(b['verdict'], b['verdict'])}**): {change}.")


def acceptance_label(a: dict) -> str:
    return f"#{a['id']} · {a['check_id']} · {a['fingerprint']} · until {moment(a['expires_at'])} · {a['reason'][:60]}"


def open_findings(review: Review) -> dict[str, dict]:
    """``{label: {"check_id", "fingerprint", "finding"}}`` for the findings an operator may accept."""
    out = {}
    for c in review.checks:
        for f in c.open_findings:
            if f.get("fingerprint"):
                label = f"{c.id} · {_plain_text(finding_text(f, False))} · {f['fingerprint']}"
                out[label] = {"check_id": c.id, "fingerprint": f["fingerprint"], "finding": f}
    return out


def default_migration(review: Review) -> str:
    """The migration a sign-off is most likely about: the profile's expected one, else the latest applied."""
    try:
        c = review.check("C1.migrations")
    except StopIteration:
        return ""
    return str(c.target or c.actual or "")


def _cell(value) -> str:
    return "-" if value is None else str(value)


def _plain_text(text: str) -> str:
    return text.replace("`", "").replace("**", "")


# ---------------------------------------------------------------- charts


def verdict_timeline_chart(df: pd.DataFrame) -> alt.Chart:
    """Every saved run as a point on its environment's line, colored by verdict."""
    return (
        alt.Chart(df)
        .mark_point(filled=True, size=140)
        .encode(
            x=alt.X("When:T", title=None, axis=alt.Axis(format="%Y-%m-%d %H:%M", labelOverlap=True, tickCount=6)),
            y=alt.Y("Environment:N", title=None, axis=alt.Axis(labelLimit=240)),
            color=alt.Color("Verdict:N", scale=VERDICT_SCALE, legend=alt.Legend(orient="bottom", title=None)),
            shape=alt.Shape("Verdict:N", scale=alt.Scale(domain=["GO", "HOLD", "NO-GO"], range=["circle", "diamond", "square"]),
                            legend=None),
            # A partial run's verdict covers only what ran: drawn faint, so it never reads as a full GO.
            opacity=alt.Opacity("Scope:N", scale=alt.Scale(domain=["full", "partial review (--only)"], range=[1.0, 0.3]),
                                legend=alt.Legend(orient="bottom", title=None)),
            tooltip=["Environment", "Run", alt.Tooltip("When:T", format="%Y-%m-%d %H:%M"), "Verdict", "Scope", "Source", "By"],
        )
        .properties(height=alt.Step(36))
    )


def _run_axis(df: pd.DataFrame) -> alt.X:
    # Saved runs in order, evenly spaced: a weekly audit and three runs in an afternoon read alike.
    return alt.X("Run:N", sort=list(df["Run"]), title="Saved run", axis=alt.Axis(labelAngle=0))


def _line(df: pd.DataFrame, field: str, title: str, color: str, tooltip: list) -> alt.Chart:
    base = alt.Chart(df).encode(x=_run_axis(df), y=alt.Y(f"{field}:Q", title=title, axis=alt.Axis(format="d", tickMinStep=1)),
                                tooltip=tooltip)
    return base.mark_line(color=color) + base.mark_point(filled=True, size=70, color=color)


def fk_coverage_chart(df: pd.DataFrame) -> alt.Chart:
    tooltip = ["Run", alt.Tooltip("When:T", format="%Y-%m-%d %H:%M"), "FK present", "FK expected", "FK coverage (%)"]
    base = alt.Chart(df).encode(x=_run_axis(df), tooltip=tooltip,
                                y=alt.Y("FK coverage (%):Q", title="Foreign keys in place (%)", scale=alt.Scale(domain=[0, 100])))
    return (base.mark_line(color="#4a7fd0") + base.mark_point(filled=True, size=70, color="#4a7fd0")).properties(height=220)


def orphans_chart(df: pd.DataFrame) -> alt.Chart:
    base = alt.Chart(df).encode(
        x=_run_axis(df.drop_duplicates("Run")),
        y=alt.Y("Orphans:Q", scale=_count_scale(df["Orphans"]), axis=alt.Axis(format="d", tickMinStep=1)),
        color=alt.Color("Reference:N", legend=alt.Legend(orient="bottom", title=None, labelLimit=420, columns=1)),
        tooltip=["Run", "Reference", "Orphans", alt.Tooltip("When:T", format="%Y-%m-%d %H:%M")],
    )
    return (base.mark_line() + base.mark_point(filled=True, size=70)).properties(height=220)


def check_count_chart(df: pd.DataFrame) -> alt.Chart:
    tooltip = ["Run", alt.Tooltip("When:T", format="%Y-%m-%d %H:%M"), "CHECKs", "CHECKs expected"]
    line = _line(df, "CHECKs", "CHECK constraints", "#2e9e55", tooltip)
    expected = alt.Chart(df).mark_line(strokeDash=[4, 4], color="#9e9e9e").encode(x=_run_axis(df), y="CHECKs expected:Q",
                                                                                 tooltip=tooltip)
    return (line + expected).properties(height=220)


def _count_scale(values: pd.Series) -> alt.Scale:
    # Counts start at zero, and a run of zeros still gets a readable 0..1 axis.
    top = values.dropna().max() if not values.dropna().empty else 0
    return alt.Scale(domain=[0, max(1, int(top))], nice=True)


def active_violations_chart(df: pd.DataFrame) -> alt.Chart:
    """Workspaces without exactly one ACTIVE version, per run."""
    tooltip = ["Run", alt.Tooltip("When:T", format="%Y-%m-%d %H:%M"), "ACTIVE violations"]
    return (alt.Chart(df).mark_bar(color="#d64545").encode(
        x=_run_axis(df), y=alt.Y("ACTIVE violations:Q", title="Workspaces", scale=_count_scale(df["ACTIVE violations"]),
                                 axis=alt.Axis(format="d", tickMinStep=1)),
        tooltip=tooltip).properties(height=220))


# ---------------------------------------------------------------- writes (operators only; the page asks first)


def save_run(review: Review, run_by: str) -> int:
    """Save the shown review with the active acceptances applied, as ``audit`` does; returns the run id."""
    _, run_id = store().save_with_acceptances(review, run_by=run_by or current_user(), source="dashboard")
    clear()
    return run_id


def accept(fingerprint: str, check_id: str, reason: str, expires: date, *, env: Environment, every_environment: bool,
           review: Review, finding: dict | None, run_by: str) -> int:
    """Accept a finding of ``review``: for ``env`` (and the database reviewed), or for every environment;
    the demo only ever for itself."""
    environment = acceptance_scope(env, every_environment)
    bound = {"database_key": review.database_key, "database": review.identity.get("label")} if environment else {}
    acc_id = store().accept(fingerprint, check_id, reason, expires, environment=environment, finding=finding, accepted_by=run_by,
                            **bound)
    clear()
    return acc_id


def latest_expiry() -> date:
    """The furthest expiry the acceptance policy allows from today."""
    from datetime import timedelta

    from apms_ops.operators import AcceptancePolicy, acceptance_policy

    try:
        days = acceptance_policy().max_days
    except Exception:  # noqa: BLE001 - a broken policy is the strictest one; saving says what is wrong
        days = AcceptancePolicy().max_days
    return date.today() + timedelta(days=days)


def revoke(acceptance_id: int, run_by: str) -> dict:
    acc = store().revoke(int(acceptance_id), revoked_by=run_by)
    clear()
    return acc


def sign_off(environment: str, decision: str, migration: str, comment: str, run_by: str, run_id: int | None = None) -> int:
    sid = store().sign_off(environment, decision, migration=migration, comment=comment, signed_by=run_by, review_run_id=run_id)
    clear()
    return sid


FLASH_KEY = "apms_ops.history.flash"


def flash(message: str) -> None:
    """A message for the next run of the page (a write is followed by a rerun that redraws the tables)."""
    st.session_state[FLASH_KEY] = message


def perform(action, done, env) -> None:
    """Run a write an operator asked for: an error panel when it fails, else ``done(result)``
    as a message on the next run and a rerun that redraws the tables."""
    from apms_ops.ui import widgets

    try:
        result = action()
    except Exception as exc:  # noqa: BLE001 - a refused write is a panel, never a traceback
        widgets.error_panel(exc, env)
        return
    flash(done(result))
    st.rerun()


def show_flash() -> None:
    message = st.session_state.pop(FLASH_KEY, None)
    if message:
        st.success(message, icon=":material/check_circle:")
