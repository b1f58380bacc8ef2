"""History: how the verdict and the figures moved, what changed between two runs, accepted findings and sign-offs."""

from datetime import date, timedelta

import streamlit as st

from apms_ops.history import DECISIONS
from apms_ops.ui import history as hist
from apms_ops.ui import navigation, operators, report, state, widgets

navigation.require_router()

state.on_refresh(hist.clear)

env = state.page_environment()
try:
    store = report.store()
except Exception as exc:  # noqa: BLE001 - a broken history store is a panel
    widgets.error_panel(exc, env)
    st.stop()

st.title("History")
st.markdown("Saved runs of the checks — from `python -m apms_ops audit` on a schedule and from **Save this run** here — "
            "with accepted findings and the decisions people signed. Accepted findings keep their check's status; "
            "only the verdict leaves them out, until they expire.")
st.caption(f"Environment **{widgets.md_escape(env.name)}** · history store `{store.masked_url}`")
hist.show_flash()

review = None
try:
    review = state.load_review(env)
except Exception as exc:  # noqa: BLE001 - the history is still worth showing when the database is down
    widgets.error_panel(exc, env)

identity = operators.sign_in_panel(key="history.operator")
decision = operators.gate(env, "save runs, accept findings or sign off", identity)

if review is not None:
    left, right = st.columns([3, 2], vertical_alignment="bottom")
    with left:
        report.download_report(review, key="history.report")
    if decision.allowed and right.button("Save this run", key="history.save", icon=":material/save:",
                                         help="Store the review shown (with the active acceptances applied), as audit does"):
        hist.perform(lambda: hist.save_run(review, decision.run_by), lambda run_id: f"Saved as run #{run_id}.", env)

# ---------------------------------------------------------------- verdict timeline

st.subheader("Verdict timeline")
all_runs = hist.runs()
if not all_runs:
    widgets.empty_state("No saved runs yet. Save this run, or schedule `python -m apms_ops audit --env NAME`.")
else:
    st.altair_chart(hist.verdict_timeline_chart(hist.timeline_frame(all_runs)), width="stretch")

# ---------------------------------------------------------------- trends

st.subheader(f"Trends — {env.name}")
for change in hist.identity_changes(env.name):
    st.warning(widgets.md_escape(hist.identity_change_line(change)), icon=":material/swap_horiz:")
trend_rows = hist.trends(env.name)
if not trend_rows:
    widgets.empty_state(f"No saved runs of {env.name} yet.")
else:
    trend = hist.trend_frame(trend_rows)
    top_left, top_right = st.columns(2)
    with top_left:
        st.markdown("**Foreign key coverage**")
        st.altair_chart(hist.fk_coverage_chart(trend), width="stretch")
    with top_right:
        st.markdown("**Orphaned rows per reference**")
        orphans = hist.orphans_frame(trend_rows)
        if orphans.empty:
            widgets.empty_state("No orphaned rows in any saved run.")
        else:
            st.altair_chart(hist.orphans_chart(orphans), width="stretch")
    bottom_left, bottom_right = st.columns(2)
    with bottom_left:
        st.markdown("**CHECK constraints** (dashed: expected)")
        st.altair_chart(hist.check_count_chart(trend), width="stretch")
    with bottom_right:
        st.markdown("**ACTIVE-per-workspace violations**")
        st.altair_chart(hist.active_violations_chart(trend), width="stretch")
    widgets.status_table(hist.trend_table(trend), key="history.trend.csv", file_name=f"trend-{env.name}.csv", status_columns=())

# ---------------------------------------------------------------- diff

st.subheader("Compare two runs")
env_runs = hist.runs(env.name)
if len(env_runs) < 2:
    widgets.empty_state("Two saved runs of this environment are needed to compare.")
else:
    labels = {r["id"]: hist.run_label(r) for r in env_runs}
    ids, key = hist.diff_choices(env_runs)  # newest first
    left, right = st.columns(2)
    run_a = left.selectbox("From", ids, index=1, format_func=labels.get, key=f"{key}.a")
    run_b = right.selectbox("To", ids, index=0, format_func=labels.get, key=f"{key}.b")
    d = hist.diff(run_a, run_b)
    st.markdown(hist.diff_headline(d))
    if hist.different_databases_line(d):
        st.warning(widgets.md_escape(hist.different_databases_line(d)), icon=":material/warning:")
    counts = st.columns(4)
    for col, (label, key) in zip(counts, (("Worse", "worse"), ("Better", "better"), ("New findings", "new_findings"),
                                          ("Resolved findings", "resolved_findings"))):
        col.metric(label, len(d[key]), border=True)
    widgets.status_table(hist.diff_check_frame(d), key="history.diff.checks.csv", file_name=f"diff-{run_a}-{run_b}-checks.csv",
                         empty="No check changed status or figures.", status_columns=("Status before", "Status after"))
    widgets.status_table(hist.diff_finding_frame(d), key="history.diff.findings.csv", file_name=f"diff-{run_a}-{run_b}-findings.csv",
                         empty="No finding appeared, changed or was resolved.", status_columns=())
    report.download_report(hist.saved_review(run_b), key="history.diff.report", run_id=run_b, label=f"Report of run #{run_b}")

# ---------------------------------------------------------------- accepted findings

st.subheader("Accepted findings")
show_all = st.toggle("Also expired and revoked", key="history.acceptances.all")
accepted = hist.acceptances(env.name, include_inactive=show_all)
widgets.status_table(hist.acceptance_frame(accepted), key="history.acceptances.csv", file_name=f"acceptances-{env.name}.csv",
                     empty="No acceptances." if show_all else "No active acceptances.", status_columns=())
if decision.allowed:
    findings = hist.open_findings(review) if review is not None else {}
    with st.form("history.accept", clear_on_submit=True):
        st.markdown("**Accept a finding** — it stays visible and its check keeps its status; the verdict leaves it out until the expiry.")
        chosen = st.selectbox("Finding", list(findings), index=None, placeholder="An open finding of the review shown",
                              key="history.accept.finding")
        reason = st.text_area("Reason", key="history.accept.reason", max_chars=2000)
        expires = st.date_input("Expires on (00:00 UTC)", value=date.today() + timedelta(days=30),
                                min_value=date.today() + timedelta(days=1), max_value=hist.latest_expiry(),
                                key="history.accept.expires")
        scopes = ["this environment"] if env.is_demo else ["this environment", "every environment"]
        scope = st.radio("For", scopes, horizontal=True, key="history.accept.scope")
        if st.form_submit_button("Accept finding", icon=":material/task_alt:"):
            picked = findings.get(chosen) or {}
            hist.perform(
                lambda: hist.accept(picked.get("fingerprint"), picked.get("check_id"), reason, expires, env=env,
                                    every_environment=scope == "every environment", review=review,
                                    finding=picked.get("finding"), run_by=decision.run_by),
                lambda acc_id: f"Acceptance #{acc_id} recorded: the verdict leaves the finding out from now on (the Overview "
                               "and the sidebar already do), until it expires or is revoked.",
                env,
            )
    active = {a["id"]: hist.acceptance_label(a) for a in hist.acceptances(env.name)}
    if active:
        with st.form("history.revoke"):
            st.markdown("**Revoke an acceptance** — the finding counts in the verdict again.")
            acc = st.selectbox("Acceptance", list(active), format_func=active.get, key="history.revoke.id")
            if st.form_submit_button("Revoke", icon=":material/undo:"):
                hist.perform(lambda: hist.revoke(acc, decision.run_by), lambda _: f"Acceptance #{acc} revoked.", env)

# ---------------------------------------------------------------- sign-off

st.subheader("Sign-off")
signed = hist.sign_offs(env.name)
if signed:
    st.markdown(f"Latest: **{widgets.md_escape(report.sign_off_line(signed[0]))}**")
widgets.status_table(hist.sign_off_frame(signed), key="history.signoffs.csv", file_name=f"sign-offs-{env.name}.csv",
                     empty=f"No sign-off recorded for {env.name}.", status_columns=())
if decision.allowed:
    with st.form("history.signoff"):
        st.markdown("**Record the decision** for this environment; it rests on the latest saved run.")
        suggested = review.verdict if review is not None else "HOLD"
        choice = st.radio("Decision", list(DECISIONS), index=list(DECISIONS).index(suggested), horizontal=True,
                          format_func=lambda d: d.replace("_", "-"), key="history.signoff.decision")
        migration = st.text_input("Migration", value=hist.default_migration(review) if review is not None else "",
                                  key="history.signoff.migration")
        comment = st.text_area("Comment", key="history.signoff.comment", max_chars=4000,
                               placeholder="Conditions, reasons, who decided")
        if st.form_submit_button("Sign off", icon=":material/approval:"):
            hist.perform(lambda: hist.sign_off(env.name, choice, migration, comment, decision.run_by),
                         lambda sid: f"Sign-off #{sid} recorded.", env)
