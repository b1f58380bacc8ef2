"""The review as JUnit XML: one test case per check, so CI systems list them.

FAIL is a ``<failure>``, ERROR an ``<error>``, SKIP ``<skipped>``. WARN and INFO
pass, with the detail in ``<system-out>`` prefixed by the status: JUnit has no
warning state, and a WARN alone does not fail the gate unless a rule makes the
verdict HOLD and the pipeline runs with ``--fail-on hold`` — the exit code, not
this file, is the gate. A FAIL whose findings were all accepted is still a
failure (check statuses stay honest); its message says how many were accepted.
The verdict and its reasons are properties of the test suite.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from apms_ops.checks.base import ERROR, FAIL, SKIP
from apms_ops.reports.document import finding_text
from apms_ops.review import Review


def _findings_text(check, limit: int = 200) -> str:
    lines = [f"- {finding_text(f)}" for f in check.findings[:limit]]
    if len(check.findings) > limit:
        lines.append(f"... and {len(check.findings) - limit} more")
    return "\n".join(lines)


def render_junit(review: Review, **_extras) -> str:
    suite = ET.Element("testsuite", {
        "name": f"apms-ops {review.environment}" + (f" ({review.partial_label})" if review.partial else ""),
        "tests": str(len(review.checks)),
        "failures": str(sum(c.status == FAIL for c in review.checks)),
        "errors": str(sum(c.status == ERROR for c in review.checks)),
        "skipped": str(sum(c.status == SKIP for c in review.checks)),
        "time": f"{review.duration_ms / 1000:.3f}",
        "timestamp": review.started_at,
    })
    props = ET.SubElement(suite, "properties")
    for name, value in (("verdict", review.verdict), ("environment", review.environment), ("database", review.database),
                        ("profile", review.profile)):
        ET.SubElement(props, "property", {"name": name, "value": str(value)})
    if review.partial:
        ET.SubElement(props, "property", {"name": "partial", "value": review.partial_label})
        ET.SubElement(props, "property", {"name": "not_run", "value": " ".join(review.not_run)})
    for reason in review.reasons:
        ET.SubElement(props, "property", {"name": f"reason.{reason.rule}", "value": f"{reason.verdict}: {reason.text}"})
    for c in review.checks:
        case = ET.SubElement(suite, "testcase", {"classname": f"apms_ops.{c.group}", "name": f"{c.id} {c.title}",
                                                 "time": f"{c.duration_ms / 1000:.3f}"})
        figures = f"target {c.target if c.target is not None else '-'}, actual {c.actual if c.actual is not None else '-'}"
        accepted = len(c.findings) - len(c.open_findings)
        message = f"{c.detail} ({figures})" + (f"; {accepted} of {len(c.findings)} findings accepted" if accepted else "")
        if c.status == FAIL:
            ET.SubElement(case, "failure", {"message": message, "type": FAIL}).text = _findings_text(c)
        elif c.status == ERROR:
            ET.SubElement(case, "error", {"message": message, "type": ERROR}).text = c.detail
        elif c.status == SKIP:
            ET.SubElement(case, "skipped", {"message": c.detail})
        else:
            out = f"{c.status}: {message}"
            if c.findings:
                out += "\n" + _findings_text(c)
            ET.SubElement(case, "system-out").text = out
    ET.indent(suite)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suite, encoding="unicode") + "\n"
