"""The Overview's content (``apms_ops.briefing``) against real databases and a real history store:
reasons, caveats, what changed, the next actions and the level of every check."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from apms_ops.briefing import (
    ACCEPTED, BLOCKING, HOLDING, NOT_VERIFIED, PASSED, briefing_from_inputs, briefing_inputs, build_briefing, check_levels,
    finding_label,
)
from apms_ops.history import HistoryStore
from apms_ops.review import run_review, with_acceptances
from conftest import SOON, admin_connection

ORPHAN_ROLE = ("INSERT INTO master_roles (id, workspace_id, config_version_id, code, name) "
               "SELECT 'orphan-role', workspace_id, 'no-such-version', 'GHOST', 'Ghost' FROM config_versions LIMIT 1;")


@pytest.fixture
def store(tmp_path):
    s = HistoryStore(f"sqlite:///{tmp_path / 'history.sqlite3'}")
    yield s
    s.engine.dispose()


def invariant_run(store, env: str, test: str, outcome: str, detail: str = "", minutes_ago: int = 5) -> None:
    store.save_invariant_run({
        "tag": f"apmsops-{test[:12]}", "environment": env, "database": "postgresql://x@h/db", "test": test,
        "outcome": outcome, "detail": detail or outcome, "duration_ms": 12.0, "run_by": "tester", "steps": [],
        "started_at": datetime.now(timezone.utc) - timedelta(minutes=minutes_ago),
    })


def test_staging_reasons_actions_and_caveats(staging_env, store):
    review = run_review(staging_env, with_facts=True)
    brief = briefing_from_inputs(review, briefing_inputs(store, "staging"))
    assert brief.verdict == "HOLD"
    assert [(r.rule, r.verdict) for r in brief.reasons] == [("R9", "HOLD"), ("R10", "HOLD")]
    assert brief.reasons[0].text.startswith("Foreign keys are missing: 1 of 46 in place")

    fks, check = brief.actions
    # One fix per missing FK, though the critical ones are findings of two checks.
    assert (fks.rule, fks.check, fks.findings, fks.fingerprint) == ("R9", "C1.foreign_keys", 45, None)
    assert fks.sql.count("NOT VALID;") == 45 and fks.sql.count("VALIDATE CONSTRAINT") == 45
    assert fks.title == "Foreign key coverage: 45 to fix"
    missing_check = review.check("C1.check_constraints").findings[0]
    assert (check.rule, check.findings, check.fingerprint) == ("R10", 1, missing_check["fingerprint"])
    assert check.title == "CHECK constraints: config_versions: status <> 'ACTIVE' OR activated_at IS NOT NULL"
    assert check.sql == missing_check["sql"] and brief.more_actions == 0

    kinds = [(c.kind, c.level) for c in brief.caveats]
    assert kinds == [("invariants", "warn"), ("not_checked", "info")]
    assert "Invariant tests have not run on staging" in brief.caveats[0].text
    assert "C6.health (no health_url configured" in brief.caveats[1].text
    assert not brief.since_run.compared and brief.since_run.since == "No saved run yet to compare with."
    assert not brief.since_sign_off.compared


def test_invariant_outcomes_become_caveats_even_on_go(fixed_env, store):
    invariant_run(store, "fixed", "isolation", "NOT_ENFORCED", "a cross-workspace row was stored")
    invariant_run(store, "fixed", "referential", "PASS")
    invariant_run(store, "fixed", "lifecycle", "ERROR", "lock timeout", minutes_ago=3)
    invariant_run(store, "fixed", "lifecycle", "PASS", minutes_ago=30)  # older: the ERROR is the latest
    brief = briefing_from_inputs(run_review(fixed_env, with_facts=True), briefing_inputs(store, "fixed"))
    assert brief.verdict == "GO" and brief.reasons == [] and brief.actions == []
    texts = [c.text for c in brief.warnings]
    assert any(t.startswith("Invariant test lifecycle could not finish") and "lock timeout" in t for t in texts)
    assert any(t.startswith("NOT_ENFORCED by the database: isolation") for t in texts)
    info = [c.text for c in brief.caveats if c.level == "info" and c.kind == "invariants"]
    assert info == ["Invariant tests not run yet: freeze_by_reference, one_active_per_workspace."]


def test_accepted_findings_are_caveats_with_who_until_when_and_the_reason_they_hide(staging_env, store):
    review = run_review(staging_env, with_facts=True)
    finding = review.check("C1.check_constraints").findings[0]
    store.accept(finding["fingerprint"], "C1.check_constraints", "added by the next migration", SOON,
                 environment="staging", finding=finding, accepted_by="alice")
    accepted = with_acceptances(review, store.active_acceptances("staging"))
    brief = build_briefing(accepted, invariant_runs=[])
    assert [r.rule for r in brief.reasons] == ["R9"]  # R10 left the verdict...
    [caveat] = [c for c in brief.caveats if c.kind == "accepted"]
    assert caveat.level == "warn" and caveat.check == "C1.check_constraints" and caveat.fingerprint == finding["fingerprint"]
    assert caveat.text == (f"Accepted: {finding_label(finding)} (C1.check_constraints) by alice until {SOON} 00:00 UTC"
                           ' — "added by the next migration"; without it: HOLD (R10)')  # ...and stays on the screen
    assert brief.accepted_findings == 1
    assert [a.rule for a in brief.actions] == ["R9"]
    levels = {line.id: line.level for line in check_levels(accepted)}
    assert levels["C1.check_constraints"] == ACCEPTED and levels["C1.foreign_keys"] == HOLDING


def test_an_acceptance_expiring_soon_is_a_warning(staging_env, store):
    review = run_review(staging_env)
    finding = review.check("C1.check_constraints").findings[0]
    store.accept(finding["fingerprint"], "C1.check_constraints", "short", datetime.now(timezone.utc) + timedelta(days=3),
                 environment="staging", finding=finding, accepted_by="bob")
    brief = build_briefing(with_acceptances(review, store.active_acceptances("staging")), invariant_runs=[])
    [caveat] = [c for c in brief.caveats if c.kind == "accepted"]
    assert caveat.text.endswith("expires soon.")


def test_what_changed_since_the_last_saved_run_and_the_sign_off(scratch, store):
    env = scratch.make(seed="staging")
    store.save_review(run_review(env), run_by="scheduler", source="audit")
    store.sign_off(env.name, "HOLD", migration="m1", comment="fix the FKs first", signed_by="lead")
    with admin_connection(env.url) as conn:
        conn.execute("ALTER TABLE config_versions ADD CONSTRAINT cv_created_by_fkey FOREIGN KEY (created_by) REFERENCES users (id)")
    brief = briefing_from_inputs(run_review(env, with_facts=True), briefing_inputs(store, env.name))
    assert brief.since_run.compared and brief.since_run.since.startswith("run #1, ") and brief.since_run.since.endswith(", HOLD")
    assert "Better: Foreign key coverage (C1.foreign_keys) 1 → 2." in brief.since_run.lines
    assert "Findings: 0 new, 1 resolved, 0 changed." in brief.since_run.lines
    assert brief.since_sign_off.since.startswith("HOLD by lead, ") and "; on run #1, " in brief.since_sign_off.since
    assert brief.since_sign_off.lines == brief.since_run.lines  # signed on that same run
    assert not [c for c in brief.caveats if c.kind == "sign_off"]  # HOLD then, HOLD now


def test_a_sign_off_that_disagrees_is_a_caveat(staging_env, store):
    store.save_review(run_review(staging_env), run_by="scheduler", source="audit")
    store.sign_off("staging", "GO", comment="ship it", signed_by="optimist")
    brief = briefing_from_inputs(run_review(staging_env, with_facts=True), briefing_inputs(store, "staging"))
    [caveat] = [c for c in brief.caveats if c.kind == "sign_off"]
    assert caveat.level == "warn" and "says GO (optimist" in caveat.text and "this review says HOLD" in caveat.text
    assert brief.since_run.lines == ("Nothing changed: same verdict, same figures, same findings.",)


def test_orphans_come_first_and_are_named_in_the_fk_fix(scratch):
    env = scratch.make(seed="staging", sql_text=ORPHAN_ROLE)
    review = run_review(env, with_facts=True)
    brief = build_briefing(review, invariant_runs=[])
    assert brief.verdict == "NO_GO"
    orphans, fks = brief.actions[0], brief.actions[1]
    assert (orphans.rule, orphans.verdict, orphans.sql) == ("R3", "NO_GO", "")
    assert orphans.title == "Orphaned records: master_roles.config_version_id → config_versions.id"
    assert fks.rule == "R9" and fks.note.startswith("Fix the 1 orphaned row(s) under these references first")
    levels = {line.id: line.level for line in check_levels(review)}
    assert levels["C1.orphans"] == BLOCKING and levels["C2.id_types"] == PASSED and levels["C6.health"] == NOT_VERIFIED
    assert [line.level for line in check_levels(review)][:1] == [BLOCKING]


def test_discovery_only_and_a_check_that_could_not_run_are_caveats(scratch, monkeypatch):
    env = scratch.make(sql_text="CREATE TABLE customers (id int PRIMARY KEY); "
                                "CREATE TABLE orders (id int PRIMARY KEY, customer_id int);")
    review = run_review(env, with_facts=True)
    brief = build_briefing(review, invariant_runs=[])
    assert brief.verdict == "HOLD"  # orders.customer_id has no FK
    assert brief.caveats[0].kind == "discovery" and brief.caveats[0].text.startswith("Discovery only")

    orphans = review.check("C1.orphans")
    orphans.status, orphans.detail = "ERROR", "permission denied for table orders"
    from apms_ops.verdict import decide

    review.verdict, review.reasons = decide(review.checks)
    brief = build_briefing(review, invariant_runs=[])
    assert any(c.kind == "partial" and "C1.orphans could not run (permission denied" in c.text for c in brief.caveats)
    [run_it] = [a for a in brief.actions if a.rule == "R15"]
    assert run_it.title == "Make C1.orphans run" and run_it.sql == ""


def test_a_history_store_that_cannot_be_read_is_a_caveat_not_a_failure(staging_env):
    brief = briefing_from_inputs(run_review(staging_env), None, "history store sqlite:///x: unable to open database file")
    assert brief.caveats[0].kind == "history" and "could not be read" in brief.caveats[0].text
    assert brief.since_run.since == "history store unavailable"
    assert brief.verdict == "HOLD" and len(brief.actions) == 2


@pytest.mark.parametrize("finding, label", [
    ({"table": "a", "column": "b_id", "references": "b.id"}, "a.b_id → b.id"),
    ({"table": "t", "definition": "x > 0"}, "t: x > 0"),
    ({"index": "one_active", "table": "cv"}, "index one_active on cv"),
    ({"table": "t", "column": "id", "type": "uuid"}, "t.id"),
    ({"migration": "20250101_init", "problem": "not applied"}, "migration 20250101_init: not applied"),
    ({"workspace": "w1", "active": 2}, "workspace w1"),
    ({"something": 1, "fingerprint": "x"}, "something: 1"),
])
def test_finding_labels(finding, label):
    assert finding_label(finding) == label
