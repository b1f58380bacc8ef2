"""Schema integrity (C1): tables, extensions, CHECK constraints and the partial unique index."""

import streamlit as st

from apms_ops.ui import navigation, state, tables, widgets

navigation.require_router()

review = state.page_review()

widgets.page_header("Schema integrity (C1)", review, "Tables expected vs present, extensions, CHECK constraints and the "
                    "partial unique index that keeps one ACTIVE version per workspace.", json_key="schema.json")
widgets.check_table(tables.check_rows(review, "C1"), key="schema.checks.csv", file_name="c1_checks.csv")

st.subheader("Tables")
presence = tables.table_presence_rows(review)
missing = presence[presence["Status"] == "FAIL"]["Table"].tolist()
widgets.key_figures(tables.table_counts(review))
if missing:
    st.error("Missing: " + ", ".join(f"`{t}`" for t in missing), icon=":material/table_rows:")
widgets.status_table(presence, key="schema.tables.csv", file_name="tables.csv", empty="This database has no tables outside the system schemas.",
                     column_config={"Estimated rows": st.column_config.NumberColumn(
                         format="localized", help="The planner's estimate; — when the table was never analyzed")})

st.subheader("Extensions")
widgets.status_table(tables.extension_rows(review), key="schema.extensions.csv", file_name="extensions.csv",
                     empty="No extensions installed and none required.")

st.subheader("CHECK constraints")
missing_checks = tables.missing_check_rows(review)
if not missing_checks.empty:
    st.markdown(f"**Missing or differing ({len(missing_checks)})**")
    widgets.status_table(missing_checks.drop(columns=["SQL"]), key="schema.missing_checks.csv", file_name="missing_checks.csv")
    with st.expander("SQL that adds or replaces each without a long lock"):
        st.code("\n\n".join(missing_checks["SQL"]), language="sql")
widgets.status_table(tables.check_constraint_rows(review), key="schema.checks_present.csv", file_name="check_constraints.csv",
                     empty="No CHECK constraints in this database.")

st.subheader("Partial unique index")
widgets.status_table(tables.partial_index_rows(review), key="schema.partial_index.csv", file_name="partial_unique_indexes.csv",
                     empty="No partial unique index expected or present.")
