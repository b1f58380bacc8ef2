"""Orphans & isolation (C1.orphans, C5, C6): rows pointing at nothing, into another workspace, or running on a DRAFT."""

import streamlit as st

from apms_ops.ui import findings, links, navigation, state, tables, widgets

navigation.require_router()

review = state.page_review()

widgets.page_header("Orphans & isolation", review, "Counted by anti-joins inside PostgreSQL for every reference, declared "
                    "or not. Select a reference with problems for a bounded sample of its rows.", json_key="orphans.json")
checks = tables.check_rows(review)
widgets.check_table(checks[checks["Id"].isin(["C1.orphans", "C5.isolation", "C6.runtime"])], key="orphans.checks.csv",
                    file_name="orphan_checks.csv")
limit = st.slider("Rows per sample", 5, 100, 20, step=5, key="orphans.limit")


st.subheader("Orphaned rows per reference (C1.orphans)")
orphans = tables.orphan_rows(review)
if orphans.empty:
    widgets.empty_state("No references to audit (none declared, expected or implied by column names).")
else:
    failing = int((orphans["Status"] == "FAIL").sum())
    if failing == 0 and not (orphans["Status"] == "ERROR").any():
        widgets.all_clear(f"No orphaned rows across {len(orphans)} references.")
    chosen = widgets.selectable_table(orphans, key="orphans.counts", id_column="Reference", selected=links.param(links.REFERENCE),
                                      file_name="orphans.csv", hidden=("Table", "Column", "References"))
    links.set_param(links.REFERENCE, chosen)
    findings.selected_sample(chosen, orphans, "Rows whose reference points at nothing", limit)

st.subheader("Cross-workspace references (C5)")
cross = tables.cross_workspace_rows(review)
if cross.empty:
    isolation = tables.check(review, "C5.isolation")
    widgets.needs_panel("This panel needs a profile with [workspaces] and references between workspace-scoped tables.",
                        isolation.detail if isolation else None)
else:
    if not (cross["Status"] == "FAIL").any():
        widgets.all_clear(f"No row references another workspace's rows, across {len(cross)} workspace-scoped references.")
    chosen = widgets.selectable_table(cross, key="orphans.cross", id_column="Reference", selected=links.param(links.CROSS),
                                      file_name="cross_workspace.csv", hidden=("Table", "Column", "References"))
    links.set_param(links.CROSS, chosen)
    findings.selected_sample(chosen, cross, "Rows pointing into another workspace", limit, cross_workspace=True)

st.subheader("Running work on DRAFT versions (C6)")
runtime = tables.check(review, "C6.runtime")
if runtime is None or runtime.status == "SKIP":
    widgets.needs_panel("This panel needs a profile with [lifecycle] and [runtime].", runtime.detail if runtime else None)
elif runtime.status == "PASS":
    widgets.all_clear("No RUNNING or PENDING workflow instance is frozen to a DRAFT version.")
else:
    widgets.status_table(tables.running_on_draft_rows(review), key="orphans.draft.csv", file_name="running_on_draft.csv",
                         status_columns=(), empty="No RUNNING or PENDING workflow instance is frozen to a DRAFT version.")
