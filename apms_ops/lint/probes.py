"""What the lint asks the target database: exact row counts, sizes, rows a constraint would reject.

Every probe runs inside the lint's read-only transaction, under a savepoint
(``audits.guarded_rows``) and the session's statement timeout: a probe that
times out or is refused leaves its figure unknown (with the reason), never the
lint half-done. Identifiers are driver-quoted; expressions from a migration
reach these queries only through ``safe_expression.render_expression``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa
from psycopg import sql

from apms_ops import sqlfiles
from apms_ops.audits import guarded_rows
from apms_ops.errors import OpsError

SAMPLE_LIMIT = 10


@dataclass
class Count:
    """A figure measured on the data: ``value`` exact, or None with ``error`` saying why it is unknown."""

    value: int | None
    error: str | None = None
    sample: list = field(default_factory=list)

    @property
    def known(self) -> bool:
        return self.value is not None


@dataclass
class TableStats:
    rows: int | None           # exact count(*)
    estimated_rows: int | None  # pg_class.reltuples, used when the count timed out
    table_bytes: int | None
    index_bytes: int | None
    kind: str | None
    error: str | None = None

    @property
    def rows_or_estimate(self) -> int:
        if self.rows is not None:
            return self.rows
        return max(self.estimated_rows or 0, 0)


def table_stats(conn, schema: str, table: str) -> TableStats:
    name = sql.Identifier(schema, table).as_string(None)
    size = conn.execute(sa.text(sqlfiles.load("lint/table_size.sql")), {"name": name}).mappings().first()
    rows, error = None, None
    try:
        rows = guarded_rows(conn, sqlfiles.compose("lint/row_count.sql", table=sql.Identifier(schema, table)))[0]["rows"]
    except OpsError as exc:
        error = str(exc)
    if size is None:
        return TableStats(rows, None, None, None, None, error)
    return TableStats(rows, size["estimated_rows"], size["table_bytes"], size["index_bytes"], size["kind"], error)


def violations(conn, schema: str, table: str, condition: sql.Composable, *, sample: int = SAMPLE_LIMIT) -> Count:
    """Rows of ``table`` meeting ``condition`` (alias ``apms_ops_row``), and up to ``sample`` of them."""
    parts = dict(table=sql.Identifier(schema, table), condition=condition)
    try:
        count = guarded_rows(conn, sqlfiles.compose("lint/violations.sql", **parts))[0]["violating"]
        rows = guarded_rows(conn, sqlfiles.compose("lint/violation_sample.sql", **parts, limit=sql.Literal(int(sample)))) if count else []
    except OpsError as exc:
        return Count(None, str(exc))
    return Count(count, sample=[r["row"] for r in rows])


def duplicates(conn, schema: str, table: str, keys: list[sql.Composable], condition: sql.Composable,
               *, sample: int = SAMPLE_LIMIT) -> tuple[Count, Count]:
    """``(groups, rows)``: keys found more than once, and the rows holding them; the sample is on ``groups``."""
    parts = dict(table=sql.Identifier(schema, table), condition=condition, keys=sql.SQL(", ").join(keys))
    try:
        row = guarded_rows(conn, sqlfiles.compose("lint/duplicates.sql", **parts))[0]
        shown = []
        if row["groups"]:
            keys_text = sql.SQL(", ").join(sql.SQL("({})::text").format(k) for k in keys)
            shown = guarded_rows(conn, sqlfiles.compose("lint/duplicate_sample.sql", **parts, keys_text=keys_text,
                                                         limit=sql.Literal(int(sample))))
    except OpsError as exc:
        return Count(None, str(exc)), Count(None, str(exc))
    return Count(row["groups"], sample=[{"key": r["key"], "copies": r["copies"]} for r in shown]), Count(row["rows"])


def type_change(conn, schema: str, table: str, column: str, new_type: str) -> dict | None:
    """The catalog facts ``rewrites.column_type_change`` decides on (None when the column is not there)."""
    params = {"table": sql.Identifier(schema, table).as_string(None), "column": column, "new_type": new_type}
    try:
        with conn.begin_nested():
            row = conn.execute(sa.text(sqlfiles.load("lint/type_change.sql")), params).mappings().first()
    except sa.exc.DBAPIError:
        return None
    return dict(row) if row else None


def partition_foreign_keys(conn, schema: str, table: str, columns: list[str], ref_schema: str, ref_table: str) -> dict[tuple[str, str], bool]:
    """``{leaf partition: has a validated FK on columns -> referenced}`` for a partitioned table."""
    rows = conn.execute(sa.text(sqlfiles.load("lint/partition_foreign_keys.sql")), {
        "name": sql.Identifier(schema, table).as_string(None), "referenced": sql.Identifier(ref_schema, ref_table).as_string(None),
        "columns": list(columns)}).mappings()
    return {(r["schema_name"], r["table_name"]): r["has_validated_fk"] for r in rows}
