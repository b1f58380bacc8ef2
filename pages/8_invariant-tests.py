"""Invariant tests: ask the database itself whether it enforces the design, step by step, leaving nothing behind."""

import streamlit as st

from apms_ops.invariants import REGISTRY
from apms_ops.ui import invariant_tests as inv, navigation
from apms_ops.ui import operators, state, widgets

navigation.require_router()

env = state.page_environment()

st.title("Invariant tests")
st.markdown("Each test writes tagged rows in **one transaction that is always rolled back**, asks the database whether it "
            "refuses what the design forbids, and then proves on a fresh read-only connection that nothing it wrote remains. "
            "**NOT_ENFORCED** means the database accepted it: only application code protects that rule.")
st.caption(f"Environment **{widgets.md_escape(env.name)}** · `{env.masked_url}` · statement_timeout "
           f"{env.statement_timeout_ms} ms · lock_timeout {env.lock_timeout_ms} ms")

identity = operators.sign_in_panel(key="invariants.operator")
decision = operators.gate(env, "run invariant tests", identity, invariants=True)
if decision.allowed:
    columns = st.columns(len(REGISTRY) + 1)
    wanted = None
    if columns[0].button("Run all", type="primary", key="invariants.run_all", icon=":material/play_arrow:", width="stretch",
                         help="Every test, one after the other, each in its own rolled-back transaction"):
        wanted = [i.name for i in REGISTRY]
    for col, test in zip(columns[1:], REGISTRY):
        if col.button(inv.button_label(test.name), key=f"invariants.run.{test.name}", width="stretch",
                      help=f"{test.title}: {test.summary}"):
            wanted = [test.name]
    if wanted:
        try:
            inv.run(env, wanted, decision.run_by, profile=state.current_profile())
        except Exception as exc:  # noqa: BLE001
            widgets.error_panel(exc, env)

st.subheader("Latest run")
latest = inv.latest_runs(env)
if not latest:
    widgets.empty_state(f"No invariant test has run on {env.name} yet.")
for run in latest:
    inv.run_card(run, expanded=len(latest) == 1 or run["outcome"] not in ("PASS", "SKIP"))

st.subheader("History")
everything = inv.history()
left, right = st.columns(2)
environments = sorted({r["environment"] for r in everything} | {env.name})
chosen_env = left.selectbox("Environment", ["all", *environments], index=1 + environments.index(env.name), key="invariants.history.env")
chosen_test = right.selectbox("Test", ["all", *[i.name for i in REGISTRY]], key="invariants.history.test")
rows = inv.history(None if chosen_env == "all" else chosen_env, None if chosen_test == "all" else chosen_test)
df = inv.runs_frame(rows)
if df.empty:
    widgets.empty_state("No recorded runs match.")
else:
    st.dataframe(inv.styled(df), hide_index=True, width="stretch", column_config=inv.RUN_COLUMNS)
    widgets.csv_download(df, file_name="invariant_runs.csv", key="invariants.history.csv")
