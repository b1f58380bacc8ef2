"""SQL that closes a finding without a long lock, driver-quoted.

Foreign keys and CHECKs are added ``NOT VALID`` first, which takes only a brief
lock and checks new rows from then on, then ``VALIDATE CONSTRAINT`` scans the
existing rows under a lock that lets reads and writes go on.
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
        n=sql.Identifier(name),
        c=sql.SQL(", ").join(map(sql.Identifier, columns)),
        rt=sql.Identifier(ref_schema, ref_table),
        rc=sql.SQL(", ").join(map(sql.Identifier, ref_columns)),
    )


def add_foreign_key(schema: str, table: str, columns, ref_schema: str, ref_table: str, ref_columns,
                    partitions: tuple[tuple[str, str], ...] | None = None, **definition) -> str:
    """Add a foreign key NOT VALID, then validate it; ``definition``: on_delete, on_update, match, deferrable, deferred.

    ``partitions`` (the leaf partitions, when ``table`` is partitioned): PostgreSQL
    rejects NOT VALID on a partitioned table ("cannot add NOT VALID foreign key
    on partitioned table"), and a plain ADD there scans every partition under a
    lock that blocks writes. So each partition gets the key NOT VALID and is
    validated on its own, then the partitioned table gets it plainly: PostgreSQL
    adopts the partitions' validated keys instead of scanning again.
    """
    name = constraint_name(table, tuple(columns), "fkey")
    if partitions is not None:
        return "\n".join([_partitioned_note(schema, table), *_on_each_partition(partitions, columns, ref_schema, ref_table,
                                                                               ref_columns, definition),
                          _add(schema, table, name, columns, ref_schema, ref_table, ref_columns, definition, not_valid=False)])
    add = _add(schema, table, name, columns, ref_schema, ref_table, ref_columns, definition)
    return f"{add}\n{validate_constraint(schema, table, name)}"


def _add(schema, table, name, columns, ref_schema, ref_table, ref_columns, definition, not_valid: bool = True) -> str:
    return sql.SQL("ALTER TABLE {t} ADD {fk}" + (" NOT VALID;" if not_valid else ";")).format(
        t=sql.Identifier(schema, table), fk=_foreign_key_clause(name, columns, ref_schema, ref_table, ref_columns, **definition)
    ).as_string(None)


def _partitioned_note(schema: str, table: str) -> str:
    return (f"-- {sql.Identifier(schema, table).as_string(None)} is partitioned: PostgreSQL rejects NOT VALID on a partitioned table,\n"
            "-- and a plain ADD CONSTRAINT there scans every partition under a lock that blocks writes.\n"
            "-- So: NOT VALID and VALIDATE on each partition, then ADD on the partitioned table, which adopts them.")


def _on_each_partition(partitions, columns, ref_schema, ref_table, ref_columns, definition) -> list[str]:
    steps = []
    for part_schema, part in partitions:
        name = constraint_name(part, tuple(columns), "fkey")
        steps.append(_add(part_schema, part, name, columns, ref_schema, ref_table, ref_columns, definition))
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
    t = sql.Identifier(schema, table)
    drop = sql.SQL("ALTER TABLE {t} DROP CONSTRAINT {old};").format(t=t, old=sql.Identifier(old_name)).as_string(None)
    if partitions is not None:
        before = [_partitioned_note(schema, table), *_on_each_partition(partitions, columns, ref_schema, ref_table, ref_columns,
                                                                       definition)]
        swap = _add(schema, table, name, columns, ref_schema, ref_table, ref_columns, definition, not_valid=False)
        return "\n".join(before) + "\nBEGIN;\nSET LOCAL lock_timeout = '5s';\n" + drop + "\n" + swap + "\nCOMMIT;\n"
    add = _add(schema, table, name, columns, ref_schema, ref_table, ref_columns, definition)
    return "BEGIN;\nSET LOCAL lock_timeout = '5s';\n" + drop + "\n" + add + "\nCOMMIT;\n" + validate_constraint(schema, table, name)


def replace_check(schema: str, table: str, old_name: str, definition: str, name: str) -> str:
    """Drop CHECK ``old_name`` and add the designed one (NOT VALID, in the same transaction), then validate it."""
    t = sql.Identifier(schema, table)
    body = sql.SQL("ALTER TABLE {t} DROP CONSTRAINT {old};\nALTER TABLE {t} ADD CONSTRAINT {n} CHECK (").format(
        t=t, old=sql.Identifier(old_name), n=sql.Identifier(name))
    validate = sql.SQL("ALTER TABLE {t} VALIDATE CONSTRAINT {n};").format(t=t, n=sql.Identifier(name))
    # The definition is re-printed by PostgreSQL's grammar: exactly one expression, never pasted text.
    return ("BEGIN;\nSET LOCAL lock_timeout = '5s';\n" + body.as_string(None) + sql_text(definition) + ") NOT VALID;\nCOMMIT;\n"
            + validate.as_string(None))


def add_check(schema: str, table: str, definition: str, name: str) -> str:
    # The profile's text is never pasted: it is parsed as one expression and rendered from the
    # parse tree, so nothing in it can close the CHECK and start another statement.
    add = sql.SQL("ALTER TABLE {t} ADD CONSTRAINT {n} CHECK (").format(t=sql.Identifier(schema, table), n=sql.Identifier(name))
    validate = sql.SQL("ALTER TABLE {t} VALIDATE CONSTRAINT {n};").format(t=sql.Identifier(schema, table), n=sql.Identifier(name))
    return f"{add.as_string(None)}{sql_text(definition)}) NOT VALID;\n{validate.as_string(None)}"


def create_partial_unique_index(schema: str, table: str, name: str, columns, predicate: str | None) -> str:
    # CONCURRENTLY: builds without blocking writes (it cannot run inside a transaction block).
    stmt = sql.SQL("CREATE UNIQUE INDEX CONCURRENTLY {n} ON {t} ({c})").format(
        n=sql.Identifier(name), t=sql.Identifier(schema, table), c=sql.SQL(", ").join(map(sql.Identifier, columns))
    ).as_string(None)
    return f"{stmt} WHERE {sql_text(predicate)};" if predicate else f"{stmt};"


def validate_constraint(schema: str, table: str, name: str) -> str:
    """Check the rows a NOT VALID constraint never checked (a lock that lets reads and writes go on)."""
    return sql.SQL("ALTER TABLE {t} VALIDATE CONSTRAINT {n};").format(t=sql.Identifier(schema, table), n=sql.Identifier(name)).as_string(None)


def create_index(schema: str, table: str, name: str, keys, predicate: str | None, *, unique: bool = True,
                 method: str = "btree") -> str:
    """``CREATE [UNIQUE] INDEX CONCURRENTLY``: keys are column names or expressions, re-printed by PostgreSQL's grammar."""
    if not method.isidentifier():
        raise ValueError(f"not an index method: {method!r}")
    key_sql = ", ".join(sql.Identifier(k).as_string(None) if k.isidentifier() else f"({sql_text(k)})" for k in keys)
    head = sql.SQL("CREATE {u}INDEX CONCURRENTLY {n} ON {t} USING " + method + " (").format(
        u=sql.SQL("UNIQUE " if unique else ""), n=sql.Identifier(name), t=sql.Identifier(schema, table)).as_string(None)
    return head + key_sql + ")" + (f" WHERE {sql_text(predicate)}" if predicate else "") + ";"


def rebuild_index(schema: str, table: str, name: str, keys, predicate: str | None, *, unique: bool = True,
                  method: str = "btree") -> str:
    """Build the designed index under a new name without blocking writes, drop the old one, take its name.

    The old index keeps doing whatever it does until the new one is ready; a
    build that fails (duplicates) leaves the old one in place.
    """
    temporary = constraint_name(name, ("new",), "index")
    create = create_index(schema, table, temporary, keys, predicate, unique=unique, method=method)
    drop = sql.SQL("DROP INDEX CONCURRENTLY {old};").format(old=sql.Identifier(schema, name)).as_string(None)
    rename = sql.SQL("ALTER INDEX {new} RENAME TO {old};").format(new=sql.Identifier(schema, temporary),
                                                                   old=sql.Identifier(name)).as_string(None)
    return f"{create}\n{drop}\n{rename}"


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
