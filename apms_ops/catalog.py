"""The catalog snapshot: the schema of a database, read once with four set-based queries.

Every C1/C2 finding is derived from a ``Snapshot`` by plain functions, so tests
can build one by hand and the number of statements does not grow with the
number of tables.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Iterable

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from apms_ops import sqlfiles

CATALOG_QUERIES = ("catalog/01_server.sql", "catalog/02_columns.sql", "catalog/03_constraints.sql", "catalog/04_indexes.sql")

# pg_constraint's one-letter codes, in the words a foreign key is declared with.
FK_ACTIONS = {"a": "NO ACTION", "r": "RESTRICT", "c": "CASCADE", "n": "SET NULL", "d": "SET DEFAULT"}
FK_MATCH = {"s": "SIMPLE", "f": "FULL", "p": "PARTIAL"}


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    not_null: bool = False
    position: int = 0


@dataclass
class Table:
    schema: str
    name: str
    kind: str = "table"  # table | partitioned
    estimated_rows: int = -1
    columns: dict[str, Column] = field(default_factory=dict)
    partitions: tuple[tuple[str, str], ...] = ()  # leaf partitions (schema, name) of a partitioned table

    @property
    def key(self) -> tuple[str, str]:
        return (self.schema, self.name)

    @property
    def qualified(self) -> str:
        return qualified(self.schema, self.name)


@dataclass(frozen=True)
class Constraint:
    schema: str
    table: str
    name: str
    kind: str  # p | u | f | c
    columns: tuple[str, ...] = ()
    ref_schema: str | None = None
    ref_table: str | None = None
    ref_columns: tuple[str, ...] = ()
    definition: str = ""
    validated: bool = True
    # Foreign keys only: what the key does when a referenced row goes, and when it is checked.
    on_delete: str | None = None    # NO ACTION | RESTRICT | CASCADE | SET NULL | SET DEFAULT
    on_update: str | None = None
    match: str | None = None        # SIMPLE | FULL | PARTIAL
    deferrable: bool = False
    deferred: bool = False          # INITIALLY DEFERRED
    on_partitions: int | None = None  # an FK declared on every leaf partition (this many), not on the table itself


@dataclass(frozen=True)
class Index:
    schema: str
    table: str
    name: str
    columns: tuple[str, ...]
    unique: bool = False
    primary: bool = False
    valid: bool = True
    predicate: str | None = None
    definition: str = ""
    method: str = "btree"
    keys: tuple[str, ...] = ()  # each key as the server prints it: a column name or an expression


@dataclass
class Snapshot:
    """What the catalog says, at one moment, about every non-system schema."""

    server: dict = field(default_factory=dict)
    extensions: list[dict] = field(default_factory=list)
    available_extensions: list[str] = field(default_factory=list)
    tables: dict[tuple[str, str], Table] = field(default_factory=dict)
    constraints: list[Constraint] = field(default_factory=list)
    indexes: list[Index] = field(default_factory=list)
    identity: dict | None = None  # apms_ops.identity.DatabaseIdentity.to_dict(), read beside the snapshot

    # -- lookups derived from the rows above (no queries)

    def table(self, schema: str, name: str) -> Table | None:
        return self.tables.get((schema, name))

    def column(self, schema: str, table: str, column: str) -> Column | None:
        t = self.tables.get((schema, table))
        return t.columns.get(column) if t else None

    def constraints_of(self, kind: str) -> list[Constraint]:
        return [c for c in self.constraints if c.kind == kind]

    @cached_property
    def _constraints_by_name(self) -> dict[tuple[str, str, str], Constraint]:
        return {(c.schema, c.table, c.name): c for c in self.constraints}

    def constraint(self, schema: str, table: str, name: str | None) -> Constraint | None:
        """The constraint ``name`` of ``schema.table``, or None."""
        return self._constraints_by_name.get((schema, table, name)) if name else None

    @property
    def foreign_keys(self) -> list[Constraint]:
        return self.constraints_of("f")

    @property
    def check_constraints(self) -> list[Constraint]:
        return self.constraints_of("c")

    @cached_property
    def _keys_by_table(self) -> dict[tuple[str, str], dict]:
        # Built once: lookups per column must not rescan every constraint (2,000-table schemas).
        out: dict[tuple[str, str], dict] = {}
        for c in self.constraints:
            if c.kind in ("p", "u"):
                entry = out.setdefault((c.schema, c.table), {"primary": None, "unique": []})
                if c.kind == "p":
                    entry["primary"] = c.columns
                entry["unique"].append(c.columns)
        for i in self.indexes:
            if i.unique and i.valid and not i.predicate:
                out.setdefault((i.schema, i.table), {"primary": None, "unique": []})["unique"].append(i.columns)
        return out

    def primary_key(self, schema: str, table: str) -> tuple[str, ...] | None:
        entry = self._keys_by_table.get((schema, table))
        return entry["primary"] if entry else None

    def unique_keys(self, schema: str, table: str) -> list[tuple[str, ...]]:
        """Column lists that are unique in ``table``: PK, UNIQUE constraints and full unique indexes."""
        entry = self._keys_by_table.get((schema, table))
        return list(dict.fromkeys(entry["unique"])) if entry else []

    def is_unique(self, schema: str, table: str, columns: Iterable[str]) -> bool:
        return tuple(columns) in self.unique_keys(schema, table)

    @property
    def extension_names(self) -> set[str]:
        return {e["name"] for e in self.extensions}

    @property
    def schemas(self) -> list[str]:
        return sorted({s for s, _ in self.tables})


def qualified(schema: str | None, table: str) -> str:
    """``schema.table`` for display (not for SQL: SQL gets driver-quoted identifiers)."""
    return f"{schema}.{table}" if schema and schema != "public" else table


def read_snapshot(conn: Connection) -> Snapshot:
    """Read the whole catalog snapshot: always the same four statements."""
    server_q, columns_q, constraints_q, indexes_q = (sa.text(sqlfiles.load(q)) for q in CATALOG_QUERIES)
    server = dict(conn.execute(server_q).mappings().one())
    snap = Snapshot(
        server={k: server[k] for k in ("server_version", "server_version_num", "database", "user_name")},
        extensions=list(server["extensions"] or []),
        available_extensions=list(server["available_extensions"] or []),
    )
    for row in conn.execute(columns_q).mappings():
        key = (row["schema_name"], row["table_name"])
        table = snap.tables.get(key)
        if table is None:
            table = snap.tables[key] = Table(
                schema=row["schema_name"],
                name=row["table_name"],
                kind="partitioned" if row["kind"] == "p" else "table",
                estimated_rows=row["estimated_rows"],
                partitions=tuple(tuple(p) for p in (row["partitions"] or ())),
            )
        if row["column_name"] is not None:
            table.columns[row["column_name"]] = Column(
                name=row["column_name"], type=row["data_type"], not_null=row["not_null"], position=row["position"]
            )
    for row in conn.execute(constraints_q).mappings():
        snap.constraints.append(
            Constraint(
                schema=row["schema_name"],
                table=row["table_name"],
                name=row["constraint_name"],
                kind=row["kind"],
                columns=tuple(row["columns"] or ()),
                ref_schema=row["ref_schema"],
                ref_table=row["ref_table"],
                ref_columns=tuple(row["ref_columns"] or ()),
                definition=row["definition"],
                validated=row["validated"],
                on_delete=FK_ACTIONS.get(row.get("on_delete") or "") if row["kind"] == "f" else None,
                on_update=FK_ACTIONS.get(row.get("on_update") or "") if row["kind"] == "f" else None,
                match=FK_MATCH.get(row.get("match_type") or "") if row["kind"] == "f" else None,
                deferrable=bool(row.get("deferrable")),
                deferred=bool(row.get("deferred")),
                on_partitions=row["on_partitions"],
            )
        )
    for row in conn.execute(indexes_q).mappings():
        snap.indexes.append(
            Index(
                schema=row["schema_name"],
                table=row["table_name"],
                name=row["index_name"],
                columns=tuple(row["columns"] or ()),
                unique=row["is_unique"],
                primary=row["is_primary"],
                valid=row["is_valid"],
                predicate=row["predicate"],
                definition=row["definition"],
                method=row.get("method") or "btree",
                keys=tuple(row.get("keys") or ()),
            )
        )
    return snap
