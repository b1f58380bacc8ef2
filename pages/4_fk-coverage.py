"""FK coverage: which references the design wants have a foreign key, per table; the missing ones as one table, each with its fix."""

import streamlit as st

from apms_ops.ui import charts, findings, fixes, links, navigation, state, tables, widgets

navigation.require_router()

review = state.page_review()

widgets.page_header("Foreign key coverage", review, "References kept only by application code let orphans and "
                    "cross-workspace rows in silently. Select a missing foreign key for its SQL (added without a long "
                    "lock) and the orphaned rows that would stop it.", json_key="fk.json")
fk = tables.check(review, "C1.foreign_keys")
critical = tables.check(review, "C1.critical_foreign_keys")
a, b, c = st.columns(3)
a.metric("FK coverage", tables.fk_ratio(review), help=fk.detail if fk else None, border=True)
b.metric("Critical FKs", tables.ratio(critical), help=critical.detail if critical else None, border=True)
c.metric("Status", fk.status if fk else "n/a", border=True)
if fk and fk.target:
    st.progress(min(1.0, (fk.actual or 0) / fk.target), text=fk.detail)

focus = st.container()  # the selected (or linked) missing FK, above the list
missing = tables.missing_fk_rows(review)
st.subheader(f"Foreign keys missing or not as designed ({len(missing)})")
if missing.empty:
    if fk is not None and fk.status in ("PASS", "INFO"):
        widgets.all_clear("Every expected reference has a foreign key, defined as designed and validated.")
    else:
        widgets.empty_state("No missing foreign key listed.")
else:
    chosen = widgets.selectable_table(missing.drop(columns=["SQL"]), key="fk.missing", id_column="Fingerprint",
                                      selected=links.param(links.FINDING), file_name="missing_foreign_keys.csv")
    links.set_param(links.FINDING, chosen)
    if chosen:
        finding = next(f for f in fk.findings if f.get("fingerprint") == chosen)
        with focus:
            findings.finding_card(review, "C1.foreign_keys", finding, expanded=True)
    else:
        st.caption("Select a row for its SQL, its orphaned rows and its permalink (above the list).")

per_table = tables.fk_per_table(review)
st.subheader("Coverage per table")
if per_table.empty or not (per_table["Wanted"] > 0).any():
    widgets.empty_state("No references declared, expected by the profile or implied by column names.")
else:
    chart, left_out = charts.fk_coverage_chart(per_table)
    st.altair_chart(chart, width="stretch")
    if left_out:
        st.caption(f"The chart shows the {charts.FK_CHART_TABLES} tables with most missing FKs; {left_out} more are in the table.")
    with st.expander(f"Per table: wanted, as designed, differing, missing ({len(per_table)} tables)"):
        widgets.status_table(per_table, key="fk.per_table.csv", file_name="fk_per_table.csv", status_columns=())

script = tables.facts(review).get("remediation_sql") or ""
with st.expander("One migration for every finding (SQL)", expanded=False):
    if script:
        st.caption("Review before running; fix orphans first (VALIDATE fails while they exist).")
        st.code(script, language="sql")
        widgets.sql_download(script, file_name=f"apms-ops-{review.environment}-remediation.sql", key="fk.migration.sql")
    else:
        widgets.empty_state("Nothing to add: no finding comes with SQL.")
fixes.fix_folders_download()
