"""Judge each statement of the pending migrations against the target database's catalog and data.

``Target`` is what the lint knows: the catalog snapshot, a read-only
connection, and what earlier statements of the same run did (tables they
created are empty, columns they added hold their default, constraints they
added NOT VALID can be validated later). ``judge`` returns the findings and a
line per statement with the lock it takes and how long it may hold it.
"""

from __future__ import annotations

from copy import deepcopy
from dataclasses import dataclass, field

from pglast import ast, parse_sql
from pglast.enums import AlterTableType, ConstrType, NullTestType, ObjectType
from pglast.stream import RawStream
from psycopg import sql

from apms_ops.catalog import Snapshot, qualified
from apms_ops.lint import probes, rewrites
from apms_ops.lint.rules import BLOCKER, BY_ID, MAJOR
from apms_ops.lint.safe_expression import UnsafeExpression, called_functions_and_operators, render_expression, volatile_calls
from apms_ops.migrations.statements import Statement

# Throughput assumed for the lock-time estimate (bytes per second); a planning figure, not a promise.
SCAN_BYTES_PER_S = 200 * 1024 * 1024
REWRITE_BYTES_PER_S = 50 * 1024 * 1024
INDEX_BUILD_BYTES_PER_S = 50 * 1024 * 1024
RATES = {"scan": SCAN_BYTES_PER_S, "rewrite": REWRITE_BYTES_PER_S, "index build": INDEX_BUILD_BYTES_PER_S}

BLOCKS = {
    "ACCESS EXCLUSIVE": "reads and writes",
    "EXCLUSIVE": "writes",
    "SHARE ROW EXCLUSIVE": "writes",
    "SHARE": "writes",
    "SHARE UPDATE EXCLUSIVE": "other schema changes only",
    "ROW EXCLUSIVE": "nothing ordinary",
}
MB = 1024 * 1024
# PostgreSQL 18 accepts NOT VALID foreign keys on partitioned tables; earlier versions refuse them.
NOT_VALID_FK_ON_PARTITIONED_FROM = 180000


@dataclass
class Finding:
    rule: str
    severity: str
    title: str
    migration: str
    file: str
    line: int
    statement: str
    detail: str
    figures: dict = field(default_factory=dict)
    fix: str = ""
    sample: list = field(default_factory=list)

    def to_dict(self) -> dict:
        return {"rule": self.rule, "severity": self.severity, "title": self.title, "migration": self.migration,
                "file": self.file, "line": self.line, "statement": self.statement, "detail": self.detail,
                "figures": self.figures, "fix": self.fix, "sample": self.sample}


@dataclass
class Lock:
    """The strongest lock a statement takes, on which tables, and for how long (estimated from their size)."""

    mode: str
    tables: list[str]
    work: str = "none"  # none | scan | rewrite | index build
    rows: int | None = None
    bytes: int | None = None

    @property
    def blocks(self) -> str:
        return BLOCKS.get(self.mode, "nothing ordinary")

    @property
    def estimated_seconds(self) -> float | None:
        if self.work == "none":
            return 0.0
        if self.bytes is None:
            return None
        return round(self.bytes / RATES[self.work], 3)

    def to_dict(self) -> dict:
        return {"mode": self.mode, "blocks": self.blocks, "tables": self.tables, "work": self.work, "rows": self.rows,
                "bytes": self.bytes, "estimated_seconds": self.estimated_seconds}

    @property
    def basis(self) -> str:
        if self.work == "none":
            return "catalog change only: held for milliseconds once granted"
        if self.bytes is None:
            return f"{self.work}: size unknown"
        return f"{self.work} of {self.bytes / MB:.1f} MB at {RATES[self.work] // MB} MB/s (assumed)"


@dataclass
class Judged:
    findings: list[Finding]
    locks: list[Lock]
    notes: list[str]


class Target:
    """The target database as the pending statements will find it."""

    def __init__(self, conn, snapshot: Snapshot, schema: str = "public", sample: int = probes.SAMPLE_LIMIT):
        self.conn = conn
        self.snapshot = snapshot
        self.schema = schema
        self.sample = sample
        self.created: dict[tuple[str, str], set[str]] = {}   # tables created by earlier statements, with their columns
        self.dropped: set[tuple[str, str]] = set()
        self.added: dict[tuple[str, str], dict[str, bool]] = {}  # column -> has a non-null default
        self.not_valid: dict[tuple[str, str, str], ast.Constraint] = {}
        self.validated_fks: set[tuple] = set()  # (table, columns, referenced table) validated by earlier statements
        self._stats: dict[tuple[str, str], probes.TableStats] = {}
        self.estimated: set[tuple[str, str]] = set()  # tables whose count timed out: figures are the planner's estimate

    @property
    def server_version_num(self) -> int:
        return int(self.snapshot.server.get("server_version_num") or 0)

    def key(self, relation: ast.RangeVar) -> tuple[str, str]:
        return (relation.schemaname or self.schema, relation.relname)

    def key_of_names(self, names) -> tuple[str, str]:
        parts = [n.sval for n in names]
        return (parts[-2] if len(parts) > 1 else self.schema, parts[-1])

    def in_database(self, key) -> bool:
        """The table exists in the database now and no earlier statement dropped or recreated it.

        Partitions are not in the snapshot (their parent stands for them): they are looked up.
        """
        if key in self.created or key in self.dropped:
            return False
        return self.snapshot.table(*key) is not None or self.stats(key).kind is not None

    def new_column(self, key, column: str) -> bool:
        return column in self.added.get(key, {}) or key in self.created

    def stats(self, key) -> probes.TableStats:
        if key not in self._stats:
            self._stats[key] = probes.table_stats(self.conn, *key)
        return self._stats[key]

    def kind(self, key) -> str | None:
        """table | partitioned | None."""
        t = self.snapshot.table(*key)
        if t is not None:
            return t.kind
        kind = self.stats(key).kind if key not in self.created else "r"
        return {"r": "table", "p": "partitioned"}.get(kind)

    def rows(self, key) -> int | None:
        """Exact rows (count(*)); the planner's estimate when the count timed out; None when neither is known."""
        if not self.in_database(key):
            return 0 if key in self.created else None
        s = self.stats(key)
        if s.rows is None and (s.estimated_rows or -1) >= 0:
            self.estimated.add(key)
            return s.estimated_rows
        return s.rows

    def lock(self, mode: str, key, work: str = "none", *, with_indexes: bool = False, extra=()) -> Lock:
        """The lock a statement takes on ``key`` (and ``extra`` tables); ``work`` is what it does while holding it."""
        tables = [qualified(*key)] + [qualified(*k) for k in extra]
        if work == "none" or not self.in_database(key):
            # A catalog change, or a table this migration created (empty): held for milliseconds.
            return Lock(mode, tables)
        s = self.stats(key)
        size = None if s.table_bytes is None else s.table_bytes + ((s.index_bytes or 0) if with_indexes else 0)
        return Lock(mode, tables, work, s.rows_or_estimate if s.rows is None else s.rows, size)


# ---------------------------------------------------------------- helpers


def _render(node) -> str:
    return RawStream()(node)


def _names(values) -> list[str]:
    return [v.sval for v in values or ()]


def _type_name(type_name: ast.TypeName) -> str:
    text = sql.Identifier(*[n.sval for n in type_name.names]).as_string(None)
    return text + "[]" * len(type_name.arrayBounds or ())


def _typmods(type_name: ast.TypeName) -> list[int]:
    out = []
    for mod in type_name.typmods or ():
        value = getattr(getattr(mod, "val", None), "ival", None)
        if value is None:
            return []
        out.append(int(value))
    return out


def _not_null(columns: list[str]) -> sql.Composable:
    return sql.SQL(" AND ").join(sql.SQL("apms_ops_row.{} IS NOT NULL").format(sql.Identifier(c)) for c in columns)


def _n(value) -> str:
    return "an unknown number of" if value is None else f"{value:,}"


def _has_rows(rows: int | None) -> bool:
    """Rows there, or not known (a count that timed out on a big table): a hazard is not waved through."""
    return rows is None or rows > 0


def _count_text(count: probes.Count) -> str:
    return f"{count.value:,}" if count.known else f"unknown ({count.error})"


class _Emitter:
    def __init__(self, stmt: Statement, migration: str, file: str):
        self.stmt, self.migration, self.file = stmt, migration, file
        self.findings: list[Finding] = []
        self.locks: list[Lock] = []
        self.notes: list[str] = []

    def add(self, rule_id: str, detail: str, figures: dict | None = None, *, sample=None, severity: str | None = None,
            fix: str | None = None, lock: Lock | None = None) -> None:
        rule = BY_ID[rule_id]
        figures = dict(figures or {})
        if lock is not None:
            figures["lock"] = lock.to_dict()
            detail += f"; lock {lock.mode} on {', '.join(lock.tables)} (blocks {lock.blocks}), ≈ {lock.estimated_seconds}s: {lock.basis}"
        self.findings.append(Finding(rule.id, severity or rule.severity, rule.title, self.migration, self.file, self.stmt.line,
                                     self.stmt.text, detail, figures, fix or rule.fix, list(sample or [])))


# ---------------------------------------------------------------- statements


def judge(stmt: Statement, migration: str, file: str, target: Target) -> Judged:
    """Findings and locks of one statement; updates ``target`` with what the statement changes."""
    out = _Emitter(stmt, migration, file)
    node = stmt.node
    if isinstance(node, ast.IndexStmt):
        _create_index(node, stmt, target, out)
    elif isinstance(node, ast.AlterTableStmt) and node.objtype == ObjectType.OBJECT_TABLE:
        key = target.key(node.relation)
        for cmd in node.cmds or ():
            if isinstance(cmd, ast.AlterTableCmd):
                _alter_table_cmd(key, cmd, stmt, target, out)
    elif isinstance(node, ast.CreateStmt):
        key = target.key(node.relation)
        target.created[key] = {e.colname for e in node.tableElts or () if isinstance(e, ast.ColumnDef)}
        target.dropped.discard(key)
        out.locks.append(Lock("ACCESS EXCLUSIVE", [qualified(*key)]))
    elif isinstance(node, ast.DropStmt):
        _drop(node, stmt, target, out)
    elif isinstance(node, ast.TruncateStmt):
        for rel in node.relations or ():
            key = target.key(rel)
            lock = target.lock("ACCESS EXCLUSIVE", key)
            out.locks.append(lock)
            rows = target.rows(key)
            if target.in_database(key):
                out.add("L10.destructive", f"TRUNCATE {qualified(*key)} deletes {_n(rows)} rows",
                        {"rows_lost": rows}, lock=lock)
    elif isinstance(node, ast.ReindexStmt):
        if any(isinstance(p, ast.DefElem) and p.defname == "concurrently" for p in node.params or ()):
            _concurrently(stmt, out, "REINDEX CONCURRENTLY")
    for key in sorted(target.estimated):
        out.notes.append(f"rows of {qualified(*key)} are the planner's estimate: counting them exceeded the statement timeout "
                         f"({target.stats(key).error})")
        for f in out.findings:
            f.figures.setdefault("rows_estimated", True)
    target.estimated.clear()
    return Judged(out.findings, out.locks, out.notes)


def _concurrently(stmt: Statement, out: _Emitter, what: str) -> None:
    if stmt.in_transaction:
        out.add("L11.concurrently_in_transaction", f"{what} runs inside a transaction block here (explicit BEGIN, or a "
                "migration.sql of several statements that Prisma sends as one): PostgreSQL refuses it",
                {"in_transaction": True})


# ---------------------------------------------------------------- CREATE INDEX


def _index_keys(params, target: Target) -> tuple[list[sql.Composable], list[str]]:
    """Driver-quoted key columns and safely rendered key expressions of an index."""
    keys, columns = [], []
    for elem in params or ():
        if elem.name:
            keys.append(sql.SQL("apms_ops_row.{}").format(sql.Identifier(elem.name)))
            columns.append(elem.name)
        else:
            keys.append(sql.SQL("({})").format(sql.SQL(render_expression(elem.expr, target.conn))))
    return keys, columns


def _create_index(node: ast.IndexStmt, stmt: Statement, target: Target, out: _Emitter) -> None:
    key = target.key(node.relation)
    partitioned = target.in_database(key) and target.kind(key) == "partitioned"
    what = f"CREATE {'UNIQUE ' if node.unique else ''}INDEX{' CONCURRENTLY' if node.concurrent else ''} on {qualified(*key)}"
    if partitioned and not node.relation.inh:
        # ON ONLY the parent: an empty, INVALID index is created; partitions' indexes are attached later.
        out.locks.append(target.lock("SHARE", key))
        return
    if node.concurrent:
        _concurrently(stmt, out, what)
        if partitioned:
            out.add("L13.partitioned_table_unsupported", f"{what}: {qualified(*key)} is partitioned, and PostgreSQL cannot "
                    "build an index on a partitioned table concurrently", {"partitioned": True})
    lock = target.lock("SHARE UPDATE EXCLUSIVE" if node.concurrent else "SHARE", key, "index build")
    out.locks.append(lock)
    if not target.in_database(key):
        return
    rows = target.rows(key)
    if not node.concurrent and _has_rows(rows):
        out.add("L6.index_build_blocks_writes", f"{what} builds over {_n(rows)} rows while writes to the table wait",
                {"rows": rows, "table_bytes": lock.bytes}, lock=lock,
                fix="CREATE INDEX CONCURRENTLY, alone in its own migration.sql (Prisma then runs it outside a transaction).")
    if node.unique:
        try:
            keys, _ = _index_keys(node.indexParams, target)
            parts = [] if node.nulls_not_distinct else [sql.SQL("({}) IS NOT NULL").format(k) for k in keys]
            if node.whereClause is not None:
                parts.append(sql.SQL("({})").format(sql.SQL(render_expression(node.whereClause, target.conn))))
        except UnsafeExpression as exc:
            out.add("L5.unique_violations", f"{what}: duplicates not counted, the expression is not evaluated ({exc})",
                    {"duplicate_keys": None}, severity=MAJOR)
            return
        _unique_violations(key, keys, parts, what, target, out)


def _unique_violations(key, keys, parts, what: str, target: Target, out: _Emitter) -> None:
    condition = sql.SQL(" AND ").join(parts) if parts else sql.SQL("true")
    groups, rows = probes.duplicates(target.conn, *key, keys, condition, sample=target.sample)
    if not groups.known:
        out.add("L5.unique_violations", f"{what}: duplicates could not be counted ({groups.error})", {"duplicate_keys": None},
                severity=MAJOR)
    elif groups.value:
        out.add("L5.unique_violations", f"{what} fails: {groups.value:,} key value(s) occur more than once, in {rows.value:,} rows",
                {"duplicate_keys": groups.value, "duplicate_rows": rows.value}, sample=groups.sample)


# ---------------------------------------------------------------- ALTER TABLE


def _alter_table_cmd(key, cmd: ast.AlterTableCmd, stmt: Statement, target: Target, out: _Emitter) -> None:
    sub = cmd.subtype
    name = qualified(*key)
    if sub == AlterTableType.AT_AddColumn:
        _add_column(key, cmd.def_, target, out)
    elif sub == AlterTableType.AT_DropColumn:
        out.locks.append(target.lock("ACCESS EXCLUSIVE", key))
        column = cmd.name
        if target.in_database(key) and not target.new_column(key, column) and target.snapshot.column(*key, column) is not None:
            count = probes.violations(target.conn, *key, sql.SQL("apms_ops_row.{} IS NOT NULL").format(sql.Identifier(column)), sample=0)
            out.add("L10.destructive", f"DROP COLUMN {name}.{column} loses {_count_text(count)} non-NULL values "
                    f"(of {_n(target.rows(key))} rows)", {"values_lost": count.value, "rows": target.rows(key)})
        target.added.get(key, {}).pop(column, None)
    elif sub == AlterTableType.AT_AlterColumnType:
        _alter_type(key, cmd, target, out)
    elif sub == AlterTableType.AT_SetNotNull:
        _set_not_null(key, cmd.name, target, out)
    elif sub == AlterTableType.AT_AddConstraint:
        _add_constraint(key, cmd.def_, stmt, target, out)
    elif sub == AlterTableType.AT_ValidateConstraint:
        _validate(key, cmd.name, target, out)
    elif sub == AlterTableType.AT_DetachPartition:
        if getattr(cmd.def_, "concurrent", False):
            _concurrently(stmt, out, "DETACH PARTITION CONCURRENTLY")
        out.locks.append(target.lock("SHARE UPDATE EXCLUSIVE" if getattr(cmd.def_, "concurrent", False) else "ACCESS EXCLUSIVE", key))
    else:
        out.locks.append(target.lock("ACCESS EXCLUSIVE", key))


def _column_constraints(coldef: ast.ColumnDef) -> dict[ConstrType, ast.Constraint]:
    return {c.contype: c for c in coldef.constraints or () if isinstance(c, ast.Constraint)}


def _add_column(key, coldef: ast.ColumnDef, target: Target, out: _Emitter) -> None:
    name = f"{qualified(*key)}.{coldef.colname}"
    cons = _column_constraints(coldef)
    default = cons.get(ConstrType.CONSTR_DEFAULT)
    default_expr = default.raw_expr if default is not None else coldef.raw_default
    type_name = _names(coldef.typeName.names)[-1] if coldef.typeName else ""
    serial = type_name in ("serial", "serial2", "serial4", "serial8", "smallserial", "bigserial")
    identity = ConstrType.CONSTR_IDENTITY in cons or bool(coldef.identity and coldef.identity != "\x00")
    generated = ConstrType.CONSTR_GENERATED in cons
    not_null = coldef.is_not_null or ConstrType.CONSTR_NOTNULL in cons or ConstrType.CONSTR_PRIMARY in cons or identity or serial
    null_default = default_expr is None or (isinstance(default_expr, ast.A_Const) and default_expr.isnull)
    volatile = []
    if default_expr is not None:
        volatile = volatile_calls(target.conn, *called_functions_and_operators(default_expr))
    rewrite_reason = ("it is a serial (nextval() per row)" if serial else "it is an identity column" if identity
                      else "it is a stored generated column" if generated
                      else f"its default calls {', '.join(volatile)} (volatile: evaluated per row)" if volatile else None)
    lock = target.lock("ACCESS EXCLUSIVE", key, "rewrite" if rewrite_reason else "none", with_indexes=True)
    out.locks.append(lock)
    target.added.setdefault(key, {})[coldef.colname] = not null_default or serial or identity or generated
    fails = not_null and null_default and not (serial or identity or generated)
    if not target.in_database(key) or not (fails or rewrite_reason):
        return  # a nullable column, or one with a constant default: a catalog change, no row counted
    rows = target.rows(key)
    if fails and null_default and not (serial or identity or generated) and _has_rows(rows):
        out.add("L9.not_null_column_without_default", f"ADD COLUMN {name} NOT NULL without a default fails: the table has "
                f"{_n(rows)} rows that would hold NULL", {"rows": rows})
    if rewrite_reason and _has_rows(rows):
        out.add("L7.table_rewrite", f"ADD COLUMN {name} rewrites {_n(rows)} rows: {rewrite_reason}", {"rows": rows}, lock=lock)


def _alter_type(key, cmd: ast.AlterTableCmd, target: Target, out: _Emitter) -> None:
    column, coldef = cmd.name, cmd.def_
    name = f"{qualified(*key)}.{column}"
    new_type, shown_type = _type_name(coldef.typeName), _render(coldef.typeName)
    if not target.in_database(key) or target.new_column(key, column):
        out.locks.append(target.lock("ACCESS EXCLUSIVE", key))
        return
    using = coldef.raw_default
    using_is_column = using is None or (isinstance(using, ast.ColumnRef) and _names(using.fields)[-1:] == [column])
    facts = probes.type_change(target.conn, *key, column, new_type)
    if facts is None or not facts["new_type_known"]:
        out.locks.append(target.lock("ACCESS EXCLUSIVE", key))
        out.notes.append(f"{name}: type {shown_type} or the column is unknown to the target; rewrite not judged")
        return
    new_typmod = rewrites.typmod_of(facts["new_typname"], _typmods(coldef.typeName))
    change = rewrites.column_type_change(
        old_typname=facts["old_typname"], old_typmod=facts["old_typmod"], new_typname=facts["new_typname"], new_typmod=new_typmod,
        same_type=facts["same_type"], castmethod=facts["castmethod"], using_is_column=using_is_column,
        domain_checks=facts["domain_checks"], utc_session=bool(facts["utc_session"]), timezone=facts["timezone"])
    lock = target.lock("ACCESS EXCLUSIVE", key, "rewrite" if change.rewrite else "none", with_indexes=True)
    out.locks.append(lock)
    out.notes.append(f"{name}: {facts['old_type']} -> {shown_type}: {change.reason}")
    if not change.rewrite:
        return  # nothing is converted: nothing can fail, no row is touched
    condition = _narrowing_condition(column, facts, new_typmod) if using_is_column else None
    rows = target.rows(key)
    if change.rewrite and _has_rows(rows):
        out.add("L7.table_rewrite", f"ALTER COLUMN {name} TYPE {shown_type} rewrites {_n(rows)} rows and rebuilds the table's "
                f"indexes: {change.reason}", {"rows": rows, "table_bytes": lock.bytes}, lock=lock)
    if condition is not None and _has_rows(rows):
        count = probes.violations(target.conn, *key, condition, sample=target.sample)
        if not count.known or count.value:
            out.add("L8.type_change_violations", f"ALTER COLUMN {name} TYPE {shown_type}: {_count_text(count)} values do not fit",
                    {"violating_rows": count.value}, sample=count.sample, severity=None if count.known else MAJOR)


def _narrowing_condition(column: str, facts: dict, new_typmod: int) -> sql.Composable | None:
    """Rows whose value would not fit the new type (longer strings, numbers out of range), or None."""
    col = sql.SQL("apms_ops_row.{}").format(sql.Identifier(column))
    new, old = facts["new_typname"], facts["old_typname"]
    if new in ("varchar", "bpchar") and new_typmod > 0:
        return sql.SQL("char_length({}::text) > {}").format(col, sql.Literal(new_typmod - rewrites.VARHDRSZ))
    if new == "numeric" and new_typmod > 0 and old in ("numeric", "int2", "int4", "int8", "float4", "float8"):
        precision, scale = ((new_typmod - rewrites.VARHDRSZ) >> 16), ((new_typmod - rewrites.VARHDRSZ) & 0xFFFF)
        return sql.SQL("abs(round({}::numeric, {})) >= {}").format(col, sql.Literal(scale), sql.Literal(10 ** (precision - scale)))
    if new in rewrites.INTEGER_RANGES and old in ("int2", "int4", "int8", "numeric", "float4", "float8"):
        low, high = rewrites.INTEGER_RANGES[new]
        return sql.SQL("(round({0}::numeric) < {1} OR round({0}::numeric) > {2})").format(col, sql.Literal(low), sql.Literal(high))
    return None


def _has_valid_not_null_check(target: Target, key, column: str) -> bool:
    """A validated CHECK (col IS NOT NULL) lets SET NOT NULL skip its scan (PostgreSQL 12+)."""
    for c in target.snapshot.check_constraints:
        if (c.schema, c.table) == key and c.validated:
            node = _constraint_node(c.definition)
            expr = getattr(node, "raw_expr", None)
            if (isinstance(expr, ast.NullTest) and isinstance(expr.arg, ast.ColumnRef)
                    and _names(expr.arg.fields) == [column] and expr.nulltesttype == NullTestType.IS_NOT_NULL):
                return True
    return False


def _set_not_null(key, column: str, target: Target, out: _Emitter) -> None:
    name = f"{qualified(*key)}.{column}"
    if not target.in_database(key):
        out.locks.append(target.lock("ACCESS EXCLUSIVE", key))
        return
    skip_scan = _has_valid_not_null_check(target, key, column)
    lock = target.lock("ACCESS EXCLUSIVE", key, "none" if skip_scan else "scan")
    out.locks.append(lock)
    rows = target.rows(key)
    if target.new_column(key, column):
        nulls = probes.Count(0 if target.added.get(key, {}).get(column) else rows)
    else:
        nulls = probes.violations(target.conn, *key, sql.SQL("apms_ops_row.{} IS NULL").format(sql.Identifier(column)),
                                  sample=target.sample)
    if not nulls.known or nulls.value:
        verdict = "fails" if nulls.known else "may fail (NULLs not counted)"
        out.add("L4.not_null_violations", f"SET NOT NULL on {name} {verdict}: {_count_text(nulls)} of {_n(rows)} rows hold NULL",
                {"violating_rows": nulls.value, "rows": rows}, sample=nulls.sample, severity=None if nulls.known else MAJOR)
    elif _has_rows(rows) and not skip_scan:
        out.add("L12.scan_blocks_writes", f"SET NOT NULL on {name} scans {_n(rows)} rows under ACCESS EXCLUSIVE", {"rows": rows},
                lock=lock)


# ---------------------------------------------------------------- constraints


def _constraint_node(definition: str) -> ast.Constraint | None:
    """The parse tree of a constraint as ``pg_get_constraintdef`` prints it (PostgreSQL's own output)."""
    try:
        stmt = parse_sql(f"ALTER TABLE apms_ops_t ADD CONSTRAINT apms_ops_c {definition}")[0].stmt
        return stmt.cmds[0].def_
    except Exception:  # noqa: BLE001 - an unparsable definition is judged by nothing
        return None


def _add_constraint(key, con: ast.Constraint, stmt: Statement, target: Target, out: _Emitter) -> None:
    kind = con.contype
    if kind == ConstrType.CONSTR_FOREIGN:
        _add_foreign_key(key, con, stmt, target, out)
    elif kind == ConstrType.CONSTR_CHECK:
        not_valid = bool(con.skip_validation)
        lock = target.lock("ACCESS EXCLUSIVE", key, "none" if not_valid else "scan")
        out.locks.append(lock)
        if con.conname and not_valid:
            target.not_valid[(*key, con.conname)] = con
        if not target.in_database(key):
            return
        rows = target.rows(key)
        what = f"ADD CHECK ({_render(con.raw_expr)}){' NOT VALID' if not_valid else ''} on {qualified(*key)}"
        violated = _check_violations(key, con, what, target, out, deferred=not_valid)
        if not not_valid and not violated and _has_rows(rows):
            fixed = ast.AlterTableStmt(relation=stmt.node.relation, cmds=(ast.AlterTableCmd(
                subtype=AlterTableType.AT_AddConstraint, def_=_with(con, skip_validation=True, initially_valid=False)),),
                objtype=ObjectType.OBJECT_TABLE)
            fix = _not_valid_then_validate(fixed, stmt.node.relation, con.conname)
            out.add("L12.scan_blocks_writes", f"{what} scans {_n(rows)} rows under ACCESS EXCLUSIVE", {"rows": rows}, lock=lock, fix=fix)
    elif kind in (ConstrType.CONSTR_UNIQUE, ConstrType.CONSTR_PRIMARY):
        _add_unique(key, con, target, out)
    else:
        out.locks.append(target.lock("ACCESS EXCLUSIVE", key))


def _not_valid_then_validate(fixed: ast.AlterTableStmt, relation: ast.RangeVar, name: str | None) -> str:
    """The statement NOT VALID, then its VALIDATE for a later migration (both rendered by pglast)."""
    validate = ast.AlterTableStmt(relation=relation, cmds=(ast.AlterTableCmd(
        subtype=AlterTableType.AT_ValidateConstraint, name=name or "<name it>"),), objtype=ObjectType.OBJECT_TABLE)
    return f"{_render(fixed)};\n-- in a later migration:\n{_render(validate)};"


def _with(node, **changes):
    """A copy of a pglast node with some attributes changed."""
    copy = deepcopy(node)
    for name, value in changes.items():
        setattr(copy, name, value)
    return copy


def _check_violations(key, con: ast.Constraint, what: str, target: Target, out: _Emitter, *, deferred: bool) -> bool:
    try:
        condition = sql.SQL("({}) IS FALSE").format(sql.SQL(render_expression(con.raw_expr, target.conn)))
    except UnsafeExpression as exc:
        out.add("L3.check_violations", f"{what}: violating rows not counted, the expression is not evaluated ({exc})",
                {"violating_rows": None}, severity=MAJOR)
        return True
    count = probes.violations(target.conn, *key, condition, sample=target.sample)
    if not count.known:
        out.add("L3.check_violations", f"{what}: violating rows could not be counted ({count.error})", {"violating_rows": None},
                severity=MAJOR)
        return True
    if count.value:
        verb = "passes now, but VALIDATE CONSTRAINT will fail:" if deferred else "fails:"
        out.add("L3.check_violations", f"{what} {verb} {count.value:,} of {_n(target.rows(key))} rows violate it",
                {"violating_rows": count.value, "rows": target.rows(key)}, sample=count.sample, severity=MAJOR if deferred else None)
        return True
    return False


def _fk_columns(con: ast.Constraint, target: Target) -> tuple[list[str], tuple[str, str], list[str]]:
    parent = target.key(con.pktable)
    ref_columns = _names(con.pk_attrs)
    if not ref_columns:
        ref_columns = list(target.snapshot.primary_key(*parent) or ())
    return _names(con.fk_attrs), parent, ref_columns


def _orphan_condition(columns: list[str], parent, ref_columns: list[str], match_full: bool, parent_in_db: bool) -> sql.Composable:
    present = _not_null(columns)
    if parent_in_db:
        match = sql.SQL(" AND ").join(sql.SQL("p.{} = apms_ops_row.{}").format(sql.Identifier(pc), sql.Identifier(cc))
                                      for pc, cc in zip(ref_columns, columns))
        missing = sql.SQL("NOT EXISTS (SELECT 1 FROM {} AS p WHERE {})").format(sql.Identifier(*parent), match)
        condition = sql.SQL("({} AND {})").format(present, missing)
    else:
        condition = sql.SQL("({})").format(present)  # the parent is created by the migration: it is empty
    if match_full and len(columns) > 1:
        some = sql.SQL(" OR ").join(sql.SQL("apms_ops_row.{} IS NOT NULL").format(sql.Identifier(c)) for c in columns)
        condition = sql.SQL("({} OR (({}) AND NOT ({})))").format(condition, some, present)
    return condition


def _add_foreign_key(key, con: ast.Constraint, stmt: Statement, target: Target, out: _Emitter, column: str | None = None) -> None:
    columns, parent, ref_columns = _fk_columns(con, target)
    columns = columns or ([column] if column else [])
    not_valid = bool(con.skip_validation)
    lock = target.lock("SHARE ROW EXCLUSIVE", key, "none" if not_valid else "scan", extra=[parent])
    out.locks.append(lock)
    if con.conname and not_valid:
        target.not_valid[(*key, con.conname)] = con
    what = (f"ADD FOREIGN KEY {qualified(*key)}({', '.join(columns)}) -> {qualified(*parent)}({', '.join(ref_columns)})"
            f"{' NOT VALID' if not_valid else ''}")
    if not target.in_database(key):
        return
    partitioned = target.kind(key) == "partitioned"
    if not not_valid:
        target.validated_fks.add((key, tuple(columns), parent))
    if not not_valid and partitioned and _partitions_carry_fk(key, columns, parent, target):
        # Every partition has this foreign key validated: PostgreSQL attaches them, no scan.
        out.locks[-1] = target.lock("SHARE ROW EXCLUSIVE", key, extra=[parent])
        out.notes.append(f"{what}: every partition already has it validated; PostgreSQL attaches them without a scan")
        return
    if (not_valid and partitioned
            and target.server_version_num < NOT_VALID_FK_ON_PARTITIONED_FROM):
        out.add("L13.partitioned_table_unsupported", f"{what}: {qualified(*key)} is partitioned and PostgreSQL "
                f"{target.snapshot.server.get('server_version', '')} refuses NOT VALID foreign keys on partitioned tables",
                {"partitioned": True})
    rows = target.rows(key)
    if not not_valid and _has_rows(rows):
        fixed = ast.AlterTableStmt(relation=stmt.node.relation, cmds=(ast.AlterTableCmd(
            subtype=AlterTableType.AT_AddConstraint, def_=_with(con, skip_validation=True, initially_valid=False)),),
            objtype=ObjectType.OBJECT_TABLE)
        parent_rows = target.rows(parent)
        out.add("L1.foreign_key_validates", f"{what} scans {_n(rows)} rows of {qualified(*key)} while writes to "
                f"{qualified(*key)} and {qualified(*parent)} ({parent_rows if parent_rows is not None else '?'} rows) wait",
                {"rows": rows, "referenced_rows": parent_rows}, lock=lock,
                fix=_not_valid_then_validate(fixed, stmt.node.relation, con.conname))
    if any(target.new_column(key, c) for c in columns) or len(columns) != len(ref_columns) or not columns:
        return
    _fk_violations(key, columns, parent, ref_columns, con.fk_matchtype == "f", what, target, out, deferred=not_valid)


def _partitions_carry_fk(key, columns, parent, target: Target) -> bool:
    leaves = probes.partition_foreign_keys(target.conn, *key, list(columns), *parent)
    return bool(leaves) and all(has or (leaf, tuple(columns), parent) in target.validated_fks for leaf, has in leaves.items())


def _fk_violations(key, columns, parent, ref_columns, match_full: bool, what: str, target: Target, out: _Emitter,
                   *, deferred: bool) -> None:
    condition = _orphan_condition(columns, parent, ref_columns, match_full, target.in_database(parent))
    count = probes.violations(target.conn, *key, condition, sample=target.sample)
    rows = target.rows(key)
    if not count.known:
        out.add("L2.foreign_key_violations", f"{what}: orphaned rows could not be counted ({count.error})",
                {"violating_rows": None}, severity=MAJOR)
    elif count.value:
        verb = "passes now, but VALIDATE CONSTRAINT will fail:" if deferred else "fails:"
        out.add("L2.foreign_key_violations", f"{what} {verb} {count.value:,} of {_n(rows)} rows point at no row of {qualified(*parent)}",
                {"violating_rows": count.value, "rows": rows}, sample=count.sample, severity=MAJOR if deferred else None)


def _add_unique(key, con: ast.Constraint, target: Target, out: _Emitter) -> None:
    primary = con.contype == ConstrType.CONSTR_PRIMARY
    what = f"ADD {'PRIMARY KEY' if primary else 'UNIQUE'} ({', '.join(_names(con.keys))}) on {qualified(*key)}"
    if con.indexname:
        out.locks.append(target.lock("ACCESS EXCLUSIVE", key))
        return  # USING INDEX: the index was built (and checked) already
    lock = target.lock("ACCESS EXCLUSIVE", key, "index build")
    out.locks.append(lock)
    if not target.in_database(key):
        return
    columns = _names(con.keys)
    rows = target.rows(key)
    if _has_rows(rows):
        out.add("L6.index_build_blocks_writes", f"{what} builds its index over {_n(rows)} rows under ACCESS EXCLUSIVE",
                {"rows": rows, "table_bytes": lock.bytes}, lock=lock)
    if any(target.new_column(key, c) for c in columns):
        return
    if primary:
        nulls = probes.violations(target.conn, *key, sql.SQL(" OR ").join(
            sql.SQL("apms_ops_row.{} IS NULL").format(sql.Identifier(c)) for c in columns), sample=target.sample)
        if not nulls.known or nulls.value:
            out.add("L4.not_null_violations", f"{what} {'fails' if nulls.known else 'may fail (NULLs not counted)'}: "
                    f"{_count_text(nulls)} rows hold NULL in a key column",
                    {"violating_rows": nulls.value, "rows": rows}, sample=nulls.sample, severity=None if nulls.known else MAJOR)
    keys = [sql.SQL("apms_ops_row.{}").format(sql.Identifier(c)) for c in columns]
    parts = [] if con.nulls_not_distinct and not primary else [sql.SQL("{} IS NOT NULL").format(k) for k in keys]
    _unique_violations(key, keys, parts, what, target, out)


def _validate(key, name: str, target: Target, out: _Emitter) -> None:
    con = target.not_valid.pop((*key, name), None)
    existing = next((c for c in target.snapshot.constraints if (c.schema, c.table, c.name) == (*key, name)), None)
    if con is None and existing is not None and not existing.validated:
        con = _constraint_node(existing.definition)
    if con is None:
        out.locks.append(target.lock("SHARE UPDATE EXCLUSIVE", key))
        if existing is None:
            out.notes.append(f"VALIDATE CONSTRAINT {name}: no such NOT VALID constraint on {qualified(*key)} (already valid or unknown)")
        return
    is_fk = con.contype == ConstrType.CONSTR_FOREIGN
    extra = [target.key(con.pktable)] if is_fk else []
    out.locks.append(target.lock("SHARE UPDATE EXCLUSIVE", key, "scan", extra=extra))
    if not target.in_database(key):
        return
    what = f"VALIDATE CONSTRAINT {name} on {qualified(*key)}"
    if is_fk:
        columns, parent, ref_columns = _fk_columns(con, target)
        target.validated_fks.add((key, tuple(columns), parent))
        if columns and len(columns) == len(ref_columns) and not any(target.new_column(key, c) for c in columns):
            _fk_violations(key, columns, parent, ref_columns, con.fk_matchtype == "f", what, target, out, deferred=False)
    elif con.contype == ConstrType.CONSTR_CHECK:
        _check_violations(key, con, what, target, out, deferred=False)


# ---------------------------------------------------------------- DROP


def _drop(node: ast.DropStmt, stmt: Statement, target: Target, out: _Emitter) -> None:
    if node.removeType == ObjectType.OBJECT_INDEX and node.concurrent:
        _concurrently(stmt, out, "DROP INDEX CONCURRENTLY")
    if node.removeType != ObjectType.OBJECT_TABLE:
        return
    for names in node.objects or ():
        key = target.key_of_names(names)
        lock = target.lock("ACCESS EXCLUSIVE", key)
        out.locks.append(lock)
        if target.in_database(key):
            rows = target.rows(key)
            out.add("L10.destructive", f"DROP TABLE {qualified(*key)} deletes {_n(rows)} rows" if rows is not None
                    else f"DROP TABLE {qualified(*key)} deletes its rows (count unknown)", {"rows_lost": rows})
        target.created.pop(key, None)
        target.dropped.add(key)
