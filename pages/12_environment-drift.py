"""Drift: the sidebar's environment against another one, every difference with both sides, by table."""

import streamlit as st

from apms_ops.ui import drift, migrations, navigation, state, widgets

navigation.require_router()

env = state.page_environment()
widgets.page_header("Drift between environments", None, "Tables, columns (type, nullability, default), constraints with "
                    "their definitions (foreign key actions included), indexes (predicate, uniqueness, validity), "
                    "extensions and applied migrations, compared between two databases, both read-only.")

others = drift.other_environments()
if not others:
    widgets.empty_state("Only one environment is configured: add another one to compare it with.")
    st.stop()
left, right = st.columns([1, 2])
against = left.selectbox(f"Compare {env.name} against", others, key=drift.AGAINST_KEY)
with right:
    folder = migrations.folder_input()
doc = drift.drift_or_panel(against, folder)
if doc is None:
    st.stop()

diffs = drift.difference_rows(doc)
a, b, c = st.columns(3)
a.metric("Differences", len(diffs), border=True)
b.metric("Tables that differ", diffs[diffs["Table"] != "(database)"]["Table"].nunique(), border=True)
c.metric(f"Migrations only on {doc['environment']} / {doc['against']}",
         f"{len(doc['migrations']['only_environment'])} / {len(doc['migrations']['only_against'])}", border=True)
if doc["same"]:
    widgets.empty_state(f"{doc['environment']} and {doc['against']} match.")
    st.stop()

tables_shown = ["(all)"] + sorted(diffs["Table"].unique())
table = st.selectbox("Table", tables_shown, key="drift.table")
widgets.status_table(drift.difference_rows(doc, None if table == "(all)" else table), key="drift.rows.csv",
                     file_name=f"drift-{doc['environment']}-{doc['against']}.csv")

st.subheader("What the pending migrations change")
widgets.status_table(drift.pending_rows(doc), key="drift.pending.csv", file_name="pending_migrations.csv",
                     empty="No migration is applied on one side only (or pending in the folder).")
