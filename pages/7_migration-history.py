"""Migrations: the migration history table (applied, failed, rolled back), with times and durations."""

import streamlit as st

from apms_ops.ui import navigation, state, tables, widgets

navigation.require_router()

review = state.page_review()

widgets.page_header("Migrations", review, "The migration history (`_prisma_migrations`): a migration started but not "
                    "finished failed half-way; one rolled back was undone.", json_key="migrations.json")
checks = tables.check_rows(review)
widgets.check_table(checks[checks["Id"] == "C1.migrations"], key="migrations.checks.csv", file_name="migration_check.csv")

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
