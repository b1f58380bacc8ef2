"""Data audits, pushed into PostgreSQL: the database counts, Python only reads totals.

Identifiers come from the catalog or a profile and are always quoted by the
driver (``psycopg.sql.Identifier``). Each audit statement runs under a
savepoint, so a table the role may not read gives an error for that table's
rows and the rest of the review goes on.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Iterable

import sqlalchemy as sa
from psycopg import sql
from sqlalchemy.engine import Connection

from apms_ops import sqlfiles
from apms_ops.sqlfiles import quote
from apms_ops.catalog import Snapshot
from apms_ops.connections import database_error
from apms_ops.discovery import Reference
from apms_ops.profiles import Lifecycle, Profile, Runtime, Workspaces

FINDINGS_LIMIT = 1000


def execute(conn: Connection, statement: str | sql.Composable):
    """Run one composed statement through SQLAlchemy (so statement events see it)."""
    if isinstance(statement, sql.Composable):
        statement = statement.as_string(None)
    # exec_driver_sql always passes a parameter list, so psycopg reads % as a placeholder.
    return conn.exec_driver_sql(statement.replace("%", "%%"))


def guarded_rows(conn: Connection, statement: str | sql.Composable) -> list[dict]:
    """Rows of ``statement`` inside a savepoint; a failure raises a one-line DatabaseError
    and leaves the surrounding transaction usable."""
    try:
        with conn.begin_nested():
            return [dict(r) for r in execute(conn, statement).mappings()]
    except sa.exc.DBAPIError as exc:
        raise database_error(exc) from None


def _key_expr(alias: str, column: str, cast: bool) -> sql.Composable:
    col = sql.SQL("{}.{}").format(sql.Identifier(alias), sql.Identifier(column))
    return sql.SQL("{}::text").format(col) if cast else col


AUDIT_BATCH_TABLES = 50


def _child_counts_query(index: int, schema: str, table: str, refs: list[Reference], snapshot: Snapshot,
                        workspace_column: str | None) -> tuple[str, list[tuple[Reference, int, int | None]]]:
    """One aggregate over one child table: ``SELECT index, ARRAY[rows, orphans..., cross...]``.

    Each reference is a LEFT JOIN to its parent key and FILTERed counts; the
    layout says which array slot holds which reference's counts. Identifiers
    are quoted by the driver (``quote``); built as text because composing
    thousands of ``sql.SQL`` objects costs more than the query.
    """
    child_table = snapshot.table(schema, table)
    measures, joins, layout = ["count(*)"], [], []
    for n, ref in enumerate(refs):
        alias = f"p{n}"
        cast = "::text" if tuple(ref.types) != tuple(ref.ref_types) else ""
        parent = quote(ref.ref_schema, ref.ref_table)
        parent_table = snapshot.table(ref.ref_schema, ref.ref_table)
        scoped = bool(
            workspace_column
            and workspace_column in child_table.columns
            and parent_table is not None
            and workspace_column in parent_table.columns
            and workspace_column not in ref.ref_columns
        )
        if snapshot.is_unique(ref.ref_schema, ref.ref_table, ref.ref_columns):
            source = parent
        else:
            # No unique key on the referenced columns: de-duplicate so the join cannot multiply rows.
            keys = ", ".join(quote(c) for c in ref.ref_columns)
            cols = keys + (f", {quote(workspace_column)}" if scoped else "")
            source = f"(SELECT DISTINCT ON ({keys}) {cols} FROM {parent})"
        on = " AND ".join(f"{alias}.{quote(pc)}{cast} = c.{quote(cc)}{cast}" for pc, cc in zip(ref.ref_columns, ref.columns))
        joins.append(f"LEFT JOIN {source} AS {alias} ON {on}")
        present = " AND ".join(f"c.{quote(c)} IS NOT NULL" for c in ref.columns)
        key = f"{alias}.{quote(ref.ref_columns[0])}"
        measures.append(f"count(*) FILTER (WHERE {present} AND {key} IS NULL)")
        orphan_slot, cross_slot = len(measures) - 1, None
        if scoped:
            ws = quote(workspace_column)
            measures.append(f"count(*) FILTER (WHERE {key} IS NOT NULL AND c.{ws}::text IS DISTINCT FROM {alias}.{ws}::text)")
            cross_slot = len(measures) - 1
        layout.append((ref, orphan_slot, cross_slot))
    query = f"(SELECT {int(index)} AS k, ARRAY[{', '.join(measures)}]::bigint[] AS m FROM {quote(schema, table)} AS c {' '.join(joins)})"
    return query, layout


def reference_counts(conn: Connection, references: Iterable[Reference], *, workspace_column: str | None, snapshot: Snapshot,
                     batch_tables: int = AUDIT_BATCH_TABLES) -> dict:
    """Orphans (and rows pointing into another workspace) for every auditable reference.

    One scan per child table, whatever its number of references, and up to
    ``batch_tables`` child tables per statement (UNION ALL), so a 2,000-table
    schema costs tens of round trips, not thousands. A batch that fails (a table
    the role may not read) is retried table by table, so the error lands on the
    references it concerns. A NULL reference is not an orphan (as with MATCH
    SIMPLE foreign keys). Returns ``{reference.key: {"orphans", "cross_workspace", "rows", "error"}}``.
    """
    by_child: dict[tuple[str, str], list[Reference]] = defaultdict(list)
    for ref in references:
        if ref.auditable:
            by_child[(ref.schema, ref.table)].append(ref)
    children = sorted(by_child.items())
    out: dict = {}

    def run(batch: list[int]) -> None:
        parts = [_child_counts_query(i, *children[i][0], children[i][1], snapshot, workspace_column) for i in batch]
        rows = guarded_rows(conn, " UNION ALL ".join(q for q, _ in parts))
        by_index = {r["k"]: r["m"] for r in rows}
        for i, (_, layout) in zip(batch, parts):
            m = by_index[i]
            for ref, orphan_slot, cross_slot in layout:
                out[ref.key] = {"orphans": m[orphan_slot], "cross_workspace": None if cross_slot is None else m[cross_slot],
                                "rows": m[0], "error": None}

    for start in range(0, len(children), batch_tables):
        batch = list(range(start, min(start + batch_tables, len(children))))
        try:
            run(batch)
        except Exception:  # noqa: BLE001 - find the table(s) at fault
            for i in batch:
                try:
                    run([i])
                except Exception as exc:  # noqa: BLE001 - reported per reference, the rest goes on
                    for ref in children[i][1]:
                        out[ref.key] = {"orphans": None, "cross_workspace": None, "rows": None, "error": str(exc)}
    return out


def orphan_sample(conn: Connection, ref: Reference, limit: int = 20, *, workspace_column: str | None = None, cross_workspace: bool = False) -> list[dict]:
    """Up to ``limit`` child rows whose reference points at nothing (or, with
    ``cross_workspace``, at a row of another workspace). Values come back as text."""
    cast = tuple(ref.types) != tuple(ref.ref_types)
    match = sql.SQL(" AND ").join(
        sql.SQL("{} = {}").format(_key_expr("p", pc, cast), _key_expr("c", cc, cast)) for pc, cc in zip(ref.ref_columns, ref.columns)
    )
    present = sql.SQL(" AND ").join(sql.SQL("c.{} IS NOT NULL").format(sql.Identifier(c)) for c in ref.columns)
    if cross_workspace:
        if not workspace_column:
            return []
        condition = sql.SQL("EXISTS (SELECT 1 FROM {parent} AS p WHERE {match} AND p.{ws}::text IS DISTINCT FROM c.{ws}::text)").format(
            parent=sql.Identifier(ref.ref_schema, ref.ref_table), match=match, ws=sql.Identifier(workspace_column)
        )
    else:
        condition = sql.SQL("NOT EXISTS (SELECT 1 FROM {parent} AS p WHERE {match})").format(
            parent=sql.Identifier(ref.ref_schema, ref.ref_table), match=match
        )
    statement = sql.SQL("SELECT to_jsonb(c) AS row FROM {child} AS c WHERE {present} AND {condition} LIMIT {limit}").format(
        child=sql.Identifier(ref.schema, ref.table), present=present, condition=condition, limit=sql.Literal(int(limit))
    )
    return [r["row"] for r in guarded_rows(conn, statement)]


# ---------------------------------------------------------------- profile-driven audits


def _row_id(snapshot: Snapshot, schema: str, table: str) -> sql.Composable:
    pk = snapshot.primary_key(schema, table)
    return sql.Identifier(pk[0]) if pk and len(pk) == 1 else sql.SQL("ctid")


def lifecycle_violations(conn: Connection, snapshot: Snapshot, profile: Profile, limit: int = FINDINGS_LIMIT) -> list[dict]:
    """C3: one row per status, activation, version-number or duplicate-version violation."""
    lc: Lifecycle = profile.lifecycle
    missing_activation = (
        sql.SQL("v.{} IS NULL").format(sql.Identifier(lc.activated_column)) if lc.activated_column else sql.SQL("false")
    )
    return guarded_rows(
        conn,
        sqlfiles.compose(
            "audits/lifecycle.sql",
            versions=sql.Identifier(profile.schema, lc.table),
            row_id=_row_id(snapshot, profile.schema, lc.table),
            workspace=sql.Identifier(lc.workspace_column),
            version=sql.Identifier(lc.version_column),
            status=sql.Identifier(lc.status_column),
            statuses=sql.Literal(list(lc.statuses)),
            active=sql.Literal(lc.active),
            missing_activation=missing_activation,
            limit=sql.Literal(limit),
        ),
    )


def workspace_versions(conn: Connection, snapshot: Snapshot, profile: Profile) -> list[dict]:
    """C4: every workspace with its number of versions in each status and their list."""
    lc: Lifecycle = profile.lifecycle
    ws: Workspaces = profile.workspaces
    ws_table = snapshot.table(profile.schema, ws.table)
    name = (
        sql.SQL("w.{}::text").format(sql.Identifier(ws.name_column))
        if ws.name_column and ws_table is not None and ws.name_column in ws_table.columns
        else sql.SQL("NULL::text")
    )
    return guarded_rows(
        conn,
        sqlfiles.compose(
            "audits/workspace_versions.sql",
            workspaces=sql.Identifier(profile.schema, ws.table),
            ws_key=sql.Identifier(ws.key),
            ws_name=name,
            versions=sql.Identifier(profile.schema, lc.table),
            v_key=_row_id(snapshot, profile.schema, lc.table),
            v_ws=sql.Identifier(lc.workspace_column),
            version=sql.Identifier(lc.version_column),
            status=sql.Identifier(lc.status_column),
            active=sql.Literal(lc.active),
            draft=sql.Literal(lc.draft),
            archived=sql.Literal(lc.archived or ""),
        ),
    )


def _runtime_parts(snapshot: Snapshot, profile: Profile) -> dict:
    lc: Lifecycle = profile.lifecycle
    rt: Runtime = profile.runtime
    return dict(
        instances=sql.Identifier(profile.schema, rt.table),
        i_key=_row_id(snapshot, profile.schema, rt.table),
        i_status=sql.Identifier(rt.status_column),
        i_config=sql.Identifier(rt.config_column),
        versions=sql.Identifier(profile.schema, lc.table),
        v_key=_row_id(snapshot, profile.schema, lc.table),
        v_ws=sql.Identifier(lc.workspace_column),
        version=sql.Identifier(lc.version_column),
        status=sql.Identifier(lc.status_column),
    )


def running_on_draft(conn: Connection, snapshot: Snapshot, profile: Profile, limit: int = FINDINGS_LIMIT) -> list[dict]:
    """C6: running or pending instances frozen to a DRAFT version (``total`` on each row)."""
    return guarded_rows(
        conn,
        sqlfiles.compose(
            "audits/running_on_draft.sql",
            **_runtime_parts(snapshot, profile),
            running=sql.Literal(list(profile.runtime.running_statuses)),
            draft=sql.Literal(profile.lifecycle.draft),
            limit=sql.Literal(limit),
        ),
    )


def instances_by_version(conn: Connection, snapshot: Snapshot, profile: Profile) -> list[dict]:
    """Workflow instances counted by workspace, version, version status and instance status."""
    return guarded_rows(conn, sqlfiles.compose("audits/instances_by_version.sql", **_runtime_parts(snapshot, profile)))


def migrations(conn: Connection, schema: str, table: str) -> list[dict]:
    """The migration history table's rows, oldest first."""
    return guarded_rows(conn, sqlfiles.compose("audits/migrations.sql", migrations=sql.Identifier(schema, table)))
