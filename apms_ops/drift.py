"""Drift between two environments: every schema difference, with both sides, grouped by table.

Both databases are read with the same catalog snapshot the checks use
(``catalog.read_snapshot``), each in its own read-only session. Definitions are
PostgreSQL's own output on each server (``pg_get_constraintdef``,
``pg_get_indexdef``, ``pg_get_expr``); CHECKs, index predicates and column
defaults are compared with the project's one expression comparison
(``apms_ops.expressions``), foreign keys and index keys as the trees
PostgreSQL's parser gives for those outputs. The migrations each side applied
come from ``_prisma_migrations``; with the app's migrations folder, the
statements of the migrations one side lacks are listed under the tables they
touch, so a reader sees which differences the next deploy closes.
"""

from __future__ import annotations

import time
from copy import deepcopy
from dataclasses import dataclass, field
from datetime import datetime, timezone

from pglast import ast, parse_sql

from apms_ops import expressions
from apms_ops.catalog import Constraint, Index, Snapshot, qualified, read_snapshot
from apms_ops.connections import Environment, read_only_session
from apms_ops.migrations.folder import MigrationsFolder
from apms_ops.migrations.statements import ScriptSyntaxError, parse_script, statement_tables
from apms_ops.migrations.status import read_history

DRIFT_FORMAT_VERSION = 1
HISTORY_TABLE = "_prisma_migrations"
KIND_NAMES = {"p": "primary key", "u": "unique", "f": "foreign key", "c": "check"}


def same_definition(left: str | None, right: str | None) -> bool:
    """Whether two definitions PostgreSQL printed are the same: the project's one expression comparison."""
    if not left or not right:
        return (left or "") == (right or "")
    return expressions.compare(left, right).equal


@dataclass
class Difference:
    table: str   # qualified table; "" for database-wide objects (extensions, migrations)
    kind: str    # table | column | constraint | index | extension | migration
    name: str    # the object's name
    aspect: str  # exists | kind | type | nullability | default | identity | definition | validity | uniqueness | predicate | name | version | applied | checksum
    left: object
    right: object
    pending: list[str] = field(default_factory=list)  # migrations one side lacks that touch this table

    def to_dict(self) -> dict:
        return {"table": self.table, "kind": self.kind, "name": self.name, "aspect": self.aspect,
                "left": self.left, "right": self.right, "pending": self.pending}


@dataclass
class Drift:
    environment: str
    against: str
    databases: dict
    started_at: str
    duration_ms: float
    differences: list[Difference]
    migrations: dict  # {"only_environment": [...], "only_against": [...]}
    pending: list[dict]  # pending migrations' statements, by table

    @property
    def same(self) -> bool:
        return not self.differences

    def by_table(self) -> dict[str, list[Difference]]:
        out: dict[str, list[Difference]] = {}
        for d in self.differences:
            out.setdefault(d.table or "(database)", []).append(d)
        return out

    def to_dict(self) -> dict:
        return {
            "format": DRIFT_FORMAT_VERSION,
            "same": self.same,
            "environment": self.environment,
            "against": self.against,
            "databases": self.databases,
            "started_at": self.started_at,
            "duration_ms": round(self.duration_ms, 1),
            "differences": [d.to_dict() for d in self.differences],
            "by_table": {t: [d.to_dict() for d in ds] for t, ds in self.by_table().items()},
            "migrations": self.migrations,
            "pending": self.pending,
        }


# ---------------------------------------------------------------- definitions as trees


def _parsed_constraint(definition: str) -> ast.Constraint | None:
    try:
        return parse_sql(f"ALTER TABLE apms_ops_t ADD CONSTRAINT apms_ops_c {definition}")[0].stmt.cmds[0].def_
    except Exception:  # noqa: BLE001 - compared as text below
        return None


def _constraint_shape(c: Constraint):
    """A foreign key, primary key or unique constraint without its name and validity (reported apart)."""
    node = _parsed_constraint(c.definition)
    if node is None:
        return (c.kind, c.definition)
    node = deepcopy(node)
    node.conname, node.skip_validation, node.initially_valid = None, False, True
    return node


def _same_constraint(a: Constraint, b: Constraint) -> bool:
    if a.kind != b.kind:
        return False
    if a.kind == "c":
        return same_definition(_check_expression(a.definition), _check_expression(b.definition))
    return _constraint_shape(a) == _constraint_shape(b)


def _check_expression(definition: str) -> str:
    """``CHECK ((x > 0)) NOT VALID`` -> ``(x > 0)``, through the parser (validity is compared apart)."""
    node = _parsed_constraint(definition)
    if node is None or node.raw_expr is None:
        return definition
    from pglast.stream import RawStream

    return RawStream()(node.raw_expr)


def _index_shape(i: Index):
    """An index without its name, its table's schema and its predicate (compared apart)."""
    try:
        node = deepcopy(parse_sql(i.definition)[0].stmt)
    except Exception:  # noqa: BLE001
        return (i.unique, tuple(i.columns), i.definition)
    node.idxname, node.whereClause = None, None
    node.relation.schemaname = None
    return node


def _same_index(a: Index, b: Index) -> bool:
    return _index_shape(a) == _index_shape(b) and same_definition(a.predicate, b.predicate)


# ---------------------------------------------------------------- comparison


def _pairs(left: list, right: list, key, same) -> tuple[list, list, list]:
    """``(matched, renamed, unmatched)``: by name, then objects equal but for their name, then the rest."""
    lmap, rmap = {key(x): x for x in left}, {key(x): x for x in right}
    matched = [(lmap[k], rmap[k]) for k in lmap if k in rmap]
    lonly = [x for k, x in lmap.items() if k not in rmap]
    ronly = [x for k, x in rmap.items() if k not in lmap]
    renamed = []
    for a in list(lonly):
        b = next((b for b in ronly if same(a, b)), None)
        if b is not None:
            renamed.append((a, b))
            lonly.remove(a)
            ronly.remove(b)
    return matched, renamed, [(a, None) for a in lonly] + [(None, b) for b in ronly]


def compare_snapshots(left: Snapshot, right: Snapshot, schemas: set[str] | None = None) -> list[Difference]:
    """Every difference between two snapshots: tables, columns, constraints, indexes and extensions."""
    out: list[Difference] = []
    # Grouped once: a 2,000-table schema must not rescan every constraint per table.
    groups = {side: (_by_table(snap.constraints), _by_table(snap.indexes)) for side, snap in (("left", left), ("right", right))}

    def wanted(key) -> bool:
        return schemas is None or key[0] in schemas

    for key in sorted(k for k in set(left.tables) | set(right.tables) if wanted(k)):
        lt, rt = left.tables.get(key), right.tables.get(key)
        name = qualified(*key)
        if lt is None or rt is None:
            out.append(Difference(name, "table", name, "exists", lt.kind if lt else None, rt.kind if rt else None))
            continue
        if lt.kind != rt.kind:
            out.append(Difference(name, "table", name, "kind", lt.kind, rt.kind))
        for col in sorted(set(lt.columns) | set(rt.columns), key=lambda c: (lt.columns.get(c) or rt.columns.get(c)).position):
            lc, rc = lt.columns.get(col), rt.columns.get(col)
            if lc is None or rc is None:
                out.append(Difference(name, "column", col, "exists", lc.type if lc else None, rc.type if rc else None))
                continue
            if lc.type != rc.type:
                out.append(Difference(name, "column", col, "type", lc.type, rc.type))
            if lc.not_null != rc.not_null:
                out.append(Difference(name, "column", col, "nullability", "NOT NULL" if lc.not_null else "NULL",
                                      "NOT NULL" if rc.not_null else "NULL"))
            if not same_definition(lc.default, rc.default):
                out.append(Difference(name, "column", col, "default", lc.default, rc.default))
            if lc.identity != rc.identity:
                ident = {"a": "GENERATED ALWAYS AS IDENTITY", "d": "GENERATED BY DEFAULT AS IDENTITY", "": None}
                out.append(Difference(name, "column", col, "identity", ident.get(lc.identity), ident.get(rc.identity)))
        out.extend(_constraint_differences(name, groups["left"][0].get(key, []), groups["right"][0].get(key, [])))
        out.extend(_index_differences(name, *(_own_indexes(*groups[side], key) for side in ("left", "right"))))
    lext = {e["name"]: e for e in left.extensions}
    rext = {e["name"]: e for e in right.extensions}
    for ext in sorted(set(lext) | set(rext)):
        a, b = lext.get(ext), rext.get(ext)
        if a is None or b is None:
            out.append(Difference("", "extension", ext, "exists", a and a.get("version"), b and b.get("version")))
        elif a.get("version") != b.get("version"):
            out.append(Difference("", "extension", ext, "version", a.get("version"), b.get("version")))
    return out


def _by_table(objects) -> dict[tuple[str, str], list]:
    out: dict = {}
    for o in objects:
        out.setdefault((o.schema, o.table), []).append(o)
    return out


def _own_indexes(constraints: dict, indexes: dict, key) -> list[Index]:
    """A table's indexes but those behind its primary key or unique constraints (reported once, as constraints)."""
    backing = {c.name for c in constraints.get(key, []) if c.kind in ("p", "u")}
    return [i for i in indexes.get(key, []) if i.name not in backing]


def _constraint_differences(name: str, lcons: list[Constraint], rcons: list[Constraint]) -> list[Difference]:
    out = []
    matched, renamed, unmatched = _pairs(lcons, rcons, lambda c: c.name, _same_constraint)
    for a, b in matched:
        if not _same_constraint(a, b):
            out.append(Difference(name, "constraint", a.name, "definition", a.definition, b.definition))
        else:
            out += _validity(name, "constraint", a.name, a.validated, b.validated, "NOT VALID")
    return out + _renamed_and_unmatched(name, "constraint", renamed, unmatched, lambda c: c.validated, "NOT VALID")


def _validity(table: str, kind: str, label: str, left: bool, right: bool, invalid: str) -> list[Difference]:
    if left == right:
        return []
    return [Difference(table, kind, label, "validity", "valid" if left else invalid, "valid" if right else invalid)]


def _renamed_and_unmatched(table: str, kind: str, renamed, unmatched, valid, invalid: str) -> list[Difference]:
    """Objects equal but for their name (with their validity), and objects on one side only (with their definition)."""
    out = []
    for a, b in renamed:
        label = f"{a.name} / {b.name}"
        out.append(Difference(table, kind, label, "name", a.name, b.name))
        out += _validity(table, kind, label, valid(a), valid(b), invalid)
    for a, b in unmatched:
        out.append(Difference(table, kind, (a or b).name, "exists", a.definition if a else None, b.definition if b else None))
    return out


def _index_differences(name: str, lidx: list[Index], ridx: list[Index]) -> list[Difference]:
    out = []
    matched, renamed, unmatched = _pairs(lidx, ridx, lambda i: i.name, _same_index)
    for a, b in matched:
        if a.unique != b.unique:
            out.append(Difference(name, "index", a.name, "uniqueness", "unique" if a.unique else "not unique",
                                  "unique" if b.unique else "not unique"))
        if not same_definition(a.predicate, b.predicate):
            out.append(Difference(name, "index", a.name, "predicate", a.predicate, b.predicate))
        if a.unique == b.unique and _index_shape(a) != _index_shape(b):
            out.append(Difference(name, "index", a.name, "definition", a.definition, b.definition))
        out += _validity(name, "index", a.name, a.valid, b.valid, "INVALID")
    return out + _renamed_and_unmatched(name, "index", renamed, unmatched, lambda i: i.valid, "INVALID")


def migration_differences(left_rows: list[dict] | None, right_rows: list[dict] | None) -> tuple[list[Difference], dict]:
    """Migrations applied on one side only, and applied on both from different files (checksums)."""
    def applied(rows):
        return {r["migration"]: r for r in rows or [] if r.get("finished_at") is not None and r.get("rolled_back_at") is None}

    a, b = applied(left_rows), applied(right_rows)
    out = []
    for name in sorted(set(a) | set(b)):
        if name not in a or name not in b:
            out.append(Difference("", "migration", name, "applied", "applied" if name in a else None, "applied" if name in b else None))
        elif a[name].get("checksum") != b[name].get("checksum"):
            out.append(Difference("", "migration", name, "checksum", a[name].get("checksum"), b[name].get("checksum")))
    return out, {"only_environment": sorted(set(a) - set(b)), "only_against": sorted(set(b) - set(a)),
                 "environment_has_history": left_rows is not None, "against_has_history": right_rows is not None}


# ---------------------------------------------------------------- pending migrations


def pending_changes(folder: MigrationsFolder | None, names: list[str], schema: str = "public") -> list[dict]:
    """The statements of the migrations ``names`` (one side lacks them), each with the tables it touches."""
    out = []
    for name in names:
        migration = folder.get(name) if folder else None
        entry = {"migration": name, "in_folder": migration is not None, "statements": [], "error": None}
        if migration is not None:
            try:
                for stmt in parse_script(migration.text):
                    entry["statements"].append({"line": stmt.line, "kind": stmt.kind, "statement": stmt.first_line,
                                                "tables": [qualified(*t) for t in statement_tables(stmt.node, schema)]})
            except ScriptSyntaxError as exc:
                entry["error"] = str(exc)
        out.append(entry)
    return out


def _attach_pending(differences: list[Difference], pending: list[dict]) -> None:
    touching: dict[str, list[str]] = {}
    for entry in pending:
        for stmt in entry["statements"]:
            for table in stmt["tables"]:
                touching.setdefault(table, [])
                if entry["migration"] not in touching[table]:
                    touching[table].append(entry["migration"])
    for d in differences:
        d.pending = touching.get(d.table, [])


# ---------------------------------------------------------------- one run


def _read(env: Environment) -> tuple[Snapshot, list[dict] | None]:
    with read_only_session(env) as conn:
        snapshot = read_snapshot(conn)
        homes = sorted({s for s, t in snapshot.tables if t == HISTORY_TABLE}, key=lambda s: (s != (env.schema or "public"), s))
        rows = read_history(conn, homes[0], HISTORY_TABLE) if homes else None
    return snapshot, rows


def run_drift(env: Environment, against: Environment, *, folder: MigrationsFolder | None = None,
              schemas: list[str] | None = None) -> Drift:
    """Read both environments read-only and compare them."""
    started = datetime.now(timezone.utc)
    t0 = time.perf_counter()
    left, left_rows = _read(env)
    right, right_rows = _read(against)
    differences = compare_snapshots(left, right, set(schemas) if schemas else None)
    migration_diffs, migrations = migration_differences(left_rows, right_rows)
    differences += migration_diffs
    lacking = migrations["only_environment"] + migrations["only_against"]
    if folder is not None:
        # Migrations of the folder neither side applied are pending for both.
        applied_anywhere = {d.name for d in migration_diffs} | {r["migration"] for r in (left_rows or []) + (right_rows or [])}
        lacking += [m.name for m in folder.migrations if m.name not in applied_anywhere]
    pending = pending_changes(folder, lacking, env.schema or "public")
    _attach_pending(differences, pending)
    return Drift(env.name, against.name, {"environment": env.masked_url, "against": against.masked_url},
                 started.isoformat(timespec="seconds"), (time.perf_counter() - t0) * 1000, differences, migrations, pending)
