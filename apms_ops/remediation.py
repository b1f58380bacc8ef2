"""SQL that closes a finding without a long lock, driver-quoted.

Foreign keys and CHECKs are added ``NOT VALID`` first, which takes only a brief
lock and checks new rows from then on, then ``VALIDATE CONSTRAINT`` scans the
existing rows under a lock that lets reads and writes go on.
"""

from __future__ import annotations

import hashlib

from psycopg import sql

MAX_IDENTIFIER = 63


def constraint_name(table: str, columns: tuple[str, ...] | list[str], suffix: str) -> str:
    """``<table>_<columns>_<suffix>``, shortened with a hash where PostgreSQL would truncate it."""
    name = f"{table}_{'_'.join(columns)}_{suffix}"
    if len(name.encode()) <= MAX_IDENTIFIER:
        return name
    digest = hashlib.sha1(name.encode()).hexdigest()[:8]
    return f"{name.encode()[: MAX_IDENTIFIER - 10].decode(errors='ignore')}_{digest}"


def add_foreign_key(schema: str, table: str, columns, ref_schema: str, ref_table: str, ref_columns,
                    partitions: tuple[tuple[str, str], ...] | None = None) -> str:
    """The foreign key added NOT VALID, then validated; partition by partition on a partitioned table.

    ``partitions`` (the leaf partitions, when ``table`` is partitioned): PostgreSQL
    rejects NOT VALID on a partitioned table ("cannot add NOT VALID foreign key
    on partitioned table"), and a plain ADD there scans every partition under a
    lock that blocks writes. So each partition gets the key NOT VALID and is
    validated on its own, then the partitioned table gets it plainly: PostgreSQL
    adopts the partitions' validated keys instead of scanning again.
    """
    name = constraint_name(table, tuple(columns), "fkey")
    if partitions is not None:
        steps = [
            f"-- {sql.Identifier(schema, table).as_string(None)} is partitioned: PostgreSQL rejects NOT VALID on a partitioned table,\n"
            "-- and a plain ADD CONSTRAINT there scans every partition under a lock that blocks writes.\n"
            "-- So: NOT VALID and VALIDATE on each partition, then ADD on the partitioned table, which adopts them."
        ]
        for part_schema, part in partitions:
            steps.append(_add_and_validate(part_schema, part, constraint_name(part, tuple(columns), "fkey"), columns,
                                           ref_schema, ref_table, ref_columns))
        plain = sql.SQL("ALTER TABLE {t} ADD CONSTRAINT {n} FOREIGN KEY ({c}) REFERENCES {rt} ({rc});").format(
            t=sql.Identifier(schema, table), n=sql.Identifier(name), c=sql.SQL(", ").join(map(sql.Identifier, columns)),
            rt=sql.Identifier(ref_schema, ref_table), rc=sql.SQL(", ").join(map(sql.Identifier, ref_columns)))
        return "\n".join(steps + [plain.as_string(None)])
    return _add_and_validate(schema, table, name, columns, ref_schema, ref_table, ref_columns)


def _add_and_validate(schema: str, table: str, name: str, columns, ref_schema: str, ref_table: str, ref_columns) -> str:
    add = sql.SQL("ALTER TABLE {t} ADD CONSTRAINT {n} FOREIGN KEY ({c}) REFERENCES {rt} ({rc}) NOT VALID;").format(
        t=sql.Identifier(schema, table),
        n=sql.Identifier(name),
        c=sql.SQL(", ").join(map(sql.Identifier, columns)),
        rt=sql.Identifier(ref_schema, ref_table),
        rc=sql.SQL(", ").join(map(sql.Identifier, ref_columns)),
    )
    validate = sql.SQL("ALTER TABLE {t} VALIDATE CONSTRAINT {n};").format(t=sql.Identifier(schema, table), n=sql.Identifier(name))
    return f"{add.as_string(None)}\n{validate.as_string(None)}"


def add_check(schema: str, table: str, definition: str, name: str) -> str:
    # The definition is the profile's own SQL expression (trusted data, like a migration file).
    add = sql.SQL("ALTER TABLE {t} ADD CONSTRAINT {n} CHECK (").format(t=sql.Identifier(schema, table), n=sql.Identifier(name))
    validate = sql.SQL("ALTER TABLE {t} VALIDATE CONSTRAINT {n};").format(t=sql.Identifier(schema, table), n=sql.Identifier(name))
    return f"{add.as_string(None)}{definition}) NOT VALID;\n{validate.as_string(None)}"


def create_partial_unique_index(schema: str, table: str, name: str, columns, predicate: str | None) -> str:
    # CONCURRENTLY: builds without blocking writes (it cannot run inside a transaction block).
    stmt = sql.SQL("CREATE UNIQUE INDEX CONCURRENTLY {n} ON {t} ({c})").format(
        n=sql.Identifier(name), t=sql.Identifier(schema, table), c=sql.SQL(", ").join(map(sql.Identifier, columns))
    ).as_string(None)
    return f"{stmt} WHERE {predicate};" if predicate else f"{stmt};"


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
    )
    return head + "\n\n".join(parts) + "\n"
