"""The verdict: each rule on hand-made results, and the seeds' verdicts with exact figures."""

from __future__ import annotations

import pytest

from apms_ops.checks import REGISTRY, CheckResult
from apms_ops.checks.base import BLOCKER, MAJOR
from apms_ops.review import run_review
from apms_ops.verdict import GO, HOLD, NO_GO, RULES, decide


def res(check_id, status, findings=None, target=None, actual=None, detail="d"):
    check = next(c for c in REGISTRY if c.id == check_id)
    return CheckResult(check.id, check.group, check.title, check.severity, status, target, actual, detail, findings or [])


RULE_CASES = [
    ("R1", NO_GO, res("C1.tables", "FAIL", [{"table": "t"}])),
    ("R2", NO_GO, res("C1.partial_unique_index", "FAIL", [{"index": "i"}])),
    ("R3", NO_GO, res("C1.orphans", "FAIL", [{"table": "t", "orphans": 3}])),
    ("R4", NO_GO, res("C2.id_types", "FAIL", [{"table": "t"}])),
    ("R4", NO_GO, res("C2.reference_types", "FAIL", [{"table": "t"}])),
    ("R5", NO_GO, res("C3.lifecycle", "FAIL", [{"rule": "illegal_status"}])),
    ("R6", NO_GO, res("C4.one_active_per_workspace", "FAIL", [{"workspace": "w", "active": 2}])),
    ("R7", NO_GO, res("C5.isolation", "FAIL", [{"table": "t", "rows": 1}])),
    ("R8", NO_GO, res("C6.runtime", "FAIL", [{"instance": "i"}])),
    ("R9", HOLD, res("C1.foreign_keys", "FAIL", [{"table": "t"}], 46, 45)),
    ("R9", HOLD, res("C1.critical_foreign_keys", "FAIL", [{"table": "t"}], 17, 16)),
    ("R10", HOLD, res("C1.check_constraints", "FAIL", [{"table": "t"}], 22, 21)),
    ("R11", HOLD, res("C1.extensions", "FAIL", [{"extension": "pgcrypto"}])),
    ("R12", HOLD, res("C1.migrations", "WARN")),
    ("R13", HOLD, res("C4.one_active_per_workspace", "WARN", [{"workspace": "w", "active": 0}])),
    ("R14", HOLD, res("C6.health", "FAIL", [{"url": "u"}])),
    ("R15", HOLD, res("C1.orphans", "ERROR", detail="permission denied for table x")),
    ("R16", NO_GO, res("C1.critical_foreign_keys", "FAIL", [{"table": "t", "column": "c", "references": "u.id", "problem": "on delete",
                                                            "destructive": True, "reason": "ON DELETE CASCADE"}], 17, 17)),
    ("R17", HOLD, res("C1.design", "FAIL", [{"problem": "nothing to verify"}])),
    ("R18", HOLD, res("C1.reference_columns", "WARN", [{"table": "t", "column": "stripe_customer_id", "problem": "no table of that name"}])),
]


# A critical key that cascades a delete is also a key that differs from the design (R9).
ALSO_FIRES = {"R16": ["R9"]}


@pytest.mark.parametrize("rule_id,verdict,result", RULE_CASES, ids=[f"{c[0]}-{c[2].id}" for c in RULE_CASES])
def test_each_rule_fires_alone(rule_id, verdict, result):
    got, reasons = decide([result])
    assert got == verdict
    assert [r.rule for r in reasons] == [rule_id] + ALSO_FIRES.get(rule_id, [])


REVIEW_BAND = [
    res("C1.foreign_keys", "WARN", [{"table": "t", "column": "release", "confidence": "review"}], 0, 0),
    res("C1.orphans", "FAIL", [{"table": "t", "column": "release", "orphans": 2, "confidence": "review"}]),
    res("C2.reference_types", "FAIL", [{"table": "t", "column": "release", "confidence": "review"}]),
    res("C5.isolation", "FAIL", [{"table": "t", "column": "release", "rows": 1, "confidence": "review"}]),
]


@pytest.mark.parametrize("result", REVIEW_BAND, ids=[r.id for r in REVIEW_BAND])
def test_a_suspected_reference_never_moves_the_verdict_alone(result):
    assert decide([result]) == (GO, [])
    # ... but a high-confidence finding beside it does.
    high = {k: v for k, v in result.findings[0].items() if k != "confidence"}
    assert decide([CheckResult(**{**result.__dict__, "findings": [*result.findings, high]})])[0] != GO


def test_every_rule_has_a_case():
    assert {r.id for r in RULES} == {c[0] for c in RULE_CASES}


def test_nothing_fires_on_pass_info_skip():
    results = [res(c.id, s) for c in REGISTRY for s in ("PASS", "INFO", "SKIP")]
    assert decide(results) == (GO, [])


def test_accepted_findings_are_left_out_but_the_status_stays():
    accepted = res("C1.orphans", "FAIL", [{"table": "t", "orphans": 1, "accepted": True}])
    assert decide([accepted]) == (GO, [])
    assert accepted.status == "FAIL"
    half = res("C1.orphans", "FAIL", [{"table": "t", "accepted": True}, {"table": "u"}])
    assert decide([half])[0] == NO_GO


def test_c4_none_active_holds_but_two_active_is_no_go():
    both = res("C4.one_active_per_workspace", "FAIL", [{"workspace": "a", "active": 2}, {"workspace": "b", "active": 0}])
    verdict, reasons = decide([both])
    assert verdict == NO_GO
    assert [r.rule for r in reasons] == ["R6", "R13"]


def test_worst_verdict_wins_and_reasons_are_worst_first():
    verdict, reasons = decide([res("C1.check_constraints", "FAIL", [{}], 22, 21), res("C1.orphans", "FAIL", [{"orphans": 1}])])
    assert verdict == NO_GO
    assert [r.verdict for r in reasons] == [NO_GO, HOLD]


def test_every_registered_check_is_covered_by_a_rule():
    covered = {c for rule in RULES for c in rule.checks}
    assert {c.id for c in REGISTRY} <= covered
    # Severity agrees with the rules: blockers are what NO_GO rules read, majors what HOLD rules read.
    for check in REGISTRY:
        verdicts = {r.verdict for r in RULES if check.id in r.checks}
        assert (check.severity == BLOCKER) == (NO_GO in verdicts), check.id
        assert check.severity in (BLOCKER, MAJOR)


# ---------------------------------------------------------------- the seeds


def test_staging_is_hold_with_exactly_the_two_reasons(staging_env):
    review = run_review(staging_env, "apms")
    assert review.verdict == HOLD
    assert [r.rule for r in review.reasons] == ["R9", "R10"]
    assert "1 of 46" in review.reasons[0].text
    assert "status <> 'ACTIVE' OR activated_at IS NOT NULL" in review.reasons[1].text


def test_staging_figures_are_exact(staging_env):
    review = run_review(staging_env, "apms")
    figures = {c.id: (c.status, c.target, c.actual) for c in review.checks}
    assert figures["C1.extensions"] == ("PASS", 1, 1)
    assert figures["C1.tables"] == ("PASS", 16, 16)
    assert figures["C1.foreign_keys"] == ("FAIL", 46, 1)
    assert figures["C1.critical_foreign_keys"] == ("FAIL", 17, 1)
    assert figures["C1.check_constraints"] == ("FAIL", 22, 21)
    assert figures["C1.partial_unique_index"] == ("PASS", 1, 1)
    assert figures["C1.orphans"] == ("PASS", 0, 0)
    assert figures["C2.id_types"][0] == "PASS"
    assert figures["C2.reference_types"] == ("PASS", 46, 46)
    for check_id in ("C3.lifecycle", "C4.one_active_per_workspace", "C5.isolation", "C6.runtime"):
        assert figures[check_id][0] == "PASS", check_id

    missing = {(f["table"], f["column"], f["references"]) for f in review.check("C1.foreign_keys").findings}
    assert len(missing) == 45
    assert ("config_versions", "workspace_id", "workspaces.id") not in missing  # the one FK staging has
    assert ("workflow_instances", "config_version_id", "config_versions.id") in missing
    assert ("master_notification_templates", "channel_id", "master_notification_channels.id") in missing
    (check,) = review.check("C1.check_constraints").findings
    assert (check["table"], check["definition"]) == ("config_versions", "status <> 'ACTIVE' OR activated_at IS NOT NULL")


def test_fixed_is_go(fixed_env):
    review = run_review(fixed_env, "apms")
    assert review.verdict == GO, [str(r) for r in review.reasons]
    assert review.check("C1.foreign_keys").actual == 46


@pytest.mark.parametrize("fault,rule", [
    ("DROP INDEX config_versions_one_active_per_workspace;"
     "UPDATE config_versions SET status = 'ACTIVE', activated_at = '2025-12-30' "
     "WHERE id = (SELECT min(id) FROM config_versions WHERE status = 'DRAFT')", "R6"),
    ("INSERT INTO master_roles (id, workspace_id, config_version_id, code, name) "
     "SELECT 'o1', workspace_id, 'missing', 'X', 'x' FROM config_versions LIMIT 1", "R3"),
    ("ALTER TABLE master_positions ALTER COLUMN department_id TYPE varchar(36)", "R4"),
    ("DROP INDEX config_versions_one_active_per_workspace", "R2"),
], ids=["two-active", "orphans", "type-mismatch", "no-partial-index"])
def test_staging_with_a_fault_is_no_go(scratch, fault, rule):
    review = run_review(scratch.make("staging", fault), "apms")
    assert review.verdict == NO_GO
    assert rule in [r.rule for r in review.reasons if r.verdict == NO_GO]
