"""The registry is the single list of checks: every one documented, shaped alike and tested."""

from __future__ import annotations

import re
from pathlib import Path

from apms_ops.checks import REGISTRY, STATUSES, Context, run_check
from apms_ops.catalog import Snapshot
from apms_ops.profiles import NO_PROFILE

TESTS = Path(__file__).resolve().parent


def test_ids_are_unique_and_well_formed():
    ids = [c.id for c in REGISTRY]
    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(r"C[1-6]\.[a-z_]+", i) for i in ids)


def test_every_check_is_documented():
    for check in REGISTRY:
        assert check.title and check.doc, check.id


def test_every_check_has_a_fail_case_in_the_tests():
    text = (TESTS / "test_checks.py").read_text()
    for check in REGISTRY:
        assert f'"{check.id}"' in text, f"{check.id} has no fail case in tests/test_checks.py"


def test_one_result_shape_even_for_a_check_that_raises():
    ctx = Context(Snapshot(), NO_PROFILE, conn=None)
    for check in REGISTRY:
        result = run_check(check, ctx).to_dict()
        assert set(result) == {"id", "group", "title", "severity", "status", "target", "actual", "detail", "findings", "duration_ms", "rows"}
        assert result["status"] in STATUSES


def test_a_check_that_raises_is_an_error_result_with_its_message():
    from apms_ops.catalog import Column, Constraint, Table

    tables = {("public", n): Table("public", n, columns={c: Column(c, "text") for c in cols})
              for n, cols in (("authors", ("id",)), ("books", ("id", "author_id")))}
    snap = Snapshot(tables=tables, constraints=[Constraint("public", "authors", "authors_pkey", "p", ("id",))])
    ctx = Context(snap, NO_PROFILE, conn=None)  # C1.orphans needs a connection it does not have
    orphans = next(c for c in REGISTRY if c.id == "C1.orphans")
    result = run_check(orphans, ctx)
    assert result.status == "ERROR"
    assert "needs a database connection" in result.detail
    types = next(c for c in REGISTRY if c.id == "C2.reference_types")
    assert run_check(types, ctx).status == "PASS"  # the others still run
