"""Workspaces (C3/C4): ACTIVE, DRAFT and archived versions per workspace, and the work frozen to each."""

import streamlit as st

from apms_ops.ui import navigation, state, tables, widgets

navigation.require_router()

review = state.page_review()

widgets.page_header("Workspaces (C3/C4)", review, "Every workspace needs exactly one ACTIVE configuration version: "
                    "none stops new work, two let it start on either.", json_key="workspaces.json")
checks = tables.check_rows(review)
widgets.check_table(checks[checks["Id"].isin(["C3.lifecycle", "C4.one_active_per_workspace"])],
                    key="workspaces.checks.csv", file_name="c3_c4_checks.csv")

workspaces = tables.workspace_rows(review)
if tables.facts(review).get("workspaces") is None:
    widgets.needs_panel("This page needs a profile with [lifecycle] and [workspaces] (a configuration-versions table "
                        "and a workspaces table).", tables.fact_error(review, "workspaces"))
else:
    st.subheader("Versions per workspace")
    if workspaces.empty:
        widgets.empty_state("The workspaces table is empty.")
    else:
        violations = workspaces[workspaces["Status"] != "PASS"]
        a, b, c = st.columns(3)
        a.metric("Workspaces", len(workspaces), border=True)
        b.metric("Without exactly one ACTIVE", len(violations), border=True)
        c.metric("DRAFT versions", int(workspaces["DRAFT"].sum()), border=True)
        widgets.status_table(workspaces, key="workspaces.versions.csv", file_name="workspaces.csv")

    st.subheader("Lifecycle violations (C3)")
    widgets.status_table(tables.lifecycle_rows(review), key="workspaces.lifecycle.csv", file_name="lifecycle_violations.csv",
                         empty="Statuses within the lifecycle, ACTIVE versions activated, versions positive and unique.",
                         empty_is_good=True)

st.subheader("Workflow instances by config version and status")
if tables.facts(review).get("instances_by_version") is None:
    widgets.needs_panel("This panel needs a profile with [runtime] (the workflow instances table).",
                        tables.fact_error(review, "instances_by_version"))
else:
    widgets.status_table(tables.instances_rows(review), key="workspaces.instances.csv", file_name="instances_by_version.csv",
                         status_columns=(), empty="No workflow instances.")
