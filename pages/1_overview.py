"""Overview: can the deploy go, and why (verdict, reasons, C1/C2 summaries, key figures)."""

import streamlit as st

from apms_ops.ui import charts, report, state, tables, widgets

review = state.page_review()

widgets.page_header("Overview", review, json_key="overview.json")
widgets.verdict_banner(review)
report.latest_sign_off(review.environment)
report.download_report(review, key="overview.report")
widgets.key_figures(tables.key_figures(review))

latest = tables.latest_migration(review)
if latest:
    st.markdown(f"**Latest applied migration:** `{latest['migration']}` · finished {tables.moment(latest.get('finished_at'))}")
else:
    st.caption(f"Latest applied migration: none to show ({widgets.md_escape(tables.fact_error(review, 'migrations') or 'empty history')}).")

left, right = st.columns(2)
with left:
    st.subheader("Schema integrity (C1)")
    widgets.status_table(tables.check_rows(review, "C1"), key="overview.c1.csv", file_name="c1_schema_integrity.csv")
with right:
    st.subheader("Type alignment (C2)")
    widgets.status_table(tables.check_rows(review, "C2"), key="overview.c2.csv", file_name="c2_type_alignment.csv")
    st.subheader("Checks by group")
    st.altair_chart(charts.status_chart(tables.status_counts(review)), width="stretch")

st.subheader("All checks")
widgets.status_table(tables.check_rows(review), key="overview.checks.csv", file_name="checks.csv")
