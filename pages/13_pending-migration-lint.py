"""Migration lint: pick the pending migrations and see what they would do on this database's data."""

import json

import streamlit as st

from apms_ops.ui import migration_lint, migrations, navigation, state, widgets

navigation.require_router()

env = state.page_environment()
widgets.page_header("Migration lint", None, "Each statement of the pending migrations, parsed by PostgreSQL's own parser "
                    "and judged on this database's catalog, sizes and data (read-only): what would fail, how many rows "
                    "it would reject, which lock it takes and for about how long.")

folder = migrations.folder_input()
if not folder:
    st.info("Give the app's prisma/migrations folder to lint its pending migrations.", icon=":material/info:")
    st.stop()
status = migrations.status_or_panel(folder)
if status is None:
    st.stop()
pending = migration_lint.pending_names(status)
if not pending:
    widgets.empty_state("Nothing is pending: every migration of the folder is applied here.")
    st.stop()
picked = st.multiselect("Pending migrations to lint", pending, default=pending, key=migration_lint.PICK_KEY)
if not picked:
    st.stop()
doc = migration_lint.lint_or_panel(folder, picked)
if doc is None:
    st.stop()

migration_lint.verdict_strip(doc)

st.subheader("Findings")
findings = migration_lint.finding_rows(doc)
widgets.status_table(findings, key="lint.findings.csv", file_name="migration_lint.csv",
                     empty="No hazard found on this database's data.")
for f in doc["findings"]:
    with st.expander(f"{f['severity'].upper()} · {f['rule']} · {f['migration']} line {f['line']}"):
        st.markdown(widgets.md_escape(f["detail"]))
        st.code(f["statement"], language="sql")
        if f["sample"]:
            st.caption(f"Sample ({len(f['sample'])} rows):")
            st.code("\n".join(json.dumps(row, default=str) for row in f["sample"]), language="json")
        st.caption("Fix:")
        st.code(f["fix"], language="sql")

st.subheader("Statements and their locks")
widgets.status_table(migration_lint.statement_rows(doc), key="lint.statements.csv", file_name="migration_lint_statements.csv")
st.download_button("Lint (JSON)", json.dumps(doc, indent=2, default=str), file_name=f"migration-lint-{env.name}.json",
                   mime="application/json", key="lint.json", icon=":material/download:", on_click="ignore")
