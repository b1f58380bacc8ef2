"""Definition judgements on hand-made snapshots: every difference named, the fixing SQL shaped right."""

from __future__ import annotations

from apms_ops.catalog import Column, Constraint, Index, Snapshot, Table
from apms_ops.checks.base import Context
from apms_ops.checks.definitions import (
    designed_foreign_key, foreign_key_differences, index_differences, judge_index,
)
from apms_ops.profiles import ExpectedIndex, ForeignKeyRules, parse_profile


def fk(**kw) -> Constraint:
    base = dict(schema="public", table="orders", name="orders_customer_id_fkey", kind="f", columns=("customer_id",),
                ref_schema="public", ref_table="customers", ref_columns=("id",), on_delete="NO ACTION", on_update="NO ACTION",
                match="SIMPLE")
    return Constraint(**{**base, **kw})


REFUSE = ForeignKeyRules(on_delete=("RESTRICT", "NO ACTION"), deferrable=False, match=("SIMPLE",))


def test_foreign_key_differences_name_each_property():
    assert foreign_key_differences(fk(), REFUSE) == []
    assert foreign_key_differences(fk(on_delete="CASCADE"), None) == []  # the design says nothing: nothing judged
    [cascade] = foreign_key_differences(fk(on_delete="CASCADE"), REFUSE)
    assert (cascade["problem"], cascade["actual"], cascade["destructive"]) == ("on delete", "CASCADE", True)
    assert cascade["reason"] == "ON DELETE CASCADE; the design allows RESTRICT or NO ACTION"
    problems = [d["problem"] for d in foreign_key_differences(fk(on_delete="SET DEFAULT", match="FULL", deferrable=True, deferred=True),
                                                              REFUSE)]
    assert problems == ["on delete", "match", "deferrable"]
    late = foreign_key_differences(fk(deferrable=True, deferred=True), ForeignKeyRules(deferrable=True, initially_deferred=False))
    assert [d["reason"] for d in late] == ["INITIALLY DEFERRED; the design says INITIALLY IMMEDIATE"]
    cascade_wanted = foreign_key_differences(fk(on_delete="RESTRICT"), ForeignKeyRules(on_delete=("CASCADE",)))
    assert cascade_wanted[0]["destructive"] is False  # refusing a delete the design cascades holds, it does not destroy


def test_designed_foreign_key_keeps_what_the_design_allows():
    assert designed_foreign_key(fk(on_delete="CASCADE", on_update="CASCADE"), REFUSE) == {
        "on_delete": "RESTRICT", "on_update": "CASCADE", "match": "SIMPLE", "deferrable": False, "deferred": False}
    assert designed_foreign_key(None, None)["on_delete"] == "NO ACTION"


def _ctx(indexes, expected_index: dict) -> Context:
    snap = Snapshot(tables={("public", "users"): Table("public", "users", columns={
        "id": Column("id", "text"), "email": Column("email", "character varying(200)"), "tenant_id": Column("tenant_id", "uuid"),
        "deleted_at": Column("deleted_at", "timestamp with time zone")})}, indexes=indexes)
    profile = parse_profile({"profile": {"name": "p"}, "tables": {"created": ["users"]},
                             "partial_unique_indexes": [expected_index]}, "p.toml")
    return Context(snap, profile)


EXPECTED = {"name": "users_email_key", "table": "users", "columns": ["tenant_id", "lower(email)"], "predicate": "deleted_at IS NULL"}


def index(**kw) -> Index:
    base = dict(schema="public", table="users", name="users_email_key", columns=("tenant_id", "(expression)"), unique=True, valid=True,
                predicate="(deleted_at IS NULL)", definition="CREATE UNIQUE INDEX ...", method="btree",
                keys=("tenant_id", "lower((email)::text)"))
    return Index(**{**base, **kw})


def test_an_expression_index_is_compared_key_by_key_as_postgresql_reads_it():
    ctx = _ctx([index()], EXPECTED)
    assert index_differences(ctx, ctx.profile.partial_unique_indexes[0], index()) == []
    judged = judge_index(ctx, ctx.profile.partial_unique_indexes[0])
    assert judged.status == "PASS" and not judged.findings


def test_every_index_difference_is_named():
    ctx = _ctx([], EXPECTED)
    expected = ctx.profile.partial_unique_indexes[0]
    assert index_differences(ctx, expected, index(unique=False)) == ["not unique"]
    assert index_differences(ctx, expected, index(method="hash")) == ["method hash, the design says btree"]
    assert index_differences(ctx, expected, index(keys=("tenant_id", "upper((email)::text)"))) == [
        "columns (tenant_id, upper((email)::text)), the design says (tenant_id, lower(email))"]
    assert index_differences(ctx, expected, index(predicate=None)) == ["not partial: no WHERE deleted_at IS NULL"]
    [predicate] = index_differences(ctx, expected, index(predicate="(deleted_at IS NOT NULL)"))
    assert predicate.startswith("predicate differs: test IS NULL vs IS NOT NULL")
    both = index_differences(ctx, expected, index(valid=False, unique=False))
    assert both[0].startswith("INVALID") and both[1] == "not unique"
    assert index_differences(ctx, ExpectedIndex("i", "users", ("tenant_id",), None, unique=False), index(keys=("tenant_id",))) == [
        "unique, the design says not unique", "partial (WHERE (deleted_at IS NULL)), the design says a full index"]


def test_a_missing_expression_index_gets_sql_that_builds_it_and_another_name_still_counts():
    ctx = _ctx([], EXPECTED)
    judged = judge_index(ctx, ctx.profile.partial_unique_indexes[0])
    assert judged.status == "FAIL" and judged.row["reason"] == "missing"
    assert judged.findings[0]["sql"] == ('CREATE UNIQUE INDEX CONCURRENTLY "users_email_key" ON "public"."users" USING btree '
                                         '("tenant_id", (lower(email))) WHERE deleted_at IS NULL;')
    renamed = _ctx([index(name="users_email_idx")], EXPECTED)
    judged = judge_index(renamed, renamed.profile.partial_unique_indexes[0])
    assert judged.status == "PASS" and "under the name users_email_idx" in judged.row["reason"]
