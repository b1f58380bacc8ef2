"""The validation report: Markdown structure and honesty, HTML that parses and escapes, JUnit XML, JSON extras."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from datetime import datetime, timezone
from html.parser import HTMLParser

import pytest

from apms_ops.checks.base import CheckResult
from apms_ops.history import HistoryStore
from apms_ops.reports import render
from apms_ops.reports.document import status_label
from apms_ops.review import Review, run_review
from conftest import SOON, admin_connection

HOSTILE = '<script>alert("x")</script>'
SECTIONS = [
    "# Validation report: ",
    "## Why",
    "## Validation summary",
    "### C1 Schema integrity",
    "### C2 Type alignment",
    "## Critical discoveries",
    "## Go / no-go assessment",
    "### Criteria met",
    "### Criteria not met",
    "### HOLD conditions",
    "### NO-GO criteria",
    "## Invariant tests (latest runs)",
    "## Decision",
    "## Next steps",
    "## Findings",
    "## Remediation SQL",
]


@pytest.fixture
def store(tmp_path):
    s = HistoryStore(f"sqlite:///{tmp_path / 'history.sqlite3'}")
    yield s
    s.engine.dispose()


def section(text: str, heading: str) -> str:
    """The body of one Markdown section, up to the next heading of the same or a higher level."""
    level = heading.split(" ")[0]
    body = text.split(heading, 1)[1]
    stop = re.search(rf"^#{{1,{len(level)}}} ", body, flags=re.M)
    return body[: stop.start()] if stop else body


def summary_rows(text: str) -> list[list[str]]:
    rows = []
    for line in section(text, "## Validation summary").splitlines():
        if line.startswith("| ") and not line.startswith("| Check |"):
            cells = [c.strip() for c in re.split(r"(?<!\\)\|", line)[1:-1]]
            assert len(cells) == 4, line
            rows.append(cells)
    return rows


def test_markdown_has_the_sections_of_the_seed_report_in_order(staging_env):
    text = render(run_review(staging_env), "markdown")
    positions = [text.index(s) for s in SECTIONS]
    assert positions == sorted(positions)
    assert text.splitlines()[0] == "# Validation report: staging — HOLD"
    assert "| Check | Target | Actual | Status |" in text


def test_markdown_never_marks_a_missed_target_as_passed(staging_env):
    review = run_review(staging_env)
    rows = summary_rows(render(review, "markdown"))
    assert len(rows) == len(review.checks)
    for name, target, actual, status in rows:
        if "PASS" in status:
            assert target == actual, name
        if target != actual and target != "-" and actual != "-":
            assert "PASS" not in status, name
    by_name = {r[0]: r for r in rows}
    assert by_name["Foreign key coverage (`C1.foreign_keys`)"][1:] == ["46", "1", "**FAIL**"]
    assert by_name["CHECK constraints (`C1.check_constraints`)"][1:] == ["22", "21", "**FAIL**"]


def test_a_pass_whose_figure_misses_its_target_is_not_shown_as_passed():
    lying = CheckResult("C1.check_constraints", "C1", "CHECK constraints", "major", "PASS", target=22, actual=21, detail="x")
    review = Review("GO", [], "env", "db", "apms", "2026-01-01T00:00:00+00:00", 1.0, [lying])
    assert status_label(lying) == "UNVERIFIED: figure misses target"
    [row] = summary_rows(render(review, "markdown"))
    assert row[1:] == ["22", "21", "**UNVERIFIED: figure misses target**"]


def test_accepted_findings_keep_the_fail_and_leave_the_verdict(store, staging_env):
    finding = run_review(staging_env).check("C1.check_constraints").findings[0]
    store.accept(finding["fingerprint"], "C1.check_constraints", "next migration adds it", SOON, accepted_by="olga")
    review = run_review(staging_env, acceptances=store.active_acceptances("staging"))
    text = render(review, "markdown", **store.report_extras(review))
    row = next(r for r in summary_rows(text) if "C1.check_constraints" in r[0])
    assert row[3] == "**FAIL (1 of 1 findings accepted)**"
    assert "R10" in section(text, "### Criteria met") and "R10" not in section(text, "### Criteria not met")
    accepted = section(text, "## Accepted findings")
    assert "| `C1.check_constraints` |" in accepted and "olga" in accepted and f"{SOON} 00:00 UTC" in accepted


def test_next_steps_come_from_the_findings_and_the_history(store, scratch):
    env = scratch.make("staging")
    with admin_connection(env.url) as conn:
        conn.execute("INSERT INTO master_roles (id, workspace_id, config_version_id, code, name) "
                     "SELECT 'o1', workspace_id, 'missing', 'X1', 'x' FROM config_versions ORDER BY id LIMIT 1")
    review = run_review(env)
    text = render(review, "markdown", **store.report_extras(review))
    steps = [line for line in section(text, "## Next steps").splitlines() if re.match(r"\d+\. ", line)]
    assert steps[0].startswith("1. **Must fix (NO-GO):** `C1.orphans`")
    assert any("`C1.foreign_keys`" in s and "HOLD" in s for s in steps)
    assert any("Run the invariant tests" in s for s in steps)
    assert any("Schedule the audit" in s and "no saved audit yet" in s for s in steps)
    assert any("Record the decision" in s for s in steps)
    assert "R3: Orphaned rows exist" in section(text, "### Criteria not met")
    assert "**R3:** Orphaned rows exist" in section(text, "### NO-GO criteria")
    assert "Orphaned records (`C1.orphans`): FAIL" in section(text, "## Critical discoveries")


def test_remediation_sql_has_each_statement_once(staging_env):
    sql = section(render(run_review(staging_env), "markdown"), "## Remediation SQL")
    statements = [line for line in sql.splitlines() if line.startswith("ALTER TABLE")]
    assert len(statements) == len(set(statements)) == 2 * 46  # 45 FKs and 1 CHECK, each added NOT VALID then validated


def test_invariant_runs_changes_and_history_are_in_the_report(store, staging_env):
    reviewed = run_review(staging_env)
    first = store.save_review(reviewed, source="audit")
    key = reviewed.database_key  # runs of this database; another database's would not be shown
    store.save_invariant_run({"tag": "t1", "environment": "staging", "database": "db", "database_key": key, "test": "freeze_by_reference",
                              "outcome": "PASS", "detail": "instance still on version 2", "started_at": datetime.now(timezone.utc),
                              "duration_ms": 12.0, "run_by": "ivan", "steps": []})
    store.save_invariant_run({"tag": "t2", "environment": "staging", "database": "db", "database_key": key, "test": "second_active",
                              "outcome": "NOT_ENFORCED", "detail": "a second ACTIVE was accepted", "started_at": datetime.now(timezone.utc),
                              "duration_ms": 9.0, "run_by": "ivan", "steps": []})
    review = run_review(staging_env)
    text = render(review, "markdown", **store.report_extras(review))
    runs = section(text, "## Invariant tests (latest runs)")
    assert "| freeze_by_reference | **PASS** | instance still on version 2 | ivan |" in runs
    assert "| second_active | **NOT_ENFORCED** |" in runs
    assert "Invariant test second_active: NOT_ENFORCED" in section(text, "## Critical discoveries")
    assert f"## Changes since run #{first}" in text and "No check and no finding changed." in text
    assert f"| #{first} |" in section(text, "## Audit history")


def test_html_parses_escapes_hostile_text_and_says_what_markdown_says(store, scratch):
    quoted = '"' + HOSTILE.replace('"', '""') + '"'
    env = scratch.make("staging", f"CREATE TABLE {quoted} (id text PRIMARY KEY, config_version_id text);"
                                  f"INSERT INTO {quoted} VALUES ('a', 'no-such-version');")
    env = type(env)(f"env {HOSTILE}", env.url, source="dsn")
    review = run_review(env)
    store.save_review(review)
    store.sign_off(env.name, "HOLD", migration=HOSTILE, comment=f"comment {HOSTILE} & more", signed_by="x")
    extras = store.report_extras(review)
    page = render(review, "html", **extras)

    class Collector(HTMLParser):
        VOID = {"meta", "br", "hr", "img", "link", "input"}

        def __init__(self):
            super().__init__()
            self.stack, self.tags, self.text, self.attrs = [], [], [], []

        def handle_starttag(self, tag, attrs):
            self.tags.append(tag)
            self.attrs += attrs
            if tag not in self.VOID:
                self.stack.append(tag)

        def handle_endtag(self, tag):
            assert self.stack and self.stack[-1] == tag, (tag, self.stack[-5:])
            self.stack.pop()

        def handle_data(self, data):
            self.text.append(data)

    parser = Collector()
    parser.feed(page)
    parser.close()
    assert parser.stack == []
    assert "script" not in parser.tags and "link" not in parser.tags and "img" not in parser.tags
    assert not any(name in ("src", "href") or name.startswith("on") for name, _ in parser.attrs)
    text = "".join(parser.text)
    assert HOSTILE in text  # shown as text...
    assert HOSTILE not in page  # ...because it was escaped
    assert f"comment {HOSTILE} & more" in text

    markdown = render(review, "markdown", **extras)
    md_headings = [re.sub(r"[`*]", "", line.lstrip("#").strip()).replace("&lt;", "<") for line in markdown.splitlines() if line.startswith("#")]
    html_headings = re.findall(r"<h\d[^>]*>(.*?)</h\d>", page)
    html_headings = [re.sub(r"<[^>]+>", "", h).replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace("&#x27;", "'").replace("&amp;", "&")
                     for h in html_headings]
    assert md_headings == html_headings
    assert "&lt;script>" in markdown and "<script>" not in markdown.replace(f"`{HOSTILE}`", "")


def test_junit_has_one_testcase_per_check_and_failures_for_fail(staging_env, store):
    finding = run_review(staging_env).check("C1.check_constraints").findings[0]
    store.accept(finding["fingerprint"], "C1.check_constraints", "later", SOON)
    review = run_review(staging_env, acceptances=store.active_acceptances("staging"))
    root = ET.fromstring(render(review, "junit"))
    assert root.tag == "testsuite"
    cases = root.findall("testcase")
    assert len(cases) == len(review.checks) == int(root.get("tests"))
    by_id = {c.get("name").split(" ")[0]: c for c in cases}
    assert set(by_id) == {c.id for c in review.checks}
    for check in review.checks:
        case = by_id[check.id]
        assert (case.find("failure") is not None) == (check.status == "FAIL"), check.id
        assert (case.find("skipped") is not None) == (check.status == "SKIP"), check.id
        assert (case.find("error") is not None) == (check.status == "ERROR"), check.id
    assert int(root.get("failures")) == sum(c.status == "FAIL" for c in review.checks) == 3
    assert "1 of 1 findings accepted" in by_id["C1.check_constraints"].find("failure").get("message")
    props = {p.get("name"): p.get("value") for p in root.find("properties")}
    assert props["verdict"] == "HOLD" and props["reason.R9"].startswith("HOLD: Foreign keys are missing")
    assert "C1.check_constraints" not in props.get("reason.R10", "")


def test_junit_warn_passes_with_the_detail_in_system_out(scratch):
    env = scratch.make("fixed", "UPDATE config_versions SET status = 'ARCHIVED' WHERE status = 'ACTIVE' "
                                "AND workspace_id = (SELECT min(workspace_id::text)::uuid FROM config_versions)")
    review = run_review(env)
    assert review.check("C4.one_active_per_workspace").status == "WARN"
    case = next(c for c in ET.fromstring(render(review, "junit")).findall("testcase") if c.get("name").startswith("C4."))
    assert case.find("failure") is None and case.find("error") is None
    assert case.find("system-out").text.startswith("WARN: ")


def test_json_report_adds_the_history_extras(store, staging_env):
    store.save_review(run_review(staging_env))
    store.sign_off("staging", "HOLD", migration="m", comment="c", signed_by="s")
    review = run_review(staging_env)
    data = json.loads(render(review, "json", **store.report_extras(review)))
    assert data["verdict"] == "HOLD" and data["sign_off"]["decision"] == "HOLD"
    assert {"checks", "invariant_runs", "history", "changes", "acceptances"} <= set(data)
    assert data["changes"]["verdict_change"] == "same"


def test_counts_are_distinct_findings_and_skip_is_never_met(staging_env):
    review = run_review(staging_env)
    text = render(review, "markdown")
    # 45 missing keys, 16 of them critical: reported by two checks, counted once.
    assert sum(len(review.check(c).open_findings) for c in ("C1.foreign_keys", "C1.critical_foreign_keys")) == 61
    hold_fk = section(text, "#### 1. Foreign keys are missing (R9)")
    assert "**Open findings:** 45" in hold_fk
    # C6.health was SKIP (no health_url): R14 is not verified, never met.
    assert review.check("C6.health").status == "SKIP"
    assert "R14" not in section(text, "### Criteria met")
    assert "R14" in section(text, "### Criteria not verified") and "`C6.health` SKIP" in section(text, "### Criteria not verified")
    # Checks that did not run are not verified either.
    only = run_review(staging_env, only=["C1.tables"])
    unverified = section(render(only, "markdown"), "### Criteria not verified")
    assert "R3:" in unverified and "`C1.orphans` did not run" in unverified


def test_reports_show_the_rows_the_checks_judged(staging_env):
    review = run_review(staging_env)
    text = render(review, "markdown")
    judged = section(text, "## Objects judged")
    assert "`C1.foreign_keys` Foreign key coverage — 46 judged: 45 FAIL, 1 PASS" in judged
    assert "| config_versions.created_by → users.id | **FAIL** | no foreign key: only application code keeps this reference |" in judged
    as_json = json.loads(render(review, "json"))
    rows = next(c for c in as_json["checks"] if c["id"] == "C1.foreign_keys")["rows"]
    assert len(rows) == 46 and {r["status"] for r in rows} == {"FAIL", "PASS"}
    assert all({"object", "status", "reason"} <= set(r) for c in as_json["checks"] for r in c["rows"])
