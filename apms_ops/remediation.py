"""SQL that closes a finding without a long lock, driver-quoted: the one place each statement is built.

Foreign keys and CHECKs are added ``NOT VALID`` first, which takes only a brief
lock and checks new rows from then on, then ``VALIDATE CONSTRAINT`` scans the
existing rows under a lock that lets reads and writes go on. Indexes are built
``CONCURRENTLY``. ``remediation_plan`` orders these statements into deployable
steps; the checks attach the same statements to their findings.
"""

from __future__ import annotations

import hashlib

from psycopg import sql

MAX_IDENTIFIER = 63
FK_ACTIONS = {"NO ACTION", "RESTRICT", "CASCADE", "SET NULL", "SET DEFAULT"}


def constraint_name(table: str, columns: tuple[str, ...] | list[str], suffix: str) -> str:
    """``<table>_<columns>_<suffix>``, shortened with a hash where PostgreSQL would truncate it."""
    name = f"{table}_{'_'.join(columns)}_{suffix}"
    if len(name.encode()) <= MAX_IDENTIFIER:
        return name
    digest = hashlib.sha1(name.encode()).hexdigest()[:8]
    return f"{name.encode()[: MAX_IDENTIFIER - 10].decode(errors='ignore')}_{digest}"


def _columns(columns) -> sql.Composable:
    return sql.SQL(", ").join(map(sql.Identifier, columns))


def _action(clause: str, action: str | None) -> sql.Composable:
    if not action:
        return sql.SQL("")
    action = " ".join(action.upper().split())
    if action not in FK_ACTIONS:
        raise ValueError(f"not a foreign key action: {action!r}")
    return sql.SQL(f" {clause} {action}")


def add_foreign_key_not_valid(schema: str, table: str, columns, ref_schema: str, ref_table: str, ref_columns, *,
                              name: str | None = None, on_delete: str | None = None, on_update: str | None = None,
                              not_valid: bool = True) -> str:
    """``ALTER TABLE ... ADD CONSTRAINT ... FOREIGN KEY ... [ON DELETE/UPDATE ...] NOT VALID;``

    ``not_valid=False`` only for a partitioned table whose every partition
    already has the validated foreign key: PostgreSQL then attaches those
    instead of scanning (and it refuses NOT VALID there before version 18).
    """
    return sql.SQL("ALTER TABLE {t} ADD CONSTRAINT {n} FOREIGN KEY ({c}) REFERENCES {rt} ({rc}){d}{u}{v};").format(
        t=sql.Identifier(schema, table),
        n=sql.Identifier(name or constraint_name(table, tuple(columns), "fkey")),
        c=_columns(columns),
        rt=sql.Identifier(ref_schema, ref_table),
        rc=_columns(ref_columns),
        d=_action("ON DELETE", on_delete),
        u=_action("ON UPDATE", on_update),
        v=sql.SQL(" NOT VALID" if not_valid else ""),
    ).as_string(None)


def validate_constraint(schema: str, table: str, name: str) -> str:
    return sql.SQL("ALTER TABLE {t} VALIDATE CONSTRAINT {n};").format(t=sql.Identifier(schema, table), n=sql.Identifier(name)).as_string(None)


def drop_constraint(schema: str, table: str, name: str) -> str:
    return sql.SQL("ALTER TABLE {t} DROP CONSTRAINT {n};").format(t=sql.Identifier(schema, table), n=sql.Identifier(name)).as_string(None)


def add_foreign_key(schema: str, table: str, columns, ref_schema: str, ref_table: str, ref_columns, **options) -> str:
    """Both statements, NOT VALID then VALIDATE (what a finding shows; a deploy runs them as separate steps)."""
    name = options.get("name") or constraint_name(table, tuple(columns), "fkey")
    add = add_foreign_key_not_valid(schema, table, columns, ref_schema, ref_table, ref_columns, **{**options, "name": name})
    return f"{add}\n{validate_constraint(schema, table, name)}"


def add_check_not_valid(schema: str, table: str, definition: str, name: str) -> str:
    # The definition is the profile's own SQL expression (trusted data, like a migration file).
    add = sql.SQL("ALTER TABLE {t} ADD CONSTRAINT {n} CHECK (").format(t=sql.Identifier(schema, table), n=sql.Identifier(name))
    return f"{add.as_string(None)}{definition}) NOT VALID;"


def add_check(schema: str, table: str, definition: str, name: str) -> str:
    return f"{add_check_not_valid(schema, table, definition, name)}\n{validate_constraint(schema, table, name)}"


def _index(unique: bool, concurrently: bool, name: str, schema: str, table: str, columns, predicate: str | None, *,
           only: bool = False) -> str:
    stmt = sql.SQL("CREATE {u}INDEX {cc}{n} ON {o}{t} ({c})").format(
        u=sql.SQL("UNIQUE " if unique else ""), cc=sql.SQL("CONCURRENTLY " if concurrently else ""), n=sql.Identifier(name),
        o=sql.SQL("ONLY " if only else ""), t=sql.Identifier(schema, table), c=_columns(columns),
    ).as_string(None)
    return f"{stmt} WHERE {predicate};" if predicate else f"{stmt};"


def create_partial_unique_index(schema: str, table: str, name: str, columns, predicate: str | None) -> str:
    # CONCURRENTLY: builds without blocking writes (it cannot run inside a transaction block).
    return _index(True, True, name, schema, table, columns, predicate)


def create_index_on_only(schema: str, table: str, name: str, columns, predicate: str | None, *, unique: bool = True) -> str:
    """The partitioned parent's index, created INVALID and empty: partitions' indexes are attached to it."""
    return _index(unique, False, name, schema, table, columns, predicate, only=True)


def create_partition_index(schema: str, table: str, name: str, columns, predicate: str | None, *, unique: bool = True) -> str:
    """One partition's index, built CONCURRENTLY (PostgreSQL cannot build a partitioned table's index that way)."""
    return _index(unique, True, name, schema, table, columns, predicate)


def attach_index(schema: str, parent_index: str, partition_schema: str, partition_index: str) -> str:
    return sql.SQL("ALTER INDEX {p} ATTACH PARTITION {c};").format(
        p=sql.Identifier(schema, parent_index), c=sql.Identifier(partition_schema, partition_index)).as_string(None)


def drop_index_concurrently(schema: str, name: str) -> str:
    return sql.SQL("DROP INDEX CONCURRENTLY IF EXISTS {n};").format(n=sql.Identifier(schema, name)).as_string(None)


def create_extension(name: str) -> str:
    return sql.SQL("CREATE EXTENSION IF NOT EXISTS {n};").format(n=sql.Identifier(name)).as_string(None)


def orphans_query(schema: str, table: str, columns, ref_schema: str, ref_table: str, ref_columns) -> str:
    """The rows of ``table`` whose reference points at no row (NULLs are not orphans), to fix by hand."""
    match = sql.SQL(" AND ").join(sql.SQL("p.{} = c.{}").format(sql.Identifier(pc), sql.Identifier(cc))
                                  for pc, cc in zip(ref_columns, columns))
    present = sql.SQL(" AND ").join(sql.SQL("c.{} IS NOT NULL").format(sql.Identifier(c)) for c in columns)
    return sql.SQL("SELECT c.* FROM {t} AS c WHERE {present} AND NOT EXISTS (SELECT 1 FROM {p} AS p WHERE {match});").format(
        t=sql.Identifier(schema, table), present=present, p=sql.Identifier(ref_schema, ref_table), match=match).as_string(None)


def check_violations_query(schema: str, table: str, expression: str) -> str:
    """The rows of ``table`` a CHECK would reject (``expression`` already rendered by pglast)."""
    return sql.SQL("SELECT * FROM {t} WHERE ({e}) IS FALSE;").format(t=sql.Identifier(schema, table), e=sql.SQL(expression)).as_string(None)


def migration_script(checks: list[dict]) -> str:
    """Every finding's SQL, in check order, each statement once, as one script ('' when none).

    A missing critical foreign key is also a missing foreign key: both checks
    carry the same statement, and a script must not add it twice.
    """
    parts, seen = [], set()
    for check in checks:
        statements = [f["sql"] for f in check.get("findings", []) if f.get("sql")]
        statements = [s for s in dict.fromkeys(statements) if s not in seen]
        seen.update(statements)
        if statements:
            parts.append(f"-- {check['id']}: {check['title']}\n" + "\n\n".join(statements))
    if not parts:
        return ""
    head = (
        "-- Generated by apms-ops. Review before running. Each constraint is added NOT VALID\n"
        "-- (a brief lock) and validated separately (existing rows, without blocking writes).\n"
        "-- Orphans listed by C1.orphans must be fixed first or VALIDATE fails.\n"
        "-- To deploy it as Prisma migrations that hold no lock for long: python -m apms_ops remediate.\n"
    )
    return head + "\n\n".join(parts) + "\n"
