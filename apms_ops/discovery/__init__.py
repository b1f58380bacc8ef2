"""References between tables: declared foreign keys, the profile's expected ones, and
the ones column names imply (``config_version_id`` -> ``config_versions.id``).

Type alignment (C2) and the orphan and isolation audits (C1, C5) cover every
reference found here, declared or not: a reference that only application code
enforces is exactly the one that needs watching.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from apms_ops.catalog import Snapshot, qualified
from apms_ops.profiles import Profile


@dataclass(frozen=True)
class Reference:
    """``schema.table(columns)`` refers to ``ref_schema.ref_table(ref_columns)``."""

    schema: str
    table: str
    columns: tuple[str, ...]
    ref_schema: str
    ref_table: str
    ref_columns: tuple[str, ...]
    declared: bool = False          # a foreign key exists in the database
    constraint: str | None = None   # its name
    validated: bool | None = None   # False for NOT VALID foreign keys
    expected: bool = False          # the profile asks for a foreign key here
    critical: bool = False          # the profile marks it critical
    implied: bool = False           # a column name suggests it
    types: tuple[str | None, ...] = field(default=(), compare=False)      # child column types
    ref_types: tuple[str | None, ...] = field(default=(), compare=False)  # referenced key types

    @property
    def key(self) -> tuple:
        return (self.schema, self.table, self.columns, self.ref_schema, self.ref_table, self.ref_columns)

    @property
    def source(self) -> str:
        """How the reference is known: declared, expected, implied (comma separated)."""
        return ",".join(s for s, on in (("declared", self.declared), ("expected", self.expected), ("implied", self.implied)) if on)

    @property
    def column_label(self) -> str:
        return ",".join(self.columns)

    @property
    def target(self) -> str:
        """``table.column`` of the referenced key, as findings name it."""
        return f"{qualified(self.ref_schema, self.ref_table)}.{','.join(self.ref_columns)}"

    @property
    def label(self) -> str:
        return f"{qualified(self.schema, self.table)}.{self.column_label} -> {self.target}"

    @property
    def child_exists(self) -> bool:
        return all(t is not None for t in self.types) and bool(self.types)

    @property
    def parent_exists(self) -> bool:
        return all(t is not None for t in self.ref_types) and bool(self.ref_types)

    @property
    def auditable(self) -> bool:
        """Both sides exist, so the data can be checked."""
        return self.child_exists and self.parent_exists

    @property
    def types_match(self) -> bool:
        return self.auditable and tuple(self.types) == tuple(self.ref_types)


def plural_candidates(thing: str) -> list[str]:
    """Table names a ``<thing>_id`` column may point at: ``thing``, ``things``, ``thingies``..."""
    out = [thing, thing + "s"]
    if thing.endswith(("s", "x", "z", "ch", "sh")):
        out.append(thing + "es")
    if thing.endswith("y") and len(thing) > 1 and thing[-2] not in "aeiou":
        out.append(thing[:-1] + "ies")
    return out


def implied_references(snapshot: Snapshot) -> list[Reference]:
    """References suggested by ``<thing>_id`` columns, to a single-column key.

    Candidates, in order: ``<thing>`` or its plural in the same schema, the same
    with the child table's prefix (``master_positions.department_id`` ->
    ``master_departments``), then ``<thing>``/plural in other schemas.
    """
    by_name: dict[str, list[tuple[str, str]]] = {}
    for schema, name in snapshot.tables:
        by_name.setdefault(name, []).append((schema, name))
    out: list[Reference] = []
    for (schema, table), t in snapshot.tables.items():
        prefix = table.split("_", 1)[0] + "_" if "_" in table else ""
        for column in t.columns:
            if not column.endswith("_id") or column == "_id":
                continue
            thing = column[: -len("_id")]
            names = plural_candidates(thing)
            if prefix and not thing.startswith(prefix):
                names += [prefix + n for n in plural_candidates(thing)]
            candidates = [(schema, n) for n in names if (schema, n) in snapshot.tables]
            candidates += [key for n in names for key in by_name.get(n, []) if key[0] != schema]
            for ref_schema, ref_table in candidates:
                if (ref_schema, ref_table) == (schema, table):
                    continue  # a self reference by name (parent_id) is left to declared FKs
                pk = snapshot.primary_key(ref_schema, ref_table)
                if pk and len(pk) == 1:
                    out.append(Reference(schema, table, (column,), ref_schema, ref_table, pk, implied=True))
                    break
    return out


def find_references(snapshot: Snapshot, profile: Profile) -> list[Reference]:
    """Every reference: declared FKs, the profile's expected FKs and implied ones, merged.

    One entry per (child columns, referenced columns); a declared FK that matches
    an expected one is the same reference, with both flags set. Implied
    references only fill gaps: a column already covered by a declared or
    expected reference is not guessed again.
    """
    merged: dict[tuple, dict] = {}

    def add(key: tuple, **flags) -> None:
        entry = merged.setdefault(key, {})
        for name, value in flags.items():
            if value is not None and not entry.get(name):
                entry[name] = value

    for fk in snapshot.foreign_keys:
        add((fk.schema, fk.table, fk.columns, fk.ref_schema, fk.ref_table, fk.ref_columns),
            declared=True, constraint=fk.name, validated=fk.validated)
    for fk in profile.foreign_keys:
        add((profile.schema, fk.table, fk.columns, profile.schema, fk.ref_table, fk.ref_columns), expected=True, critical=fk.critical)
    covered = {key[:3] for key in merged}
    for ref in implied_references(snapshot):
        if ref.key in merged or ref.key[:3] not in covered:
            add(ref.key, implied=True)

    out = []
    for key in sorted(merged, key=lambda k: (k[0], k[1], k[2], k[3], k[4])):
        schema, table, columns, ref_schema, ref_table, ref_columns = key
        out.append(Reference(
            schema, table, columns, ref_schema, ref_table, ref_columns,
            types=tuple(_type(snapshot, schema, table, c) for c in columns),
            ref_types=tuple(_type(snapshot, ref_schema, ref_table, c) for c in ref_columns),
            **merged[key],
        ))
    return out


def _type(snapshot: Snapshot, schema: str, table: str, column: str) -> str | None:
    col = snapshot.column(schema, table, column)
    return col.type if col else None
