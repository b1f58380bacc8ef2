"""The Findings page, advisor style: every check by what it does to the verdict (NO-GO, HOLD,
accepted, not checked, passed) with counts, and one page per check — what it asks, why it
matters, how to fix (from ``apms_ops.checks.docs``), its findings as one selectable table,
the selected finding with its permalink, and the remediation folded away.

``?check=C1.foreign_keys`` opens a check, ``&finding=<fingerprint>`` selects and shows one
finding; selecting a row writes it into the URL, so the address bar is always the permalink.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from apms_ops.briefing import LEVELS, CheckLine, check_levels, finding_label
from apms_ops.checks.docs import doc_for
from apms_ops.review import Review
from apms_ops.samples import sample_label
from apms_ops.ui import links, navigation, tables, widgets
from apms_ops.ui.overview import LEVEL_BADGES

FINDINGS = navigation.path_of(links.FINDINGS_PAGE)
LEVEL_WHAT = {
    "NO-GO": "An open finding here stops the deploy.",
    "HOLD": "An open finding here holds the deploy until it is fixed or accepted.",
    "Accepted": "Every finding is accepted by someone, until a date: the verdict leaves them out.",
    "Not checked": "The check could not run or did not apply here: its part of the design is not verified.",
    "Passed": "The check ran and found nothing to fix.",
}
# Topic pages that show more about a check than its findings.
TOPIC_PAGES = {
    "C1.foreign_keys": "fk-coverage", "C1.critical_foreign_keys": "fk-coverage", "C1.orphans": "orphans-isolation",
    "C5.isolation": "orphans-isolation", "C6.runtime": "orphans-isolation", "C1.tables": "schema-integrity",
    "C1.check_constraints": "schema-integrity", "C1.partial_unique_index": "schema-integrity", "C1.extensions": "schema-integrity",
    "C2.id_types": "type-alignment", "C2.reference_types": "type-alignment", "C3.lifecycle": "workspace-versions",
    "C4.one_active_per_workspace": "workspace-versions", "C1.migrations": "migration-history",
}
REFERENCE_CHECKS = ("C1.foreign_keys", "C1.critical_foreign_keys", "C1.orphans", "C5.isolation")


# ---------------------------------------------------------------- every check by level


def level_counts(lines: list[CheckLine]) -> None:
    counts = {level: sum(1 for line in lines if line.level == level) for level in LEVELS}
    for col, level in zip(st.columns(len(LEVELS)), LEVELS):
        col.metric(level, counts[level], help=LEVEL_WHAT[level], border=True)


def levels(review: Review) -> None:
    """Every check, grouped by level with counts; each line links to the check's page."""
    lines = check_levels(review)
    level_counts(lines)
    for level in LEVELS:
        group = [line for line in lines if line.level == level]
        if not group:
            continue
        container = st.expander(f"{level} ({len(group)})", expanded=False) if level == "Passed" else st.container()
        with container:
            if level != "Passed":
                st.markdown(f"**{level} ({len(group)})** — {LEVEL_WHAT[level]}")
            for line in group:
                _level_line(line)


def _level_line(line: CheckLine) -> None:
    counts = []
    if line.open_findings:
        counts.append(f"{line.open_findings} open")
    if line.accepted_findings:
        counts.append(f"{line.accepted_findings} accepted")
    label = f"{line.title} · {line.figure}" + (f" · {', '.join(counts)}" if counts else "")
    left, right = st.columns([4, 6], vertical_alignment="center")
    with left:
        links.page_link(FINDINGS, label, icon=":material/arrow_forward:", help=f"Open {line.id}", check=line.id)
    right.caption(f":{LEVEL_BADGES.get(line.level, 'gray')}-badge[{line.status}] `{line.id}` {widgets.md_escape(line.detail)}")


# ---------------------------------------------------------------- one check


def check_page(review: Review, check_id: str, wanted: str | None) -> str | None:
    """The page of one check; returns the fingerprint of the finding shown (or None)."""
    result = tables.check(review, check_id)
    doc = doc_for(check_id)
    links.page_link(FINDINGS, "All findings", icon=":material/arrow_back:", check=None)
    if result is None or doc is None:
        widgets.needs_panel(f"No check {check_id} in this review.", "Pick one from the list of findings.")
        return None
    level = next(line for line in check_levels(review) if line.id == check_id)
    st.title(doc.title)
    st.markdown(f":{LEVEL_BADGES.get(level.level, 'gray')}-badge[{level.level}] :gray-badge[{result.status}] `{check_id}` · "
                f"{widgets.md_escape(level.figure)} · {widgets.md_escape(result.detail)}")
    # The finding a link points at (or the row selected) is drawn here, at the top: a
    # permalink opens on it, whatever the length of the list below.
    focus = st.container()
    what, why, how = st.columns(3)
    what.markdown(f"**What it asks** — {doc.what}")
    why.markdown(f"**Why it matters** — {doc.why}")
    how.markdown(f"**How to fix** — {doc.how}")
    if doc.more:
        with st.expander("More about this check"):
            st.markdown("\n\n".join(doc.more))
            rules = "; ".join(f"{r.id} ({r.verdict.replace('_', '-')}): {r.title}" for r in doc.rules) or "none"
            st.caption(f"Verdict rules: {rules}. A check that could not run holds the deploy (R15).")
    st.caption(f"Link to this check: `{links.finding_url(check_id)}`")
    topic = TOPIC_PAGES.get(check_id)
    if topic:
        spec = next(p for p in navigation.PAGES if p.url_path == topic)
        links.page_link(spec.path, f"More on the {spec.title} page", icon=spec.icon)

    rows = tables.finding_rows(review, check_id)
    st.subheader(f"Findings ({len(rows)})")
    if rows.empty:
        if result.status in ("PASS", "INFO"):
            widgets.all_clear("No findings: the check ran and found nothing to fix.")
        else:
            widgets.empty_state(f"No findings listed: {result.detail}")
        if wanted:
            with focus:
                missing_finding(review, wanted)
        judged_objects(review, check_id)
        return None
    chosen = widgets.selectable_table(rows, key=f"findings.{check_id}", id_column="Fingerprint", selected=wanted,
                                      file_name=f"{check_id}-findings.csv")
    links.set_param(links.FINDING, chosen)
    if wanted and wanted not in set(rows["Fingerprint"]):
        with focus:
            missing_finding(review, wanted)
    if chosen:
        finding = next(f for f in result.findings if f.get("fingerprint") == chosen)
        with focus:
            finding_card(review, check_id, finding, expanded=True)
    else:
        st.caption("Select a row to see the finding, its permalink and the SQL that fixes it (above the list).")
    judged_objects(review, check_id)
    script = "\n\n".join(dict.fromkeys(f["sql"] for f in result.findings if f.get("sql")))
    if script:
        with st.expander(f"Remediation SQL for every finding of this check ({script.count(';')} statements)"):
            st.code(script, language="sql")
            widgets.sql_download(script, file_name=f"apms-ops-{review.environment}-{check_id}.sql", key=f"findings.{check_id}.sql")
    return chosen


def judged_objects(review: Review, check_id: str) -> None:
    """Every object the check judged, folded away: what passed counts as much as what failed."""
    objects = tables.judged_rows(review, check_id)
    if objects.empty:
        return
    with st.expander(f"Every object it judged ({len(objects)}), with the status it gave each"):
        widgets.status_table(objects, key=f"findings.{check_id}.judged.csv", file_name=f"{check_id}-judged.csv")


def finding_card(review: Review, check_id: str, finding: dict, *, expanded: bool) -> None:
    """One finding: what it is, whether it is accepted, its permalink, its SQL and (for references) sample rows."""
    with st.container(border=True, key="apms-finding"):
        st.markdown(f"**{widgets.md_escape(finding_label(finding))}**")
        acc = finding.get("acceptance") or {}
        if finding.get("accepted"):
            st.info(f"Accepted by **{widgets.md_escape(acc.get('accepted_by', '?'))}** until "
                    f"{tables.moment(acc.get('expires_at'))}: {widgets.md_escape(acc.get('reason', ''))}. "
                    "It stays listed; the verdict leaves it out until then.", icon=":material/task_alt:")
        fields = {k: tables.text(v) for k, v in finding.items() if k not in ("sql", "accepted", "acceptance")}
        st.markdown(" · ".join(f"{k.replace('_', ' ')} `{v.replace('`', chr(39))}`" for k, v in fields.items()))
        st.caption("Permalink (the copy button is at the right of the line):")
        st.code(links.finding_url(check_id, finding.get("fingerprint")), language=None, wrap_lines=True)
        if finding.get("sql"):
            with st.expander("Remediation SQL", expanded=expanded):
                st.code(finding["sql"], language="sql")
        if check_id in REFERENCE_CHECKS and finding.get("table") and finding.get("column") and finding.get("references"):
            cross = check_id == "C5.isolation"
            if cross or finding.get("orphans") or tables.reference_orphans(review, finding):
                reference_sample(finding, cross_workspace=cross)


def reference_sample(finding: dict, *, cross_workspace: bool = False, limit: int = 10) -> None:
    """A bounded sample of the rows behind a reference finding (orphans, or rows in another workspace)."""
    from apms_ops.ui import state

    ref = (finding["table"], finding["column"], finding["references"])
    samples = state.load_orphan_samples([ref], limit=limit, cross_workspace=cross_workspace)
    what = "Rows pointing into another workspace" if cross_workspace else "Rows whose reference points at nothing"
    widgets.sample_rows(samples.get(sample_label(*ref)), what)


def selected_sample(chosen: str | None, rows: pd.DataFrame, what: str, limit: int, *, cross_workspace: bool = False) -> None:
    """The sample of the reference selected in a per-reference table (``Reference`` column), when it has rows to show."""
    if not chosen:
        if (rows["Status"] == "FAIL").any():
            st.caption("Select a reference for a sample of its rows.")
        return
    row = rows[rows["Reference"] == chosen].iloc[0]
    if row["Status"] != "FAIL":
        st.caption(f"{widgets.md_escape(chosen)}: nothing to sample ({row['Status']}).")
        return
    reference_sample({"table": row["Table"], "column": row["Column"], "references": row["References"]},
                     cross_workspace=cross_workspace, limit=limit)


def missing_finding(review: Review, fingerprint: str) -> None:
    """A linked finding that this review does not have: say so, and where it was last seen."""
    from apms_ops.ui.report import store

    seen = None
    try:
        seen = store().find_finding(fingerprint, review.environment)
    except Exception:  # noqa: BLE001 - the note stands without the history
        seen = None
    where = (f" It was last seen in saved run #{seen['run_id']} ({seen['check_id']}: {finding_label(seen['finding'])})."
             if seen else "")
    st.warning(f"The linked finding `{fingerprint}` is not open in the current review of **{widgets.md_escape(review.environment)}**: "
               f"it was fixed, or the link is from another environment or profile.{widgets.md_escape(where)}",
               icon=":material/search_off:")
