"""The probe: what an invariant test uses to talk to the database inside its one transaction.

It records steps (outcome, timing, SQLSTATE), asks questions under savepoints
so an expected rejection leaves the transaction usable, and creates rows only
by copying an existing row with a tagged key, so every row it creates carries
the run's tag and the after-check can prove that none remains. It remembers
every table it touched, every key it created and a checksum of every existing
row it updated (before the update), for that after-check.

Identifiers come from the profile and the catalog and are quoted by the driver
(``psycopg.sql.Identifier``); values are bound parameters. Column types come
from ``format_type`` in the catalog and are only used in casts.
"""

from __future__ import annotations

import time
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Callable, Iterator

import sqlalchemy as sa
from psycopg import sql
from sqlalchemy.engine import Connection

from apms_ops.catalog import Snapshot
from apms_ops.connections import PINNED_SEARCH_PATH, Environment, mask_secrets, secrets_of
from apms_ops.invariants.base import ERROR, PROBE, SETUP, SKIP, Abort, Skip, Step, is_rejection
from apms_ops.profiles import Profile

TEXT_TYPES = ("text", "character varying", "character", "citext", "name")
# Undefined table, function, type: inside a function of the database, a name its search_path no longer finds.
_UNDEFINED_NAME = ("42P01", "42883", "42704")


def is_text_type(type_name: str | None) -> bool:
    # format_type qualifies a type outside pg_catalog (public.citext): the search_path is pinned.
    return bool(type_name) and type_name.split("(")[0].strip().rsplit(".", 1)[-1] in TEXT_TYPES


@dataclass(frozen=True)
class StepEvent:
    """Passed to ``on_step`` before each step: enough to watch (or stop) the test from outside."""

    test: str
    step: str
    pid: int | None
    tag: str
    phase: str = "start"  # "start": before the step; "savepoint": inside it, just before a savepoint is rolled back


@dataclass(frozen=True)
class Attempt:
    """The database's answer to one statement tried under a savepoint."""

    accepted: bool
    sqlstate: str | None = None
    constraint: str | None = None
    message: str = ""


def error_parts(exc: BaseException, env: Environment | None = None) -> tuple[str | None, str | None, str]:
    """(SQLSTATE, constraint name, one masked line) of a driver error."""
    orig = getattr(exc, "orig", None) or exc
    diag = getattr(orig, "diag", None)
    sqlstate = getattr(orig, "sqlstate", None)
    constraint = getattr(diag, "constraint_name", None) if diag is not None else None
    text = (getattr(diag, "message_primary", None) if diag is not None else None) or str(orig) or type(orig).__name__
    text = " ".join(text.split())
    context = (getattr(diag, "context", None) if diag is not None else None) or ""
    if sqlstate in _UNDEFINED_NAME and "function" in context:
        function = " ".join(next(line for line in context.splitlines() if "function" in line).split())
        text += (f" (in {function}: the database's function looks names up through the caller's search_path, which "
                 f"apms-ops pins to {PINNED_SEARCH_PATH} so that no code of the database can steer a test; "
                 "schema-qualify the names in the function or give it SET search_path)")
    return sqlstate, constraint, mask_secrets(text, *secrets_of(env))


class Probe:
    """Steps, savepoints and tagged rows for one invariant test in one transaction."""

    def __init__(self, conn: Connection, env: Environment, profile: Profile, snapshot: Snapshot, *,
                 tag: str, test: str, on_step: Callable[[StepEvent], None] | None = None):
        self.conn = conn
        self.env = env
        self.profile = profile
        self.snapshot = snapshot
        self.schema = profile.schema
        self.tag = tag
        # For columns that only take codes (CHECK code ~ '^[A-Z0-9_]+$'): same tag, code-shaped.
        self.code_tag = tag.upper().replace("-", "_")
        self.test = test
        self.on_step = on_step
        self.pid: int | None = None
        self.steps: list[Step] = []
        self.skip_reason: str | None = None
        self.summaries: dict[str, str] = {}  # outcome -> one line, when the test says it better than its steps
        self.touched: dict[str, set[str]] = {}   # table -> keys (as text) of rows this test created
        self.before: dict[str, dict[str, str]] = {}  # table -> {key: md5 of the row before this test updated it}
        self._counter = 0
        self._current = ""
        self._insertable: dict[str, list[str]] = {}

    # ------------------------------------------------------------ steps

    def notify(self, step: str, phase: str = "start") -> None:
        if self.on_step is not None:
            self.on_step(StepEvent(self.test, step, self.pid, self.tag, phase))

    @contextmanager
    def step(self, name: str, kind: str = SETUP) -> Iterator[Step]:
        """Record one step. A driver error or a bug ends the test as ERROR; ``Skip`` ends it as SKIP."""
        record = Step(name, kind=kind)
        started = time.perf_counter()
        self._current = name
        try:
            self.notify(name)
            yield record
        except Skip as exc:
            record.outcome, record.detail = SKIP, str(exc)
            self.skip_reason = str(exc)
            raise
        except sa.exc.DBAPIError as exc:
            record.outcome = ERROR
            record.sqlstate, _, record.detail = error_parts(exc, self.env)
            raise Abort(record.detail) from None
        except Abort:
            record.outcome = ERROR
            raise
        except Exception as exc:  # noqa: BLE001 - a bug in a test is that test's ERROR, not the page's traceback
            record.outcome = ERROR
            record.detail = f"{type(exc).__name__}: {' '.join(str(exc).split())}"
            raise Abort(record.detail) from None
        except BaseException:
            record.outcome, record.detail = ERROR, "interrupted"
            raise
        finally:
            record.duration_ms = (time.perf_counter() - started) * 1000
            self.steps.append(record)

    def attempt(self, action: Callable[[], Any], setup: Callable[[], Any] | None = None) -> Attempt:
        """Run ``setup`` then ``action`` under a savepoint that is always rolled back.

        A rejection of ``action`` (constraint, data exception, trigger) is an
        answer; any other error (timeout, lock wait, lost connection) propagates.
        """
        savepoint = self.conn.begin_nested()
        try:
            if setup is not None:
                setup()
            try:
                action()
            except sa.exc.DBAPIError as exc:
                sqlstate, constraint, message = error_parts(exc, self.env)
                if not is_rejection(sqlstate):
                    raise
                self.notify(self._current, "savepoint")
                return Attempt(False, sqlstate, constraint, message)
            self.notify(self._current, "savepoint")
            return Attempt(True)
        finally:
            try:
                savepoint.rollback()
            except sa.exc.DBAPIError:
                if not self.conn.invalidated:
                    raise  # a live connection that cannot roll back a savepoint is an error of its own

    def probe(self, name: str, action: Callable[[], Any], *, accepted: str, control: Callable[[], Any] | None = None,
              setup: Callable[[], Any] | None = None) -> Step:
        """Ask whether the database rejects ``action``.

        ``control`` is the same row without the violation: it must be accepted,
        or a rejection of ``action`` would prove nothing. Rejected: PASS (with
        the SQLSTATE and constraint); accepted: NOT_ENFORCED, described by ``accepted``.
        """
        with self.step(name, PROBE) as s:
            if control is not None:
                c = self.attempt(control, setup)
                if not c.accepted:
                    s.outcome, s.sqlstate = ERROR, c.sqlstate
                    s.detail = (f"the control row (the same row without the violation) was rejected too, by "
                                f"{c.constraint or 'the database'}: {c.message}; a rejection would prove nothing")
                    return s
            a = self.attempt(action, setup)
            if a.accepted:
                s.not_enforced(f"accepted: {accepted}")
            else:
                s.sqlstate = a.sqlstate
                s.detail = f"rejected by {a.constraint or 'the database'}: {a.message}"
        return s

    # ------------------------------------------------------------ reading

    def ident(self, table: str) -> sql.Identifier:
        return sql.Identifier(self.schema, table)

    def execute(self, statement: sql.Composable, params: dict | None = None):
        return self.conn.exec_driver_sql(statement.as_string(None), params or {})

    def rows(self, statement: sql.Composable, params: dict | None = None) -> list[dict]:
        return [dict(r) for r in self.execute(statement, params).mappings()]

    def one(self, statement: sql.Composable, params: dict | None = None) -> dict | None:
        rows = self.rows(statement, params)
        return rows[0] if rows else None

    def table(self, name: str):
        t = self.snapshot.table(self.schema, name)
        if t is None:
            raise Skip(f"table {name} is missing from schema {self.schema}")
        return t

    def column_type(self, table: str, column: str) -> str:
        col = self.table(table).columns.get(column)
        if col is None:
            raise Skip(f"column {table}.{column} is missing")
        return col.type

    def key(self, table: str) -> str:
        """The single-column primary key of ``table`` (tests create rows by key)."""
        pk = self.snapshot.primary_key(self.schema, table)
        if not pk or len(pk) != 1:
            raise Skip(f"table {table} has no single-column primary key, so the test cannot track the rows it creates")
        return pk[0]

    def insertable_columns(self, table: str) -> list[str]:
        """Columns an INSERT may name: not generated, not GENERATED ALWAYS AS IDENTITY (read once per table)."""
        if table not in self._insertable:
            rows = self.rows(
                sql.SQL(
                    "SELECT a.attname AS name FROM pg_catalog.pg_attribute AS a "
                    "WHERE a.attrelid = CAST(%(rel)s AS pg_catalog.regclass) AND a.attnum > 0 AND NOT a.attisdropped "
                    "AND a.attgenerated = '' AND a.attidentity <> 'a' ORDER BY a.attnum"
                ),
                {"rel": sql.Identifier(self.schema, table).as_string(None)},
            )
            self._insertable[table] = [r["name"] for r in rows]
        return self._insertable[table]

    def reference_columns(self, table: str) -> set[str]:
        """Columns of ``table`` in a declared or an expected foreign key."""
        cols = {c for fk in self.snapshot.foreign_keys if fk.schema == self.schema and fk.table == table for c in fk.columns}
        return cols | {c for fk in self.profile.foreign_keys if fk.table == table for c in fk.columns}

    def free_text_column(self, table: str, exclude: set[str] = frozenset()) -> str | None:
        """A text column no constraint and no expected reference mentions (safe to append the tag to)."""
        busy = set(exclude)
        for c in self.snapshot.constraints:
            if c.schema == self.schema and c.table == table:
                busy.update(c.columns)
        for fk in self.profile.foreign_keys:
            if fk.table == table:
                busy.update(fk.columns)
        for ix in self.snapshot.indexes:
            if ix.schema == self.schema and ix.table == table:
                busy.update(ix.columns)
        for col in self.table(table).columns.values():
            if col.name not in busy and is_text_type(col.type):
                return col.name
        return None

    # ------------------------------------------------------------ writing (always tagged, always tracked)

    def _params(self) -> tuple[dict, Callable[[Any], str]]:
        params: dict[str, Any] = {}

        def bind(value: Any) -> str:
            name = f"p{len(params)}"
            params[name] = value
            return f"%({name})s"

        return params, bind

    def _value(self, value: Any, type_name: str, bind) -> sql.Composable:
        if isinstance(value, sql.Composable):
            return value
        # Casts name catalog types (format_type output), so a bound text becomes the column's type.
        return sql.SQL("CAST({} AS {})").format(sql.SQL(bind(value)), sql.SQL(type_name))

    def _where(self, where: dict[str, Any], bind, alias: str = "t") -> sql.Composable:
        if not where:
            return sql.SQL("true")
        return sql.SQL(" AND ").join(
            sql.SQL("{}.{} = {}").format(sql.Identifier(alias), sql.Identifier(col), sql.SQL(bind(val))) for col, val in where.items()
        )

    def new_key_expr(self, table: str, salt: str, source: sql.Composable) -> sql.Composable | None:
        """The tagged key for a copy of the row whose key is ``source`` (36 characters: tag, dash, 15 hex)."""
        key = self.key(table)
        key_type = self.column_type(table, key)
        if is_text_type(key_type):
            return sql.SQL("CAST({} || '-' || pg_catalog.substr(pg_catalog.md5({} || CAST({} AS text)), 1, 15) AS {})").format(
                sql.Literal(self.tag), sql.Literal(salt), source, sql.SQL(key_type))
        if key_type == "uuid":
            return sql.SQL("pg_catalog.gen_random_uuid()")
        return None

    def insert_copy(self, table: str, where: dict[str, Any], overrides: dict[str, Any] | None = None, *,
                    fresh: set[str] = frozenset(), many: bool = False, salt: str | None = None) -> list[str]:
        """Copy the row (or, with ``many``, every row) matching ``where`` into ``table`` as new, tagged rows.

        The key gets the tag; ``overrides`` replace columns (Python values are
        bound and cast to the column type; ``sql.Composable`` values are
        expressions over the source row ``t``). A non-key UNIQUE constraint that
        would make the copy collide with its source gets a tagged code in one of
        its text columns, unless it contains a column named in ``fresh`` (one
        whose new value is already unique, like a new version number).
        Returns the created keys as text.
        """
        overrides = dict(overrides or {})
        key = self.key(table)
        if salt is None:
            self._counter += 1
            salt = f"{table}:{self._counter}:"
        src_key = sql.SQL("t.{}").format(sql.Identifier(key))
        if key not in overrides:
            expr = self.new_key_expr(table, salt, src_key)
            if expr is None:
                raise Skip(f"table {table}: cannot create a tagged row, its key {key} is {self.column_type(table, key)}")
            overrides[key] = expr
            if not is_text_type(self.column_type(table, key)):
                # The key cannot carry the tag: a free text column does (the created key is tracked too).
                free = self.free_text_column(table)
                if free and free not in overrides:
                    overrides[free] = sql.SQL("coalesce(t.{}, '') || ' ' || {}").format(sql.Identifier(free), sql.Literal(self.tag))
        for unique in self.snapshot.unique_keys(self.schema, table):
            if set(unique) & (set(fresh) | {key}):
                continue  # the new key or a fresh value already makes the copy unique
            # A reference column cannot take a code: only a plain text column of the key is tagged.
            text_cols = [c for c in unique if is_text_type(self.column_type(table, c)) and c not in overrides
                         and c not in self.reference_columns(table)]
            if text_cols:
                overrides[text_cols[0]] = sql.SQL("{} || '_' || pg_catalog.upper(pg_catalog.substr(pg_catalog.md5({} || CAST(t.{} AS text)), 1, 8))").format(
                    sql.Literal(self.code_tag), sql.Literal(salt), sql.Identifier(key))
        params, bind = self._params()
        columns = self.insertable_columns(table)
        exprs = []
        for col in columns:
            if col in overrides:
                exprs.append(self._value(overrides[col], self.column_type(table, col), bind))
            else:
                exprs.append(sql.SQL("t.{}").format(sql.Identifier(col)))
        statement = sql.SQL("INSERT INTO {tbl} ({cols}) SELECT {exprs} FROM {tbl} AS t WHERE {where}{limit} RETURNING CAST({key} AS text) AS k").format(
            tbl=self.ident(table),
            cols=sql.SQL(", ").join(sql.Identifier(c) for c in columns),
            exprs=sql.SQL(", ").join(exprs),
            where=self._where(where, bind),
            limit=sql.SQL("") if many else sql.SQL(" ORDER BY t.{} LIMIT 1").format(sql.Identifier(key)),
            key=sql.Identifier(key),
        )
        created = self.touched.setdefault(table, set())
        keys = [r["k"] for r in self.execute(statement, params).mappings()]
        created.update(keys)
        if not keys and not many:
            raise RuntimeError(f"no row of {table} matches {sorted(where)} to copy")
        return keys

    def update(self, table: str, where: dict[str, Any], sets: dict[str, Any]) -> list[str]:
        """UPDATE rows of ``table``; existing rows get their before-image checksum recorded first."""
        key = self.key(table)
        created = self.touched.setdefault(table, set())
        params, bind = self._params()
        images = self.before.setdefault(table, {})
        for row in self.rows(sql.SQL("SELECT CAST(t.{key} AS text) AS k, pg_catalog.md5(CAST(ROW(t.*) AS text)) AS h FROM {tbl} AS t WHERE {where}").format(
                key=sql.Identifier(key), tbl=self.ident(table), where=self._where(where, bind)), params):
            if row["k"] not in created:
                images.setdefault(row["k"], row["h"])
        params, bind = self._params()
        assignments = sql.SQL(", ").join(
            sql.SQL("{} = {}").format(sql.Identifier(col), self._value(val, self.column_type(table, col), bind)) for col, val in sets.items()
        )
        statement = sql.SQL("UPDATE {tbl} AS t SET {sets} WHERE {where} RETURNING CAST(t.{key} AS text) AS k").format(
            tbl=self.ident(table), sets=assignments, where=self._where(where, bind), key=sql.Identifier(key))
        return [r["k"] for r in self.execute(statement, params).mappings()]

    def missing_value(self, table: str, column: str) -> Any:
        """A value for ``column`` that references nothing (tagged where the type allows), or None."""
        type_name = self.column_type(table, column)
        if is_text_type(type_name):
            return f"{self.tag}-missing"
        if type_name == "uuid":
            import uuid

            return str(uuid.uuid4())
        return None


__all__ = ["Attempt", "Probe", "StepEvent", "error_parts", "is_text_type"]
