"""Orphans & isolation (C1.orphans, C5, C6): rows pointing at nothing, into another workspace, or running on a DRAFT."""

import streamlit as st

from apms_ops.samples import sample_label
from apms_ops.ui import state, tables, widgets

SAMPLED_REFERENCES = 50  # samples are read for at most this many references, worst first

review = state.page_review()

widgets.page_header("Orphans & isolation", review, "Counted by anti-joins inside PostgreSQL for every reference, declared "
                    "or not; samples are bounded.", json_key="orphans.json")
checks = tables.check_rows(review)
widgets.status_table(checks[checks["Id"].isin(["C1.orphans", "C5.isolation", "C6.runtime"])],
                     key="orphans.checks.csv", file_name="orphan_checks.csv")
limit = st.slider("Rows per sample", 5, 100, 20, step=5, key="orphans.limit")

st.subheader("Orphaned rows per reference (C1.orphans)")
orphans = tables.orphan_rows(review)
widgets.status_table(orphans, key="orphans.counts.csv", file_name="orphans.csv",
                     empty="No references to audit (none declared, expected or implied by column names).")
bad = [(r["Table"], r["Column"], r["References"]) for r in orphans.to_dict("records") if r["Status"] == "FAIL"][:SAMPLED_REFERENCES]
if bad:
    samples = state.load_orphan_samples(bad, limit=limit)
    for ref in bad:
        with st.expander(f"{ref[0]}.{ref[1]} → {ref[2]}", expanded=len(bad) <= 5):
            widgets.sample_rows(samples.get(sample_label(*ref)), "Rows whose reference points at nothing")
elif not orphans.empty:
    widgets.empty_state(f"No orphaned rows across {len(orphans)} references.")

st.subheader("Cross-workspace references (C5)")
cross = tables.cross_workspace_rows(review)
if cross.empty:
    widgets.needs_panel("This panel needs a profile with [workspaces] and references between workspace-scoped tables.",
                        tables.check(review, "C5.isolation").detail if tables.check(review, "C5.isolation") else None)
else:
    widgets.status_table(cross, key="orphans.cross.csv", file_name="cross_workspace.csv")
    leaking = [(r["Table"], r["Column"], r["References"]) for r in cross.to_dict("records") if r["Status"] == "FAIL"][:SAMPLED_REFERENCES]
    if leaking:
        samples = state.load_orphan_samples(leaking, limit=limit, cross_workspace=True)
        for ref in leaking:
            with st.expander(f"{ref[0]}.{ref[1]} → {ref[2]}", expanded=len(leaking) <= 5):
                widgets.sample_rows(samples.get(sample_label(*ref)), "Rows pointing into another workspace")
    else:
        widgets.empty_state(f"No row references another workspace's rows, across {len(cross)} workspace-scoped references.")

st.subheader("Running work on DRAFT versions (C6)")
runtime = tables.check(review, "C6.runtime")
if runtime is None or runtime.status == "SKIP":
    widgets.needs_panel("This panel needs a profile with [lifecycle] and [runtime].", runtime.detail if runtime else None)
else:
    widgets.status_table(tables.running_on_draft_rows(review), key="orphans.draft.csv", file_name="running_on_draft.csv",
                         status_columns=(), empty="No RUNNING or PENDING workflow instance is frozen to a DRAFT version.")
