"""Findings: every check by what it does to the verdict, and one page per check with its findings and their fixes."""

from apms_ops.ui import findings, links, navigation, state, widgets

navigation.require_router()

review = state.page_review()
check_id = links.param(links.CHECK)

if check_id is None:
    widgets.page_header("Findings", review, "Every check by what it does to the verdict now, advisor style. Open a check "
                        "for what it asks, why it matters, how to fix it, and its findings with their SQL.",
                        json_key="findings.json")
    findings.levels(review)
else:
    findings.check_page(review, check_id, links.param(links.FINDING))
