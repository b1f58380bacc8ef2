"""Overview: can the deploy go — the verdict, its reasons, the caveats, what changed and the next actions on one screen."""

import streamlit as st

from apms_ops.ui import navigation, overview, report, state, tables, widgets

navigation.require_router()

review = state.page_review()
brief = overview.load_briefing(review)

widgets.page_header("Overview", review, json_key="overview.json")
overview.verdict_and_reasons(review, brief)
overview.caveats_and_changes(brief)
overview.next_actions(brief)

st.divider()
widgets.key_figures(tables.key_figures(review))
overview.check_lines(review)
overview.latest_migration(review)
report.latest_sign_off(review.environment)
left, right = st.columns([3, 2], vertical_alignment="bottom")
with left:
    report.download_report(review, key="overview.report")
with right:
    overview.html_report_link(review, overview.html_report(review))
