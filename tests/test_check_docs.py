"""Every check says what it asks, why it matters and how to fix it, on the check itself; docs/checks/
is generated from that and kept in sync; the report's advice is the same text."""

from __future__ import annotations

import pytest

from apms_ops.checks import REGISTRY
from apms_ops.checks.base import Check, Outcome
from apms_ops.checks.docs import check_doc, doc_for, main, rendered_docs, stale_files, write_docs
from apms_ops.reports.document import ACTIONS, RISKS
from conftest import ROOT

DOCS = ROOT / "docs" / "checks"


@pytest.mark.parametrize("check", REGISTRY, ids=lambda c: c.id)
def test_every_check_says_what_why_and_how(check):
    doc = check_doc(check)
    assert doc.what and doc.why and doc.how, f"{check.id}: its docstring needs 'Why it matters:' and 'How to fix:' paragraphs"
    assert doc.what[0].isupper() and doc.why[0].isupper() and doc.how[0].isupper()
    assert "``" not in doc.what + doc.why + doc.how + "".join(doc.more), "reST marks become Markdown"
    assert doc.rules, f"{check.id} feeds no verdict rule"


def test_docs_folder_is_what_the_registry_generates():
    assert stale_files(DOCS) == [], "run: python -m apms_ops.checks.docs docs/checks"
    assert sorted(p.name for p in DOCS.glob("*.md")) == sorted(rendered_docs())


def test_a_page_per_check_names_its_rule_and_what_a_failure_means():
    text = (DOCS / "C1.foreign_keys.md").read_text()
    assert text.startswith("# `C1.foreign_keys` — Foreign key coverage")
    for heading in ("## What it asks", "## Why it matters", "## How to fix", "## Verdict"):
        assert heading in text
    assert "R9 (HOLD)" in text and "**HOLD**" in text
    assert "**NO-GO or HOLD**" in (DOCS / "C4.one_active_per_workspace.md").read_text()
    index = (DOCS / "README.md").read_text()
    assert all(f"[`{c.id}`]({c.id}.md)" in index for c in REGISTRY)


def test_the_generator_writes_and_checks_a_folder(tmp_path, capsys):
    assert main([str(tmp_path), "--check"]) == 1  # empty: out of date
    assert "out of date" in capsys.readouterr().err
    assert main([str(tmp_path)]) == 0
    assert main([str(tmp_path), "--check"]) == 0
    (tmp_path / "C9.gone.md").write_text("a check that is no longer registered")
    assert stale_files(tmp_path) == ["C9.gone.md"]
    assert "C9.gone.md" in write_docs(tmp_path) and not (tmp_path / "C9.gone.md").exists()


def test_a_docstring_without_the_sections_leaves_them_empty():
    def bare(ctx) -> Outcome:
        """Something is true."""

    doc = check_doc(Check("C1.bare", "Bare", "major", bare))
    assert (doc.what, doc.why, doc.how, doc.more) == ("Something is true.", "", "", ())


def test_the_report_advice_is_the_checks_own_text():
    for check in REGISTRY:
        doc = doc_for(check.id)
        assert ACTIONS[check.id] == doc.how and RISKS[check.id] == doc.why
    assert doc_for("C9.nothing") is None
