"""The data-aware migration lint: every rule triggered by one statement and left quiet by another,
on tables with real rows, with exact figures (computed here independently of the tool)."""

from __future__ import annotations

import json

import psycopg
import pytest

from apms_ops.cli import main
from apms_ops.connections import Environment
from apms_ops.lint import Script, lint_scripts
from apms_ops.lint.rules import RULES
from conftest import RUN_TAG, admin_connection, create_database, drop_database
from prisma_folders import HISTORY_TABLE_DDL, record, write_folder

IDS = range(1, 1001)
ORDER_IDS = range(1, 3001)

DATA = """
CREATE TABLE customers (id bigint PRIMARY KEY, email varchar(50), code text NOT NULL, tier int NOT NULL,
                        name text NOT NULL, note varchar(30));
INSERT INTO customers
SELECT n, CASE WHEN n % 10 = 0 THEN NULL ELSE 'u' || n || '@example.com' END, 'K' || (n % 400), n % 7, 'name ' || n,
       repeat('x', n % 25)
  FROM generate_series(1, 1000) AS n;
CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint, amount numeric(10,2) NOT NULL);
INSERT INTO orders
SELECT n, CASE WHEN n % 100 = 0 THEN 5000 + n ELSE n % 1000 + 1 END, n * 1.5 FROM generate_series(1, 3000) AS n;
CREATE TABLE payments (id bigint PRIMARY KEY, order_id bigint NOT NULL);
INSERT INTO payments SELECT n, n FROM generate_series(1, 500) AS n;
CREATE TABLE events (id bigint, customer_id bigint, at date NOT NULL) PARTITION BY RANGE (at);
CREATE TABLE events_2025 PARTITION OF events FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
INSERT INTO events SELECT n, n % 1000 + 1, date '2025-01-01' + (n % 300) FROM generate_series(1, 200) AS n;
CREATE TABLE audit_log (id bigint PRIMARY KEY, body text);
""" + HISTORY_TABLE_DDL

# The expected figures, counted here from the same generating rules.
NULL_EMAILS = sum(1 for n in IDS if n % 10 == 0)
TIER_6 = sum(1 for n in IDS if n % 7 == 6)
LONG_NOTES = sum(1 for n in IDS if n % 25 > 10)
ORPHAN_ORDERS = sum(1 for n in ORDER_IDS if n % 100 == 0)
CODE_GROUPS = len({n % 400 for n in IDS})


@pytest.fixture(scope="module")
def target():
    name = f"{RUN_TAG}_lint"
    url = create_database(name, None, DATA)
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("ANALYZE")
    yield Environment("lint-target", url, source="dsn")
    drop_database(name)


def lint(env, text: str, name: str = "20260301000000_m"):
    return lint_scripts(env, [Script(name, f"{name}/migration.sql", text)])


def fired(report, rule: str) -> list:
    return [f for f in report.findings if f.rule == rule]


# rule id -> (statements that trigger it, figures of the first finding, statements that do not)
CASES = {
    "L1.foreign_key_validates": (
        "ALTER TABLE orders ADD CONSTRAINT orders_customer_fkey FOREIGN KEY (customer_id) REFERENCES customers (id);",
        {"rows": 3000, "referenced_rows": 1000},
        "ALTER TABLE orders ADD CONSTRAINT orders_customer_fkey FOREIGN KEY (customer_id) REFERENCES customers (id) NOT VALID;"),
    "L2.foreign_key_violations": (
        "ALTER TABLE orders ADD CONSTRAINT orders_customer_fkey FOREIGN KEY (customer_id) REFERENCES customers (id) NOT VALID;\n"
        "ALTER TABLE orders VALIDATE CONSTRAINT orders_customer_fkey;",
        {"violating_rows": ORPHAN_ORDERS, "rows": 3000},
        "ALTER TABLE payments ADD CONSTRAINT payments_order_fkey FOREIGN KEY (order_id) REFERENCES orders (id) NOT VALID;\n"
        "ALTER TABLE payments VALIDATE CONSTRAINT payments_order_fkey;"),
    "L3.check_violations": (
        "ALTER TABLE customers ADD CONSTRAINT customers_tier_check CHECK (tier BETWEEN 0 AND 5);",
        {"violating_rows": TIER_6, "rows": 1000},
        "ALTER TABLE customers ADD CONSTRAINT customers_tier_check CHECK (tier IN (0, 1, 2, 3, 4, 5, 6)) NOT VALID;"),
    "L4.not_null_violations": (
        "ALTER TABLE customers ALTER COLUMN email SET NOT NULL;",
        {"violating_rows": NULL_EMAILS, "rows": 1000},
        "ALTER TABLE customers ALTER COLUMN note SET NOT NULL;"),
    "L5.unique_violations": (
        "CREATE UNIQUE INDEX CONCURRENTLY customers_code_key ON customers (code);",
        {"duplicate_keys": CODE_GROUPS, "duplicate_rows": 1000},
        "CREATE UNIQUE INDEX CONCURRENTLY customers_email_key ON customers (email);"),
    "L6.index_build_blocks_writes": (
        "CREATE INDEX orders_amount_idx ON orders (amount);",
        {"rows": 3000},
        "CREATE INDEX CONCURRENTLY orders_amount_idx ON orders (amount);"),
    "L7.table_rewrite": (
        "ALTER TABLE orders ALTER COLUMN id TYPE integer;",
        {"rows": 3000},
        "ALTER TABLE customers ALTER COLUMN note TYPE text;"),
    "L8.type_change_violations": (
        "ALTER TABLE customers ALTER COLUMN note TYPE varchar(10);",
        {"violating_rows": LONG_NOTES},
        "ALTER TABLE customers ALTER COLUMN note TYPE varchar(40);"),
    "L9.not_null_column_without_default": (
        "ALTER TABLE customers ADD COLUMN country text NOT NULL;",
        {"rows": 1000},
        "ALTER TABLE customers ADD COLUMN country text NOT NULL DEFAULT 'NL';"),
    "L10.destructive": (
        "DROP TABLE orders;",
        {"rows_lost": 3000},
        "DROP TABLE IF EXISTS nowhere;"),
    "L11.concurrently_in_transaction": (
        "CREATE INDEX CONCURRENTLY orders_amount_idx ON orders (amount);\nANALYZE orders;",
        {"in_transaction": True},
        "CREATE INDEX CONCURRENTLY orders_amount_idx ON orders (amount);"),
    "L12.scan_blocks_writes": (
        "ALTER TABLE customers ADD CONSTRAINT customers_tier_check CHECK (tier < 7);",
        {"rows": 1000},
        "ALTER TABLE customers ADD CONSTRAINT customers_tier_check CHECK (tier < 7) NOT VALID;"),
    "L13.partitioned_table_unsupported": (
        "ALTER TABLE events ADD CONSTRAINT events_customer_fkey FOREIGN KEY (customer_id) REFERENCES customers (id) NOT VALID;",
        {"partitioned": True},
        "ALTER TABLE events_2025 ADD CONSTRAINT events_customer_fkey FOREIGN KEY (customer_id) REFERENCES customers (id) NOT VALID;"),
    "L0.syntax_error": (
        "ALTER TABLE customers ADD COLUMN;",
        {},
        "ALTER TABLE customers ADD COLUMN age integer;"),
}


def test_every_rule_has_a_case():
    assert set(CASES) == {r.id for r in RULES}


@pytest.mark.parametrize("rule", sorted(CASES))
def test_rule_triggers_with_exact_figures(target, rule):
    triggering, figures, _ = CASES[rule]
    found = fired(lint(target, triggering), rule)
    assert found, f"{rule} did not fire"
    for key, value in figures.items():
        assert found[0].figures.get(key) == value, (key, found[0].figures)
    assert found[0].line >= 1 and found[0].fix


@pytest.mark.parametrize("rule", sorted(CASES))
def test_rule_stays_quiet(target, rule):
    _, _, quiet = CASES[rule]
    report = lint(target, quiet)
    assert not fired(report, rule), [f.detail for f in report.findings]


def test_line_numbers_and_samples(target):
    report = lint(target, "-- widen the key\n\nALTER TABLE payments ADD COLUMN memo text;\n"
                          "ALTER TABLE customers\n    ALTER COLUMN email SET NOT NULL;\n")
    (f,) = fired(report, "L4.not_null_violations")
    assert f.line == 4
    assert len(f.sample) == 10 and all(row["email"] is None for row in f.sample)
    assert f.severity == "blocker" and report.verdict == "NO_GO"


def test_earlier_statements_shape_later_ones(target):
    # A column added with a constant default holds no NULL; one added without a default holds NULL in every row.
    report = lint(target, "ALTER TABLE customers ADD COLUMN region text DEFAULT 'EU';\n"
                          "ALTER TABLE customers ALTER COLUMN region SET NOT NULL;\n"
                          "ALTER TABLE customers ADD COLUMN city text;\n"
                          "ALTER TABLE customers ALTER COLUMN city SET NOT NULL;\n")
    (f,) = fired(report, "L4.not_null_violations")
    assert (f.line, f.figures["violating_rows"]) == (4, 1000)
    # A table created earlier is empty: no lock hazard, nothing lost.
    report = lint(target, "CREATE TABLE tags (id bigint PRIMARY KEY, label text);\nCREATE INDEX tags_label_idx ON tags (label);\n"
                          "DROP TABLE tags;")
    assert report.findings == []


def test_binary_coercible_and_widening_changes_do_not_rewrite(target):
    report = lint(target, "ALTER TABLE customers ALTER COLUMN email TYPE varchar(80);\n"
                          "ALTER TABLE customers ALTER COLUMN email TYPE text;\n"
                          "ALTER TABLE orders ALTER COLUMN amount TYPE numeric(14,2);\n")
    assert report.findings == []
    assert all(s["estimated_lock_seconds"] == 0 for s in report.statements)


def test_a_statement_with_an_explicit_transaction_block(target):
    report = lint_scripts(target, [Script("m", "m.sql", "BEGIN;\nCREATE INDEX CONCURRENTLY i ON orders (amount);\nCOMMIT;\n",
                                          sent_whole=False)])
    assert [f.line for f in fired(report, "L11.concurrently_in_transaction")] == [2]
    alone = lint_scripts(target, [Script("m", "m.sql", "SELECT 1;\nCREATE INDEX CONCURRENTLY i ON orders (amount);\n", sent_whole=False)])
    assert not fired(alone, "L11.concurrently_in_transaction")  # psql -f runs each statement on its own


def test_migration_expressions_are_never_run_as_written(target):
    # A literal that looks like SQL stays a literal: the count is exact and nothing else runs.
    report = lint(target, "ALTER TABLE customers ADD CONSTRAINT c CHECK (name <> $$x'); DROP TABLE customers; --$$);")
    assert not fired(report, "L3.check_violations")
    assert fired(report, "L12.scan_blocks_writes")[0].figures["rows"] == 1000
    # Volatile calls and subqueries are not evaluated; the finding says so and holds the deploy.
    for check in ("pg_terminate_backend(pg_backend_pid()) IS NOT NULL", "random() < 2", "tier < (SELECT 7)"):
        (f,) = fired(lint(target, f"ALTER TABLE customers ADD CONSTRAINT c CHECK ({check}) NOT VALID;"), "L3.check_violations")
        assert f.figures["violating_rows"] is None and f.severity == "major" and "not evaluated" in f.detail
    with admin_connection(target.url) as conn:
        assert conn.execute("SELECT count(*) FROM customers").fetchone()[0] == 1000


@pytest.mark.parametrize("column_type,new_type", [
    ("varchar(20)", "text"), ("varchar(20)", "varchar(40)"), ("varchar(20)", "varchar(10)"), ("text", "varchar(40)"),
    ("numeric(10,2)", "numeric(14,2)"), ("numeric(10,2)", "numeric(14,3)"), ("integer", "bigint"), ("bigint", "integer"),
    ("timestamp(3)", "timestamp(6)"), ("timestamp", "timestamptz"), ("varchar(20)", "varchar"), ("text", "citext_missing"),
])
def test_rewrite_verdict_agrees_with_postgresql(scratch, column_type, new_type):
    """PostgreSQL itself says: a rewrite gives the table a new relfilenode."""
    env = scratch.make(None, f"CREATE TABLE t (id int PRIMARY KEY, v {column_type}); INSERT INTO t (id) SELECT generate_series(1, 50);"
                             "DO $$BEGIN EXECUTE format('ALTER DATABASE %I SET timezone = ''UTC''', current_database()); END$$")
    report = lint(env, f"ALTER TABLE t ALTER COLUMN v TYPE {new_type};")
    said = bool(fired(report, "L7.table_rewrite"))
    if new_type == "citext_missing":
        assert not said and any("unknown" in n for s in report.statements for n in s["notes"])
        return
    with admin_connection(env.url) as conn:
        before = conn.execute("SELECT pg_relation_filenode('t')").fetchone()[0]
        conn.execute(f"ALTER TABLE t ALTER COLUMN v TYPE {new_type}")
        after = conn.execute("SELECT pg_relation_filenode('t')").fetchone()[0]
    assert said == (before != after), report.statements[0]["notes"]


def test_cli_lints_the_pending_migrations_of_a_folder(target, tmp_path, capsys):
    root = write_folder(tmp_path / "migrations", {
        "20260101000000_init": "CREATE TABLE audit_log (id bigint PRIMARY KEY, body text);\n",
        "20260301000000_email_required": "ALTER TABLE customers ALTER COLUMN email SET NOT NULL;\n",
        "20260302000000_orders_fk": "ALTER TABLE orders ADD CONSTRAINT orders_customer_fkey FOREIGN KEY (customer_id) "
                                    "REFERENCES customers (id) NOT VALID;\n",
    })
    with admin_connection(target.url) as conn:
        conn.execute("DELETE FROM _prisma_migrations")
        record(conn, "20260101000000_init", (root / "20260101000000_init" / "migration.sql").read_bytes())
    code = main(["lint-migration", str(root), "--dsn", target.url, "--format", "json"])
    out = json.loads(capsys.readouterr().out)
    assert code == 1 and out["verdict"] == "NO_GO"
    assert [m["migration"] for m in out["migrations"]] == ["20260301000000_email_required", "20260302000000_orders_fk"]
    by_rule = {f["rule"]: f for f in out["findings"]}
    assert by_rule["L4.not_null_violations"]["figures"]["violating_rows"] == NULL_EMAILS
    assert by_rule["L2.foreign_key_violations"]["severity"] == "major"  # NOT VALID: the later VALIDATE fails

    assert main(["lint-migration", str(root / "20260302000000_orders_fk"), "--dsn", target.url, "--format", "markdown"]) == 0
    assert "L2.foreign_key_violations" in capsys.readouterr().out
    assert main(["lint-migration", str(root / "20260302000000_orders_fk"), "--dsn", target.url, "--fail-on", "hold"]) == 1
    capsys.readouterr()
    two = tmp_path / "two.sql"
    two.write_text("SELECT 1;\nCREATE INDEX CONCURRENTLY orders_amount_idx ON orders (amount);\n")
    assert main(["lint-migration", str(two), "--dsn", target.url, "--format", "json"]) == 1  # as Prisma sends it: one transaction
    assert [f["rule"] for f in json.loads(capsys.readouterr().out)["findings"]] == ["L11.concurrently_in_transaction"]
    assert main(["lint-migration", str(two), "--dsn", target.url, "--format", "json", "--run-as", "psql"]) == 0
    assert json.loads(capsys.readouterr().out)["findings"] == []
    assert main(["lint-migration", str(tmp_path / "nope.sql"), "--dsn", target.url]) == 2
    assert "no such file or folder" in capsys.readouterr().err
