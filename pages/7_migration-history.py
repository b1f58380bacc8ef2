"""Migrations: the app's migrations folder against the history (timeline), and the history table itself."""

import streamlit as st

from apms_ops.ui import migrations, navigation, state, tables, widgets

navigation.require_router()

review = state.page_review()

widgets.page_header("Migrations", review, "The migration history (`_prisma_migrations`): a migration started but not "
                    "finished failed half-way; one rolled back was undone.", json_key="migrations.json")
checks = tables.check_rows(review)
widgets.check_table(checks[checks["Id"].isin(["C1.migrations", "C1.migrations_folder"])], key="migrations.checks.csv",
                    file_name="migration_check.csv")

st.subheader("Migrations folder vs history")
folder = migrations.folder_input()
if folder:
    status = migrations.status_or_panel(folder)
    if status is not None:
        names = status["summary"]
        a, b, c, d, e = st.columns(5)
        a.metric("Pending", len(names["pending"]), border=True)
        b.metric("Failed", len(names["failed"]), border=True)
        c.metric("Checksum drift", len(names["checksum drift"]), border=True)
        d.metric("Missing locally", len(names["missing locally"]), border=True)
        e.metric("Rolled back (history)", len(names["rolled back"]), border=True)
        timeline = migrations.timeline_rows(status)
        if not timeline.empty:
            st.altair_chart(migrations.timeline_chart(timeline, [m["migration"] for m in status["migrations"]]), width="stretch")
        widgets.status_table(migrations.status_rows(status), key="migrations.status.csv", file_name="migration_status.csv",
                             status_columns=("State",), empty="The folder and the history are both empty.")
else:
    st.caption("Give the app's prisma/migrations folder to see what is pending, edited after it ran, or missing from it.")

st.subheader("History table")

if tables.facts(review).get("migrations") is None:
    st.info(f"No migration history to show: {widgets.md_escape(tables.fact_error(review, 'migrations') or 'no history table')}.",
            icon=":material/info:")
    st.stop()

rows = tables.migration_rows(review)
counts = tables.migration_counts(review)
a, b, c = st.columns(3)
a.metric("Applied", counts["applied"], border=True)
b.metric("Failed (not finished)", counts["failed"], border=True)
c.metric("Rolled back", counts["rolled back"], border=True)
latest = tables.latest_migration(review)
if latest:
    st.markdown(f"**Latest applied:** `{latest['migration']}` · finished {tables.moment(latest.get('finished_at'))}")

state_filter = st.segmented_control("Show", ["all", "applied", "failed", "rolled back"], default="all", key="migrations.state")
shown = rows if state_filter in (None, "all") else rows[rows["State"] == state_filter]
widgets.status_table(shown, key="migrations.rows.csv", file_name="migrations.csv", status_columns=("State",),
                     empty="No migration in this state." if not rows.empty else "The migration history table is empty.")
