"""FK coverage: declared vs expected vs implied per table, missing FKs with their orphans and the SQL to add them."""

import streamlit as st

from apms_ops.samples import sample_label
from apms_ops.ui import charts, state, tables, widgets

EXPANDED_LIMIT = 60  # per-FK panels; the table and the migration below hold every one

review = state.page_review()

widgets.page_header("Foreign key coverage", review, "References kept only by application code let orphans and "
                    "cross-workspace rows in silently. Each missing FK below has the SQL to add it without a long lock.",
                    json_key="fk.json")
fk = tables.check(review, "C1.foreign_keys")
critical = tables.check(review, "C1.critical_foreign_keys")
a, b, c = st.columns(3)
a.metric("FK coverage", tables.fk_ratio(review), help=fk.detail if fk else None, border=True)
b.metric("Critical FKs", tables.ratio(critical), help=critical.detail if critical else None, border=True)
c.metric("Status", fk.status if fk else "n/a", border=True)
if fk and fk.target:
    st.progress(min(1.0, (fk.actual or 0) / fk.target), text=fk.detail)

per_table = tables.fk_per_table(review)
st.subheader("Declared vs expected vs implied, per table")
if per_table.empty:
    widgets.empty_state("No references declared, expected by the profile or implied by column names.")
else:
    chart, left_out = charts.fk_coverage_chart(per_table)
    st.altair_chart(chart, width="stretch")
    if left_out:
        st.caption(f"The chart shows the {charts.FK_CHART_TABLES} tables with most missing FKs; {left_out} more are in the table below.")
    widgets.status_table(per_table, key="fk.per_table.csv", file_name="fk_per_table.csv")

missing = tables.missing_fk_rows(review)
st.subheader(f"Foreign keys missing or not as designed ({len(missing)})")
if missing.empty:
    widgets.empty_state("Every expected reference has a foreign key, defined as designed and validated.")
else:
    widgets.status_table(missing.drop(columns=["SQL"]), key="fk.missing.csv", file_name="missing_foreign_keys.csv")
    panels = tables.missing_fk_panels(review, EXPANDED_LIMIT)
    wanted = [p["reference"] for p in panels if p["orphans"]]
    samples = state.load_orphan_samples(wanted, limit=10) if wanted else {}
    for p in panels:
        with st.expander(p["title"], expanded=bool(p["orphans"])):
            if p["problem"]:
                st.caption(p["problem"])
            widgets.sample_rows(samples.get(sample_label(*p["reference"])), "Orphaned rows: fix or delete them, or VALIDATE fails")
            st.code(p["sql"], language="sql")
    if len(missing) > EXPANDED_LIMIT:
        st.caption(f"Panels for the first {EXPANDED_LIMIT} of {len(missing)}; the table above and the migration below hold all of them.")

script = tables.facts(review).get("remediation_sql") or ""
st.subheader("One migration for every finding")
if script:
    st.caption("Copy it (icon at the top right of the block) or download it. Review before running; fix orphans first.")
    st.code(script, language="sql")
    widgets.sql_download(script, file_name=f"apms-ops-{review.environment}-remediation.sql", key="fk.migration.sql")
else:
    widgets.empty_state("Nothing to add: no finding comes with SQL.")
