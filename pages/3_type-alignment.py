"""Type alignment (C2): every table's id type, every reference's type against its key's type."""

import streamlit as st

from apms_ops.ui import navigation, state, tables, widgets

navigation.require_router()

review = state.page_review()

widgets.page_header("Type alignment (C2)", review, "A reference can only get a foreign key, and joins stay cheap, when its "
                    "column has exactly the referenced key's type (`text = text`, `uuid = uuid`).", json_key="types.json")
widgets.check_table(tables.check_rows(review, "C2"), key="types.checks.csv", file_name="c2_checks.csv")

refs = tables.reference_type_rows(review)
st.subheader("References")
table_filter, status_filter = st.columns([3, 1])
chosen_tables = table_filter.multiselect("Tables", sorted(refs["Table"].unique()) if not refs.empty else [], key="types.tables",
                                         placeholder="All tables")
status = status_filter.selectbox("Status", ["All", "Mismatched", "Aligned", "One side missing"], key="types.status")
shown = refs
if chosen_tables:
    shown = shown[shown["Table"].isin(chosen_tables)]
if status != "All":
    shown = shown[shown["Status"] == {"Mismatched": "FAIL", "Aligned": "PASS", "One side missing": "SKIP"}[status]]
widgets.status_table(shown, key="types.references.csv", file_name="reference_types.csv",
                     empty="No references match." if not refs.empty else "No references declared, expected or implied by column names.")

st.subheader("Id type of every table")
ids = tables.id_type_rows(review)
st.caption(tables.id_type_caption(review))
if chosen_tables:
    ids = ids[ids["Table"].isin(chosen_tables)]
widgets.status_table(ids, key="types.ids.csv", file_name="id_types.csv", empty="No tables to show.")
