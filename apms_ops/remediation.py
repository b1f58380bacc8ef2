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

from apms_ops.expressions import sql_text

MAX_IDENTIFIER = 63


def constraint_name(table: str, columns: tuple[str, ...] | list[str], suffix: str) -> str:
    """``<table>_<columns>_<suffix>``, shortened with a hash where PostgreSQL would truncate it."""
    name = f"{table}_{'_'.join(columns)}_{suffix}"
    if len(name.encode()) <= MAX_IDENTIFIER:
        return name
    digest = hashlib.sha1(name.encode()).hexdigest()[:8]
    return f"{name.encode()[: MAX_IDENTIFIER - 10].decode(errors='ignore')}_{digest}"


def _columns(columns) -> sql.Composable:
    return sql.SQL(", ").join(map(sql.Identifier, columns))


_FK_ACTIONS = ("NO ACTION", "RESTRICT", "CASCADE", "SET NULL", "SET DEFAULT")
_FK_MATCH = ("SIMPLE", "FULL", "PARTIAL")


def _foreign_key_clause(name: str, columns, ref_schema: str, ref_table: str, ref_columns, *, on_delete: str | None = None,
                        on_update: str | None = None, match: str | None = None, deferrable: bool = False,
                        deferred: bool = False) -> sql.Composed:
    # Actions and MATCH are keywords from a closed list, never text from data.
    for word, allowed in ((on_delete, _FK_ACTIONS), (on_update, _FK_ACTIONS), (match, _FK_MATCH)):
        if word is not None and word not in allowed:
            raise ValueError(f"not a foreign key keyword: {word!r}")
    tail = ""
    if match and match != "SIMPLE":
        tail += f" MATCH {match}"
    if on_delete and on_delete != "NO ACTION":
        tail += f" ON DELETE {on_delete}"
    if on_update and on_update != "NO ACTION":
        tail += f" ON UPDATE {on_update}"
    if deferrable:
        tail += " DEFERRABLE INITIALLY " + ("DEFERRED" if deferred else "IMMEDIATE")
    return sql.SQL("CONSTRAINT {n} FOREIGN KEY ({c}) REFERENCES {rt} ({rc})" + tail).format(
        n=sql.Identifier(name), c=_columns(columns), rt=sql.Identifier(ref_schema, ref_table), rc=_columns(ref_columns),
    )


def add_foreign_key_not_valid(schema: str, table: str, columns, ref_schema: str, ref_table: str, ref_columns, *,
                              name: str | None = None, not_valid: bool = True, **definition) -> str:
    """``ALTER TABLE ... ADD CONSTRAINT ... FOREIGN KEY ... NOT VALID;`` (``definition``: on_delete, on_update, match,
    deferrable, deferred).

    ``not_valid=False`` only for a partitioned table whose every partition
    already has the validated foreign key: PostgreSQL then adopts those
    instead of scanning (and it refuses NOT VALID there before version 18).
    """
    name = name or constraint_name(table, tuple(columns), "fkey")
    return sql.SQL("ALTER TABLE {t} ADD {fk}{v};").format(
        t=sql.Identifier(schema, table), fk=_foreign_key_clause(name, columns, ref_schema, ref_table, ref_columns, **definition),
        v=sql.SQL(" NOT VALID" if not_valid else "")).as_string(None)


def validate_constraint(schema: str, table: str, name: str) -> str:
    """Check the rows a NOT VALID constraint never checked (a lock that lets reads and writes go on)."""
    return sql.SQL("ALTER TABLE {t} VALIDATE CONSTRAINT {n};").format(t=sql.Identifier(schema, table), n=sql.Identifier(name)).as_string(None)


def drop_constraint(schema: str, table: str, name: str) -> str:
    return sql.SQL("ALTER TABLE {t} DROP CONSTRAINT {n};").format(t=sql.Identifier(schema, table), n=sql.Identifier(name)).as_string(None)


def partition_constraint_name(partition: str, columns) -> str:
    """The name a partition's own copy of a foreign key gets before the partitioned table adopts it."""
    return constraint_name(partition, tuple(columns), "fkey")


def add_foreign_key(schema: str, table: str, columns, ref_schema: str, ref_table: str, ref_columns,
                    partitions: tuple[tuple[str, str], ...] | None = None, **definition) -> str:
    """Add a foreign key NOT VALID, then validate it; ``definition``: on_delete, on_update, match, deferrable, deferred.

    ``partitions`` (the leaf partitions, when ``table`` is partitioned): PostgreSQL
    rejects NOT VALID on a partitioned table ("cannot add NOT VALID foreign key
    on partitioned table"), and a plain ADD there scans every partition under a
    lock that blocks writes. So each partition gets the key NOT VALID and is
    validated on its own, then the partitioned table gets it plainly: PostgreSQL
    adopts the partitions' validated keys instead of scanning again.
    (``remediate`` runs each of these statements as its own step.)
    """
    name = constraint_name(table, tuple(columns), "fkey")
    if partitions is not None:
        return "\n".join([_partitioned_note(schema, table), *_on_each_partition(partitions, columns, ref_schema, ref_table,
                                                                               ref_columns, definition),
                          add_foreign_key_not_valid(schema, table, columns, ref_schema, ref_table, ref_columns, name=name,
                                                    not_valid=False, **definition)])
    add = add_foreign_key_not_valid(schema, table, columns, ref_schema, ref_table, ref_columns, name=name, **definition)
    return f"{add}\n{validate_constraint(schema, table, name)}"


def _partitioned_note(schema: str, table: str) -> str:
    return (f"-- {sql.Identifier(schema, table).as_string(None)} is partitioned: PostgreSQL rejects NOT VALID on a partitioned table,\n"
            "-- and a plain ADD CONSTRAINT there scans every partition under a lock that blocks writes.\n"
            "-- So: NOT VALID and VALIDATE on each partition, then ADD on the partitioned table, which adopts them.")


def _on_each_partition(partitions, columns, ref_schema, ref_table, ref_columns, definition) -> list[str]:
    steps = []
    for part_schema, part in partitions:
        name = partition_constraint_name(part, columns)
        steps.append(add_foreign_key_not_valid(part_schema, part, columns, ref_schema, ref_table, ref_columns, name=name, **definition))
        steps.append(validate_constraint(part_schema, part, name))
    return steps


def replace_foreign_key(schema: str, table: str, old_name: str, columns, ref_schema: str, ref_table: str, ref_columns,
                        partitions: tuple[tuple[str, str], ...] | None = None, **definition) -> str:
    """Drop foreign key ``old_name`` and add the designed one in its place, then validate it.

    Drop and add share one transaction, so the column is never left without a
    key, and the new key may take the old one's name (no "already exists"). On a
    partitioned table the new key is first added and validated on each partition
    (while the old one still holds), so the swap adopts them without a scan.
    """
    name = constraint_name(table, tuple(columns), "fkey")
    drop = drop_constraint(schema, table, old_name)
    if partitions is not None:
        before = [_partitioned_note(schema, table), *_on_each_partition(partitions, columns, ref_schema, ref_table, ref_columns,
                                                                       definition)]
        swap = add_foreign_key_not_valid(schema, table, columns, ref_schema, ref_table, ref_columns, name=name, not_valid=False,
                                         **definition)
        return "\n".join(before) + "\nBEGIN;\nSET LOCAL lock_timeout = '5s';\n" + drop + "\n" + swap + "\nCOMMIT;\n"
    add = add_foreign_key_not_valid(schema, table, columns, ref_schema, ref_table, ref_columns, name=name, **definition)
    return f"BEGIN;\nSET LOCAL lock_timeout = '5s';\n{drop}\n{add}\nCOMMIT;\n" + validate_constraint(schema, table, name)


def add_check_not_valid(schema: str, table: str, definition: str, name: str) -> str:
    """``ALTER TABLE ... ADD CONSTRAINT ... CHECK (...) NOT VALID;``, the definition re-printed by PostgreSQL's grammar."""
    add = sql.SQL("ALTER TABLE {t} ADD CONSTRAINT {n} CHECK (").format(t=sql.Identifier(schema, table), n=sql.Identifier(name))
    return f"{add.as_string(None)}{sql_text(definition)}) NOT VALID;"


def replace_check(schema: str, table: str, old_name: str, definition: str, name: str) -> str:
    """Drop CHECK ``old_name`` and add the designed one (NOT VALID, in the same transaction), then validate it."""
    return (f"BEGIN;\nSET LOCAL lock_timeout = '5s';\n{drop_constraint(schema, table, old_name)}\n"
            f"{add_check_not_valid(schema, table, definition, name)}\nCOMMIT;\n" + validate_constraint(schema, table, name))


def add_check(schema: str, table: str, definition: str, name: str) -> str:
    """Add a CHECK NOT VALID, then validate it (``remediate`` runs them as separate steps)."""
    return f"{add_check_not_valid(schema, table, definition, name)}\n{validate_constraint(schema, table, name)}"


def _index(unique: bool, concurrently: bool, name: str, schema: str, table: str, keys, predicate: str | None, *,
           only: bool = False, method: str | None = "btree") -> str:
    """The one CREATE INDEX builder: keys are column names or expressions, expressions and the predicate
    re-printed by PostgreSQL's grammar (never pasted text); ``method`` None leaves USING out."""
    if method is not None and not method.isidentifier():
        raise ValueError(f"not an index method: {method!r}")
    key_sql = ", ".join(sql.Identifier(k).as_string(None) if k.isidentifier() else f"({sql_text(k)})" for k in keys)
    head = sql.SQL("CREATE {u}INDEX {cc}{n} ON {o}{t}{m} (").format(
        u=sql.SQL("UNIQUE " if unique else ""), cc=sql.SQL("CONCURRENTLY " if concurrently else ""), n=sql.Identifier(name),
        o=sql.SQL("ONLY " if only else ""), t=sql.Identifier(schema, table),
        m=sql.SQL(f" USING {method}" if method else "")).as_string(None)
    return head + key_sql + ")" + (f" WHERE {sql_text(predicate)}" if predicate else "") + ";"


def create_partial_unique_index(schema: str, table: str, name: str, columns, predicate: str | None) -> str:
    # CONCURRENTLY: builds without blocking writes (it cannot run inside a transaction block).
    return _index(True, True, name, schema, table, columns, predicate, method=None)


def create_index_on_only(schema: str, table: str, name: str, keys, predicate: str | None, *, unique: bool = True,
                         method: str = "btree") -> str:
    """The partitioned parent's index, created INVALID and empty: partitions' indexes are attached to it."""
    return _index(unique, False, name, schema, table, keys, predicate, only=True, method=method)


def attach_index(schema: str, parent_index: str, partition_schema: str, partition_index: str) -> str:
    return sql.SQL("ALTER INDEX {p} ATTACH PARTITION {c};").format(
        p=sql.Identifier(schema, parent_index), c=sql.Identifier(partition_schema, partition_index)).as_string(None)


def drop_index(schema: str, name: str) -> str:
    return sql.SQL("DROP INDEX {n};").format(n=sql.Identifier(schema, name)).as_string(None)


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


def create_index(schema: str, table: str, name: str, keys, predicate: str | None, *, unique: bool = True,
                 method: str = "btree") -> str:
    """``CREATE [UNIQUE] INDEX CONCURRENTLY``: keys are column names or expressions, re-printed by PostgreSQL's grammar."""
    return _index(unique, True, name, schema, table, keys, predicate, method=method)


def rebuild_index(schema: str, table: str, name: str, keys, predicate: str | None, *, unique: bool = True,
                  method: str = "btree") -> str:
    """Build the designed index under a new name without blocking writes, drop the old one, take its name.

    The old index keeps doing whatever it does until the new one is ready; a
    build that fails (duplicates) leaves the old one in place.
    """
    temporary = rebuild_name(name)
    create = create_index(schema, table, temporary, keys, predicate, unique=unique, method=method)
    return f"{create}\n{drop_index_concurrently(schema, name)}\n{rename_index(schema, temporary, name)}"


def rebuild_name(name: str) -> str:
    """The name an index is built under before it replaces ``name``."""
    return constraint_name(name, ("new",), "index")


def rename_index(schema: str, old: str, new: str) -> str:
    return sql.SQL("ALTER INDEX {o} RENAME TO {n};").format(o=sql.Identifier(schema, old), n=sql.Identifier(new)).as_string(None)


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
