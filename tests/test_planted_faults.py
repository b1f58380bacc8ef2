"""One fault at a time, planted in a scratch copy of the intended design: the verdict, the
status of the checks it concerns, and the words the reasons must use.

The kinds come from ``planted_faults.FAULTS`` (the design list); a kind there
without a row here fails ``test_every_planted_fault_has_an_expectation``, and
the parametrized test cannot even be collected for it.
"""

from __future__ import annotations

import pytest

from apms_ops.review import run_review
from planted_faults import FAULTS

# kind: (verdict, {check id: status}, words the verdict's reasons (or, for GO, the checks' details) must contain)
EXPECTED: dict[str, tuple[str, dict[str, str], list[str]]] = {
    "fk_missing_critical": ("HOLD", {"C1.foreign_keys": "FAIL", "C1.critical_foreign_keys": "FAIL"},
                            ["Foreign keys are missing", "45 of 46 in place (16 of 17 critical)"]),
    "fk_cascade_on_critical": ("NO_GO", {"C1.critical_foreign_keys": "FAIL", "C1.foreign_keys": "FAIL"},
                               ["R16", "workflow_instances.config_version_id", "ON DELETE CASCADE",
                                "the design allows RESTRICT or NO ACTION"]),
    "fk_set_null_on_critical": ("NO_GO", {"C1.critical_foreign_keys": "FAIL"}, ["R16", "ON DELETE SET NULL"]),
    "fk_cascade_not_critical": ("HOLD", {"C1.foreign_keys": "FAIL", "C1.critical_foreign_keys": "PASS"},
                                ["Foreign keys differ from the design", "master_positions.department_id", "ON DELETE CASCADE"]),
    "fk_wrong_target": ("HOLD", {"C1.foreign_keys": "FAIL", "C1.critical_foreign_keys": "FAIL", "C1.orphans": "PASS"},
                        ["points at config_versions_archive.id, the design says config_versions.id"]),
    "fk_deferrable": ("HOLD", {"C1.foreign_keys": "FAIL"}, ["DEFERRABLE", "master_roles.workspace_id"]),
    "fk_match_full": ("HOLD", {"C1.foreign_keys": "FAIL"}, ["MATCH FULL; the design allows SIMPLE"]),
    "fk_not_valid_critical": ("HOLD", {"C1.foreign_keys": "WARN", "C1.critical_foreign_keys": "WARN"},
                              ["Foreign keys are not validated", "3 NOT VALID (not validated)"]),
    "fk_composite_with_the_workspace": ("GO", {"C1.foreign_keys": "PASS", "C1.critical_foreign_keys": "PASS"},
                                        ["enforced by the composite foreign key"]),
    "fk_composite_that_cascades": ("NO_GO", {"C1.critical_foreign_keys": "FAIL"}, ["R16", "master_roles.config_version_id",
                                                                                  "ON DELETE CASCADE"]),
    "fk_set_null_on_update_critical": ("NO_GO", {"C1.critical_foreign_keys": "FAIL"},
                                       ["ON UPDATE SET NULL; the design allows CASCADE, RESTRICT or NO ACTION"]),
    "fk_no_action_instead_of_restrict": ("GO", {"C1.foreign_keys": "PASS", "C1.critical_foreign_keys": "PASS"}, []),
    "check_missing": ("HOLD", {"C1.check_constraints": "FAIL"},
                      ["CHECK constraints are missing", "missing: master_holidays: holiday_date >= DATE '2000-01-01'"]),
    "check_not_valid": ("HOLD", {"C1.check_constraints": "WARN"},
                        ["CHECK constraints are not validated", "22 of 22", "NOT VALID", "master_holidays_holiday_date_check"]),
    "check_other_bound": ("HOLD", {"C1.check_constraints": "FAIL"},
                          ["CHECK constraints differ from the design", "master_priorities_rank_check differs", "constant 5 vs 9"]),
    "check_regrouped": ("HOLD", {"C1.check_constraints": "FAIL"},
                        ["workflow_instances_completed_at_check differs", "expected an OR of 2 terms, found an AND of 2 terms"]),
    "check_negated_wrongly": ("HOLD", {"C1.check_constraints": "FAIL"}, ["config_versions_activated_at_check differs"]),
    "check_under_another_name": ("HOLD", {"C1.check_constraints": "FAIL"}, ["grade_range differs", "constant 20 vs 21"]),
    "check_spelled_otherwise": ("GO", {"C1.check_constraints": "PASS"}, ["22 of 22 expected CHECK constraints present"]),
    "check_extra": ("GO", {"C1.check_constraints": "PASS"}, ["1 not in the profile: master_roles_name_check"]),
    "index_missing": ("NO_GO", {"C1.partial_unique_index": "FAIL"}, ["The partial unique index is missing"]),
    "index_not_unique": ("NO_GO", {"C1.partial_unique_index": "FAIL"},
                         ["The partial unique index differs from the design", "config_versions_one_active_per_workspace: not unique"]),
    "index_invalid": ("NO_GO", {"C1.partial_unique_index": "FAIL"}, ["The partial unique index is invalid", "INVALID"]),
    "index_wrong_predicate": ("NO_GO", {"C1.partial_unique_index": "FAIL"}, ["predicate differs", "'ACTIVE' vs 'DRAFT'"]),
    "index_wrong_columns": ("NO_GO", {"C1.partial_unique_index": "FAIL"},
                            ["columns (workspace_id, version), the design says (workspace_id)"]),
    "index_not_partial": ("NO_GO", {"C1.partial_unique_index": "FAIL"}, ["not partial: no WHERE status = 'ACTIVE'"]),
    "index_renamed": ("GO", {"C1.partial_unique_index": "PASS"}, []),
    "index_predicate_spelled_otherwise": ("GO", {"C1.partial_unique_index": "PASS"}, []),
    "table_without_primary_key": ("NO_GO", {"C2.id_types": "FAIL"},
                                  ["Id or reference types do not match", "master_holidays"]),
}

# Faults whose CHECK the seeded rows break are added NOT VALID (a fault, not a failed migration).
NOT_VALID_TOO = {"check_regrouped", "check_negated_wrongly"}


def test_every_planted_fault_has_an_expectation():
    assert set(FAULTS) == set(EXPECTED), "a fault kind in planted_faults.FAULTS needs a row in EXPECTED (and back)"


@pytest.mark.parametrize("kind", sorted(FAULTS))
def test_planted_fault(scratch, kind):
    verdict, statuses, words = EXPECTED[kind]
    sql = FAULTS[kind]
    if kind in NOT_VALID_TOO:
        sql = sql.rstrip() + " NOT VALID"
    review = run_review(scratch.make("fixed", sql), "apms")
    said = "\n".join(r.text for r in review.reasons) or "\n".join(c.detail for c in review.checks)
    said += "\n" + "\n".join(r["reason"] for check_id in statuses for r in review.check(check_id).rows)
    said += "\n" + "\n".join(f"{r.rule}" for r in review.reasons)
    assert review.verdict == verdict, said
    for check_id, status in statuses.items():
        result = review.check(check_id)
        assert result.status == status, (check_id, result.detail)
        # One decision per object: the check's status is the worst of the rows it judged.
        judged = {r["status"] for r in result.rows}
        worst = next(s for s in ("FAIL", "WARN", "PASS") if s in judged or s == "PASS")
        assert result.status == worst or result.status in ("INFO", "SKIP"), (check_id, judged)
    for word in words:
        assert word in said, f"{word!r} not in:\n{said}"
    # Every definition finding carries the SQL that fixes it.
    definition_checks = ("C1.foreign_keys", "C1.critical_foreign_keys", "C1.check_constraints", "C1.partial_unique_index")
    for f in (f for c in review.checks if c.id in definition_checks for f in c.findings):
        assert f.get("sql") or f.get("problem") in ("column missing", "referenced key missing"), f


# Faults whose fix the review generates: applied statement by statement (as psql would), the
# same checks pass again. Proves the SQL runs (no "constraint already exists") and fixes the fault.
FIXED_BY_ITS_SQL = {
    "fk_missing_critical": ("C1.foreign_keys", "C1.critical_foreign_keys"),
    "fk_cascade_on_critical": ("C1.foreign_keys", "C1.critical_foreign_keys"),
    "fk_wrong_target": ("C1.foreign_keys", "C1.critical_foreign_keys"),
    "fk_deferrable": ("C1.foreign_keys",),
    "fk_not_valid_critical": ("C1.foreign_keys", "C1.critical_foreign_keys"),
    "check_missing": ("C1.check_constraints",),
    "check_not_valid": ("C1.check_constraints",),
    "check_other_bound": ("C1.check_constraints",),
    "check_under_another_name": ("C1.check_constraints",),
    "index_missing": ("C1.partial_unique_index",),
    "index_not_unique": ("C1.partial_unique_index",),
    "index_invalid": ("C1.partial_unique_index",),
    "index_wrong_predicate": ("C1.partial_unique_index",),
    "index_not_partial": ("C1.partial_unique_index",),
}


@pytest.mark.parametrize("kind", sorted(FIXED_BY_ITS_SQL))
def test_the_generated_sql_fixes_the_fault(scratch, kind):
    import pglast

    from apms_ops.remediation import migration_script
    from conftest import admin_connection

    env = scratch.make("fixed", FAULTS[kind])
    before = run_review(env, "apms")
    script = migration_script([c.to_dict() for c in before.checks if c.id in FIXED_BY_ITS_SQL[kind]])
    assert script, kind
    with admin_connection(env.url) as conn:  # autocommit: CONCURRENTLY runs outside a transaction block
        for statement in pglast.split(script):
            conn.execute(statement)
    after = run_review(env, "apms")
    for check_id in FIXED_BY_ITS_SQL[kind]:
        assert after.check(check_id).status == "PASS", after.check(check_id).detail
    assert after.verdict == "GO", [r.text for r in after.reasons]


def test_a_changed_check_is_paired_with_its_own_expectation_not_a_looser_one(scratch):
    env = scratch.make("fixed", """
        ALTER TABLE config_versions DROP CONSTRAINT config_versions_activated_at_check;
        ALTER TABLE config_versions DROP CONSTRAINT config_versions_status_check;
        ALTER TABLE config_versions ADD CONSTRAINT status_values CHECK (status IN ('DRAFT', 'ACTIVE', 'ARCHIVED', 'DELETED'));""")
    result = run_review(env, "apms", only=["C1.check_constraints"]).check("C1.check_constraints")
    by_definition = {r["definition"]: r for r in result.rows if r.get("definition")}
    status = by_definition["status IN ('DRAFT','ACTIVE','ARCHIVED')"]
    assert status["constraint"] == "status_values" and "found, not expected: 'DELETED'::text" in status["reason"]
    activated = by_definition["status <> 'ACTIVE' OR activated_at IS NOT NULL"]
    assert activated["constraint"] is None and activated["reason"].startswith("missing")
