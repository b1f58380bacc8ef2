"""The Overview, drawn from ``apms_ops.briefing``: the verdict and its reasons, the caveats,
what changed, and the next actions fit one 1440x900 screen; the figures, every check on
one line, the sign-off and the report follow below.

Each of the first four parts sits in a keyed container (``st-key-apms-overview-*`` in the
page) so the browser test can measure that they are above the fold.
"""

from __future__ import annotations

import json

import streamlit as st

from apms_ops.briefing import (
    BLOCKING, HOLDING, PASSED, Briefing, CheckLine, briefing_from_inputs, briefing_inputs, check_levels, verdict_word,
)
from apms_ops.history import default_history_url
from apms_ops.review import Review
from apms_ops.ui import links, navigation, tables, widgets
from apms_ops.ui.report import store
from apms_ops.ui.settings import HISTORY_TTL_S

FINDINGS = navigation.path_of(links.FINDINGS_PAGE)
LEVEL_BADGES = {BLOCKING: "red", HOLDING: "orange", "Accepted": "violet", "Not checked": "gray", "Passed": "green"}
# An HTML report above this size is offered as a download only: it would travel with every run of the page.
HTML_INLINE_LIMIT = 3_000_000


@st.cache_data(ttl=HISTORY_TTL_S, show_spinner=False)
def _inputs(url: str, environment: str) -> dict:
    return briefing_inputs(store(), environment)


@st.cache_data(ttl=HISTORY_TTL_S, max_entries=16, show_spinner=False)
def _html_report(url: str, environment: str, started_at: str, verdict: str, accepted: tuple, _review: Review) -> str:
    from apms_ops.ui.report import report_text

    return report_text(_review, "html")


def html_report(review: Review) -> str:
    """The HTML report of ``review`` (cached like the history reads it includes)."""
    accepted = tuple(sorted(f.get("fingerprint") or "" for c in review.checks for f in c.findings if f.get("accepted")))
    return _html_report(default_history_url(), review.environment, review.started_at, review.verdict, accepted, review)


def clear() -> None:
    """Drop the cached history reads (after a write, and on the sidebar's refresh)."""
    _inputs.clear()
    _html_report.clear()


def load_briefing(review: Review) -> Briefing:
    """The briefing of ``review``; without the history's parts (and a caveat saying so) when the store fails."""
    try:
        inputs, problem = _inputs(default_history_url(), review.environment), None
    except Exception as exc:  # noqa: BLE001 - the verdict stands without the history
        inputs, problem = None, widgets.safe_message(exc)
    return briefing_from_inputs(review, inputs, problem)


# ---------------------------------------------------------------- the first screen


def verdict_and_reasons(review: Review, brief: Briefing) -> None:
    left, right = st.columns([5, 7], gap="medium")
    with left, st.container(key="apms-overview-verdict"):
        widgets.verdict_banner(review, caveats=len(brief.warnings))
    with right, st.container(key="apms-overview-reasons"):
        st.markdown("**Why**")
        if brief.reasons:
            st.markdown("\n".join(f"- **{verdict_word(r.verdict)}** · {widgets.md_escape(r.text)} `{r.rule}`" for r in brief.reasons))
        elif brief.warnings:
            st.markdown("No verdict rule fired: every check passed or had nothing to check. **Read the caveats**: "
                        "they are what the verdict does not say.")
        else:
            st.markdown("No verdict rule fired: every check passed or had nothing to check.")


def caveats_and_changes(brief: Briefing) -> None:
    left, right = st.columns([7, 5], gap="medium")
    with left, st.container(key="apms-overview-caveats"):
        # The same count as the sidebar badge: warnings; notes are listed but not counted.
        notes = len(brief.caveats) - len(brief.warnings)
        count = ", ".join(part for part in (
            f"{len(brief.warnings)} to read" if brief.warnings else "",
            f"{notes} note{'s' if notes != 1 else ''}" if notes else "") if part)
        st.markdown(f"**Caveats ({count})**" if count else "**Caveats**")
        if not brief.caveats:
            st.markdown("None: the invariant tests ran and passed, nothing is accepted, every check ran.")
        lines = []
        for c in brief.caveats:
            icon = ":orange[:material/warning:]" if c.level == "warn" else ":gray[:material/info:]"
            link = ""
            if c.check:
                target = links.href(links.FINDINGS_PAGE, check=c.check, finding=c.fingerprint)
                link = f" [{'finding' if c.fingerprint else 'findings'}]({target})"
            lines.append(f"- {icon} {widgets.md_escape(c.text)}{link}")
        if lines:
            st.markdown("\n".join(lines))
    with right, st.container(key="apms-overview-changes"):
        st.markdown("**What changed**")
        run, signed = brief.since_run, brief.since_sign_off
        if run.compared and signed.compared and run.run_id == signed.run_id:
            # The sign-off rests on the latest saved run: one comparison answers both questions.
            parts = [("Since the last saved run and the sign-off", f"{run.since}; signed {signed.since.split(';')[0]}", run)]
        else:
            parts = [("Since the last saved run", run.since, run), ("Since the last sign-off", signed.since, signed)]
        for title, since, changes in parts:
            if not changes.compared:
                st.markdown(f"**{title}:** {widgets.md_escape(since)}")
            elif len(changes.lines) == 1:
                st.markdown(f"**{title}** ({widgets.md_escape(since)}): {widgets.md_escape(changes.lines[0])}")
            else:
                body = "\n".join(f"- {widgets.md_escape(line)}" for line in changes.lines)
                st.markdown(f"**{title}** ({widgets.md_escape(since)}):\n{body}")


def next_actions(brief: Briefing) -> None:
    with st.container(key="apms-overview-actions"):
        more = f" · {brief.more_actions} more on the Findings page" if brief.more_actions else ""
        st.markdown(f"**Next actions** — the fixes that clear the verdict{more}")
        if not brief.actions:
            st.markdown("Nothing to fix: no verdict rule fired.")
            return
        for n, (col, action) in enumerate(zip(st.columns(len(brief.actions), gap="medium"), brief.actions), start=1):
            with col:
                st.markdown(f"**{n}. {widgets.md_escape(action.title)}** · clears `{action.rule}` ({verdict_word(action.verdict)})")
                if action.note:
                    st.caption(widgets.md_escape(action.note))
                label = "Open the finding" if action.fingerprint else (f"Open the {action.findings} findings" if action.findings
                                                                       else f"Open {action.check}")
                links.page_link(FINDINGS, label, icon=":material/arrow_forward:", help=action.how or None, check=action.check,
                                finding=action.fingerprint)
                if action.sql:
                    st.code(action.sql, language="sql", height=96 if action.sql.count("\n") > 3 else "content")


# ---------------------------------------------------------------- below the fold


def check_lines(review: Review) -> None:
    """Every check on one line, PgHero style: level, title, figure, and a link to its page.
    The passed ones are left off the printed handout."""
    lines = check_levels(review)
    st.markdown("**Every check**")
    problems = [_check_line(line) for line in lines if line.level != PASSED]
    if problems:
        st.markdown("\n".join(problems))
    with st.container(key="apms-no-print-passed"):
        st.markdown("\n".join(_check_line(line) for line in lines if line.level == PASSED))


def _check_line(line: CheckLine) -> str:
    badge = f":{LEVEL_BADGES.get(line.level, 'gray')}-badge[{line.level}]"
    extra = []
    if line.open_findings:
        extra.append(f"{line.open_findings} open")
    if line.accepted_findings:
        extra.append(f"{line.accepted_findings} accepted")
    tail = f" · {', '.join(extra)}" if extra else ""
    link = links.href(links.FINDINGS_PAGE, check=line.id)
    return (f"- {badge} [{widgets.md_escape(line.title)}]({link}) `{line.id}` · {line.status} · "
            f"{widgets.md_escape(line.figure)}{tail}")


def html_report_link(review: Review, report_html: str | None) -> None:
    """A link that opens the HTML report in a new tab.

    The report travels with the page and becomes a blob URL when the link is clicked
    (a click is what lets a page open a tab); Streamlit has no route to serve it from.
    """
    if not report_html or len(report_html) > HTML_INLINE_LIMIT:
        return
    report_id = f"r{abs(hash((review.environment, review.started_at, len(report_html)))) % 10**10}"
    # No "<" in the script's text: the sanitizer drops a script whose text looks like markup.
    payload = json.dumps(report_html).replace("<", "\\u003c")
    st.html(
        f'<a class="apms-report-link" data-report="{report_id}" href="#" '
        'style="display:inline-flex;align-items:center;gap:0.4rem;padding:0.35rem 0.8rem;border:1px solid #d0d7de;'
        'border-radius:0.5rem;text-decoration:none;color:inherit;font-size:0.95rem">'
        '&#8599; Open the HTML report</a>'
        f"<script>(function(){{window.apmsReports=window.apmsReports||{{}};window.apmsReports[{json.dumps(report_id)}]={payload};"
        "if(window.apmsReportClicks)return;window.apmsReportClicks=true;"
        "document.addEventListener('click',function(ev){var a=ev.target.closest&&ev.target.closest('a.apms-report-link');"
        "if(!a)return;var text=window.apmsReports[a.dataset.report];if(!text)return;ev.preventDefault();"
        "var tab=window.open(URL.createObjectURL(new Blob([text],{type:'text/html'})),'_blank');if(tab)tab.opener=null;},true);"
        "})();</script>",
        unsafe_allow_javascript=True,
    )


def latest_migration(review: Review) -> None:
    latest = tables.latest_migration(review)
    if latest:
        st.caption(f"Latest applied migration: `{latest['migration']}` · finished {tables.moment(latest.get('finished_at'))}")
    else:
        reason = tables.fact_error(review, "migrations") or "empty history"
        st.caption(f"Latest applied migration: none to show ({widgets.md_escape(reason)}).")
