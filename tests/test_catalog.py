"""The catalog snapshot and discovery: hostile identifiers, partitions, composite and
NOT VALID keys, and a statement count that does not grow with the schema."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from sqlalchemy import event

from apms_ops.catalog import Column, Constraint, Snapshot, Table, read_snapshot
from apms_ops.connections import engine_for, read_only_session
from apms_ops.discovery import find_references, implied_references, plural_candidates
from apms_ops.profiles import NO_PROFILE
from apms_ops.review import run_review

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
from schema_generator import generate_schema_sql  # noqa: E402

HOSTILE = r'''
CREATE SCHEMA "Sales Data";
CREATE TABLE "Sales Data".orders (id integer PRIMARY KEY);
CREATE TABLE "Sales Data"."Order Items" (
    id integer PRIMARY KEY,
    order_id integer REFERENCES "Sales Data".orders (id),
    "order""ref" integer,
    "Quantity" integer CHECK ("Quantity" > 0)
);
INSERT INTO "Sales Data".orders VALUES (1);
INSERT INTO "Sales Data"."Order Items" VALUES (1, 1, 99, 1), (2, NULL, 1, 2);
ALTER TABLE "Sales Data"."Order Items" ADD CONSTRAINT "quote""fk" FOREIGN KEY ("order""ref") REFERENCES "Sales Data".orders (id) NOT VALID;

CREATE TABLE "select" (id text PRIMARY KEY, "from" text);
CREATE TABLE customers (id integer PRIMARY KEY);
CREATE SCHEMA other;
CREATE TABLE other.customers (id uuid PRIMARY KEY);
CREATE TABLE invoices (id integer PRIMARY KEY, customer_id integer, "select_id" text);
INSERT INTO customers VALUES (1);
INSERT INTO invoices VALUES (1, 1, 'nope'), (2, 7, NULL);

CREATE TABLE parents (a integer, b integer, PRIMARY KEY (a, b));
CREATE TABLE children (id integer PRIMARY KEY, a integer, b integer, FOREIGN KEY (a, b) REFERENCES parents (a, b));

CREATE TABLE events (id integer, created date, customer_id integer REFERENCES customers (id), PRIMARY KEY (id, created))
    PARTITION BY RANGE (created);
CREATE TABLE events_2025 PARTITION OF events FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
CREATE TABLE events_2026 PARTITION OF events FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
INSERT INTO events VALUES (1, '2025-05-01', 1), (2, '2026-05-01', 1);
CREATE DOMAIN positive_int AS integer CHECK (VALUE > 0);
CREATE TABLE uses_domain (id integer PRIMARY KEY, n positive_int);
'''


@pytest.fixture(scope="module")
def hostile_env():
    from conftest import ScratchDatabases

    factory = ScratchDatabases()
    env = factory.make(sql_text=HOSTILE)
    yield env
    factory.cleanup()


@pytest.fixture(scope="module")
def hostile_snapshot(hostile_env):
    with read_only_session(hostile_env) as conn:
        return read_snapshot(conn)


def test_hostile_names_are_read_as_they_are(hostile_snapshot):
    snap = hostile_snapshot
    assert ("Sales Data", "Order Items") in snap.tables
    assert set(snap.tables[("Sales Data", "Order Items")].columns) == {"id", "order_id", 'order"ref', "Quantity"}
    assert ("public", "select") in snap.tables
    assert ("public", "customers") in snap.tables and ("other", "customers") in snap.tables


def test_partitions_are_counted_once(hostile_snapshot):
    snap = hostile_snapshot
    assert ("public", "events") in snap.tables
    assert ("public", "events_2025") not in snap.tables
    fks = [c for c in snap.foreign_keys if c.table.startswith("events")]
    assert [(c.table, c.columns) for c in fks] == [("events", ("customer_id",))]


def test_composite_and_not_valid_foreign_keys(hostile_snapshot):
    fks = {c.name: c for c in hostile_snapshot.foreign_keys}
    composite = next(c for c in fks.values() if c.table == "children")
    assert composite.columns == ("a", "b") and composite.ref_columns == ("a", "b")
    assert fks['quote"fk'].validated is False and fks['quote"fk'].columns == ('order"ref',)


def test_domain_checks_are_not_table_checks(hostile_snapshot):
    assert [c.table for c in hostile_snapshot.check_constraints] == ["Order Items"]


def test_implied_reference_prefers_the_same_schema(hostile_snapshot):
    refs = {(r.schema, r.table, r.columns): r for r in find_references(hostile_snapshot, NO_PROFILE)}
    invoice = refs[("public", "invoices", ("customer_id",))]
    assert (invoice.ref_schema, invoice.ref_table, invoice.implied, invoice.declared) == ("public", "customers", True, False)
    assert refs[("public", "invoices", ("select_id",))].ref_table == "select"


def test_review_of_hostile_schema_runs_every_check_without_error(hostile_env):
    review = run_review(hostile_env, "none")
    assert not [c.id for c in review.checks if c.status == "ERROR"], [(c.id, c.detail) for c in review.checks]
    orphans = {(f["table"], f["column"]): f["orphans"] for f in review.check("C1.orphans").findings}
    # 99 under the NOT VALID FK; 7 and 'nope' under implied references; NULLs are not orphans.
    assert orphans == {("Sales Data.Order Items", 'order"ref'): 1, ("invoices", "customer_id"): 1, ("invoices", "select_id"): 1}
    fk = review.check("C1.foreign_keys")
    problems = {(f["table"], f["column"]): f.get("problem") for f in fk.findings}
    assert problems[("Sales Data.Order Items", 'order"ref')] == "NOT VALID"
    missing = next(f for f in fk.findings if f["column"] == "customer_id" and f["table"] == "invoices")
    assert 'ALTER TABLE "public"."invoices" ADD CONSTRAINT "invoices_customer_id_fkey" FOREIGN KEY ("customer_id") REFERENCES "public"."customers" ("id") NOT VALID;' in missing["sql"]
    validate = problems and next(f for f in fk.findings if f.get("problem") == "NOT VALID")["sql"]
    assert validate == 'ALTER TABLE "Sales Data"."Order Items" VALIDATE CONSTRAINT "quote""fk";'


def test_orphan_sample_quotes_everything(hostile_env, hostile_snapshot):
    from apms_ops.audits import orphan_sample

    ref = next(r for r in find_references(hostile_snapshot, NO_PROFILE) if r.columns == ('order"ref',))
    with read_only_session(hostile_env) as conn:
        rows = orphan_sample(conn, ref, limit=5)
    assert rows == [{"id": 1, "order_id": 1, 'order"ref': 99, "Quantity": 1}]


# ---------------------------------------------------------------- statement counts


def _count_snapshot_statements(env) -> tuple[int, int]:
    engine = engine_for(env)
    statements = []
    listener = lambda *a, **k: statements.append(a[2])  # noqa: E731
    with read_only_session(env) as conn:
        event.listen(engine, "before_cursor_execute", listener)
        try:
            snap = read_snapshot(conn)
        finally:
            event.remove(engine, "before_cursor_execute", listener)
    return len(statements), len(snap.tables)


def test_snapshot_statement_count_does_not_grow_with_tables(scratch):
    small = scratch.make("fixed")
    large = scratch.make(sql_text=generate_schema_sql(500))
    n_small, tables_small = _count_snapshot_statements(small)
    n_large, tables_large = _count_snapshot_statements(large)
    assert (tables_small, tables_large) == (20, 500)
    assert n_small == n_large == 4


# ---------------------------------------------------------------- discovery by hand


@pytest.mark.parametrize("thing,expected", [
    ("workspace", ["workspace", "workspaces"]),
    ("policy", ["policy", "policys", "policies"]),
    ("status", ["status", "statuss", "statuses"]),
    ("day", ["day", "days"]),
])
def test_plural_candidates(thing, expected):
    assert plural_candidates(thing) == expected


def _table(schema, name, *columns, pk=("id",)):
    t = Table(schema, name, columns={c: Column(c, "text") for c in ("id",) + columns})
    return t, Constraint(schema, name, f"{name}_pkey", "p", pk)


def test_implied_references_by_hand():
    tables = [
        _table("public", "master_departments"),
        _table("public", "master_positions", "department_id", "parent_id"),
        _table("public", "sla_policies"),
        _table("public", "rules", "sla_policy_id", "unknown_id"),
        _table("public", "no_pk_targets", pk=()),
        _table("public", "things", "no_pk_target_id"),
    ]
    snap = Snapshot(tables={t.key: t for t, _ in tables}, constraints=[c for _, c in tables if c.columns])
    got = {(r.table, r.columns[0]): r.ref_table for r in implied_references(snap)}
    # parent_id is a self reference; a table without a key cannot be pointed at; unknown_id names nothing.
    assert got == {("master_positions", "department_id"): "master_departments", ("master_positions", "parent_id"): "master_positions",
                   ("rules", "sla_policy_id"): "sla_policies"}
