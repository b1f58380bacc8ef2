"""Deployable fixes: the review's findings turned into ordered steps, none of which holds a lock for long.

The findings decide what to fix (the checks' own verdicts, never re-derived);
the catalog and the data decide how:

- orphans under a foreign key to add or validate stop the plan: it lists their
  counts and the query that shows them, and deletes nothing;
- a CHECK that existing rows violate, or a unique index their duplicates would
  break, is reported with the count and left out, never added blindly;
- required extensions first; then every ``ADD ... NOT VALID`` in one step
  (brief locks; a constraint of the same name that is wrong is dropped just
  before, in the same transaction, so the table is never without one); then
  each ``VALIDATE CONSTRAINT`` alone (a scan that lets reads and writes go on);
- a partitioned table gets its foreign key per partition (NOT VALID, then
  validated) and then on the parent, which attaches them without a scan
  (PostgreSQL refuses NOT VALID there before 18); its unique index is created
  ON ONLY the parent, built CONCURRENTLY per partition and attached;
- a ``CONCURRENTLY`` statement is a step of its own, marked to run outside a
  transaction.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import sqlalchemy as sa
from pglast import parse_sql
from psycopg import sql

from apms_ops import remediation, sqlfiles
from apms_ops.catalog import Snapshot, qualified, read_snapshot
from apms_ops.checks import Context, run_checks
from apms_ops.checks.definitions import ABSENT, DEFINITION_PROBLEMS, designed_foreign_key
from apms_ops.checks.schema import _check_name
from apms_ops.connections import Environment, read_only_session
from apms_ops.lint import probes
from apms_ops.lint.safe_expression import UnsafeExpression, render_expression

PLAN_CHECKS = ["C1.extensions", "C1.foreign_keys", "C1.critical_foreign_keys", "C1.check_constraints",
               "C1.partial_unique_index", "C1.orphans"]
STEP_LOCK_TIMEOUT = "1s"
VALIDATE_WHY = "VALIDATE CONSTRAINT: SHARE UPDATE EXCLUSIVE, reads and writes go on while it scans"


@dataclass
class Step:
    name: str                 # the folder's <what>: add_constraints_not_valid, validate_<table>_<constraint>, ...
    title: str                # one line for people
    statements: list[str]
    transactional: bool = True
    why: str = ""             # the lock it takes and why it is short
    blocks_writes: bool = True  # takes a lock that makes the application's writes wait (then it gets a lock timeout)

    def script(self, lock_timeout: str | None = STEP_LOCK_TIMEOUT) -> str:
        """The statements as one ``migration.sql`` body (with a lock timeout when the step may block writes)."""
        body = list(self.statements)
        if self.transactional and self.blocks_writes and lock_timeout:
            # A step that cannot get its lock soon fails and can be re-run; one that waits
            # would queue the application's writes behind it.
            body.insert(0, f"SET LOCAL lock_timeout = {sql.Literal(lock_timeout).as_string(None)};")
        return "\n".join(body) + "\n"


@dataclass
class Plan:
    environment: str
    database: str
    profile: str
    steps: list[Step] = field(default_factory=list)
    blocked: list[dict] = field(default_factory=list)   # orphans: the plan stops
    left_out: list[dict] = field(default_factory=list)  # fixes the data would break: reported, not generated

    @property
    def stopped(self) -> bool:
        return bool(self.blocked)

    def to_dict(self) -> dict:
        return {"environment": self.environment, "database": self.database, "profile": self.profile,
                "stopped": self.stopped, "blocked": self.blocked, "left_out": self.left_out,
                "steps": [{"name": s.name, "title": s.title, "transactional": s.transactional, "why": s.why,
                           "statements": s.statements} for s in self.steps]}


def _slug(*parts: str, limit: int = 60) -> str:
    text = re.sub(r"[^a-z0-9]+", "_", "_".join(parts).lower()).strip("_")
    return text[:limit].rstrip("_")


class _Catalog:
    """The few reads the plan needs beyond the snapshot: partitions and the constraint names on them."""

    def __init__(self, conn, snapshot: Snapshot):
        self.conn, self.snapshot = conn, snapshot
        self._trees: dict = {}

    def partitions(self, schema: str, table: str) -> list[dict]:
        """Every partition below ``table`` (all levels): ``key``, ``parent``, ``leaf``, ``level``; shallowest first."""
        key = (schema, table)
        if key not in self._trees:
            rows = self.conn.execute(sa.text(sqlfiles.load("remediation/partition_tree.sql")),
                                     {"name": sql.Identifier(schema, table).as_string(None)}).mappings()
            self._trees[key] = [{"key": (r["schema_name"], r["table_name"]), "parent": (r["parent_schema"], r["parent_table"]),
                                 "leaf": r["is_leaf"], "level": r["level"]} for r in rows]
        return self._trees[key]

    def leaves(self, schema: str, table: str) -> list[tuple[str, str]]:
        return [p["key"] for p in self.partitions(schema, table) if p["leaf"]]

    def constraints_on(self, tables: list[tuple[str, str]]) -> dict[tuple[str, str], dict[str, dict]]:
        names = [sql.Identifier(*t).as_string(None) for t in tables]
        rows = self.conn.execute(sa.text(sqlfiles.load("remediation/constraint_names.sql")), {"tables": names}).mappings() if names else []
        out: dict = {}
        for r in rows:
            out.setdefault((r["schema_name"], r["table_name"]), {})[r["name"]] = dict(r)
        return out


def _fk_definition(ctx: Context, ref, replaced) -> dict:
    """ON DELETE / ON UPDATE, MATCH and deferrability as the design states them (the choices of the key it
    replaces where the design allows them; PostgreSQL's defaults where the design says nothing)."""
    current = next((ctx.snapshot.constraint(ref.schema, ref.table, name) for name in sorted(replaced)), None)
    return designed_foreign_key(current, ctx.profile.foreign_key_rules(ref.table, tuple(ref.columns)))


def _reference_for(ctx: Context, finding: dict):
    return next((r for r in ctx.references if (qualified(r.schema, r.table), r.column_label, r.target)
                 == (finding.get("table"), finding.get("column"), finding.get("references"))), None)


def _parse_check(definition: str):
    """The expression of a CHECK definition (``x > 0``, ``CHECK ((x > 0)) NOT VALID``), parsed by PostgreSQL's grammar."""
    text = definition.strip()
    clause = text if text.upper().startswith("CHECK") else f"CHECK ({text})"
    return parse_sql(f"ALTER TABLE apms_ops_t ADD CONSTRAINT apms_ops_c {clause}")[0].stmt.cmds[0].def_.raw_expr


def build_plan(env: Environment, profile="auto", *, sample: int = 5) -> Plan:
    """Review ``env`` read-only and plan the steps that close its findings (see the module doc)."""
    from apms_ops.review import choose_profile

    with read_only_session(env) as conn:
        snapshot = read_snapshot(conn)
        requested = profile if profile not in (None, "", "auto") else (env.profile or "auto")
        chosen = choose_profile(requested, snapshot, env.schema)
        ctx = Context(snapshot, chosen, conn, health_url=None)
        results = {r.id: r for r in run_checks(ctx, PLAN_CHECKS)}
        plan = Plan(env.name, env.masked_url, chosen.name)
        _plan(plan, ctx, results, _Catalog(conn, snapshot), sample)
    return plan


def _plan(plan: Plan, ctx: Context, results: dict, catalog: _Catalog, sample: int) -> None:
    profile, snap, conn = ctx.profile, ctx.snapshot, ctx.conn
    for check_id, result in results.items():
        if result.status == "ERROR":
            raise RuntimeError(f"{check_id} could not run, so its fixes cannot be planned: {result.detail}")

    # Foreign keys to add (missing), to replace (a key to another target, or defined otherwise than the design:
    # dropped and added again in one transaction) and to validate (NOT VALID), from the FK checks' findings.
    to_add, to_validate, replaced = {}, {}, {}
    for check_id in ("C1.foreign_keys", "C1.critical_foreign_keys"):
        for f in results[check_id].findings:
            ref = _reference_for(ctx, f)
            problem = f.get("problem")
            if ref is None or problem in ABSENT:
                continue
            if problem == "NOT VALID":
                to_validate[ref.key] = ref
                continue
            to_add[ref.key] = ref
            if problem == "wrong target" or problem in DEFINITION_PROBLEMS:
                replaced.setdefault(ref.key, set()).add(f["constraint"])
    orphans = {(f["table"], f["column"], f["references"]): f["orphans"] for f in results["C1.orphans"].findings}
    for ref in list(to_add.values()) + list(to_validate.values()):
        count = orphans.get((qualified(ref.schema, ref.table), ref.column_label, ref.target))
        if count:
            plan.blocked.append({"table": qualified(ref.schema, ref.table), "column": ref.column_label, "references": ref.target,
                                 "orphans": count, "query": remediation.orphans_query(ref.schema, ref.table, ref.columns,
                                                                                       ref.ref_schema, ref.ref_table, ref.ref_columns)})
    if plan.blocked:
        return

    # Extensions first: constraints and indexes may call their functions.
    extensions = [f["extension"] for f in results["C1.extensions"].findings if f.get("available")]
    if extensions:
        plan.steps.append(Step("extensions", f"Install {', '.join(extensions)}", [remediation.create_extension(e) for e in extensions],
                               why="CREATE EXTENSION: no lock on application tables"))

    adds: list[str] = []
    validates: list[Step] = []
    attaches: list[str] = []
    partitioned_tables = [(r.schema, r.table) for r in to_add.values() if snap.table(r.schema, r.table) and snap.table(r.schema, r.table).kind == "partitioned"]
    leaves = {t: catalog.leaves(*t) for t in partitioned_tables}
    check_tables = {(profile.schema, f["table"]) for f in results["C1.check_constraints"].findings}
    existing = catalog.constraints_on(sorted({(r.schema, r.table) for r in to_add.values()} | check_tables
                                             | {leaf for ls in leaves.values() for leaf in ls}))

    for ref in sorted(to_add.values(), key=lambda r: (r.schema, r.table, r.columns)):
        name = remediation.constraint_name(ref.table, tuple(ref.columns), "fkey")
        actions = _fk_definition(ctx, ref, replaced.get(ref.key, ()))
        key = (ref.schema, ref.table)
        for old in sorted(replaced.get(ref.key, ())):
            # The wrong key goes in the same transaction the designed one comes in: the column is never without one.
            adds.append(remediation.drop_constraint(ref.schema, ref.table, old))
        targets = leaves.get(key) or [key]
        for schema, table in targets:
            # A partition carries its own copy under its own name until the partitioned table adopts it.
            own = name if (schema, table) == key else remediation.partition_constraint_name(table, ref.columns)
            if own in existing.get((schema, table), {}) and own not in replaced.get(ref.key, ()):
                # A constraint of that name is there and is not the right foreign key: replace it in one transaction.
                adds.append(remediation.drop_constraint(schema, table, own))
            adds.append(remediation.add_foreign_key_not_valid(schema, table, ref.columns, ref.ref_schema, ref.ref_table,
                                                              ref.ref_columns, name=own, **actions))
            validates.append(Step(_slug("validate", table, own), f"Validate {own} on {qualified(schema, table)}",
                                  [remediation.validate_constraint(schema, table, own)],
                                  why=VALIDATE_WHY, blocks_writes=False))
        if key in leaves:
            attaches.append(remediation.add_foreign_key_not_valid(ref.schema, ref.table, ref.columns, ref.ref_schema, ref.ref_table,
                                                                  ref.ref_columns, name=name, not_valid=False, **actions))
    for ref in sorted(to_validate.values(), key=lambda r: (r.schema, r.table, r.columns)):
        validates.append(Step(_slug("validate", ref.table, ref.constraint), f"Validate {ref.constraint} on {qualified(ref.schema, ref.table)}",
                              [remediation.validate_constraint(ref.schema, ref.table, ref.constraint)],
                              why=VALIDATE_WHY, blocks_writes=False))

    # CHECKs: added NOT VALID after the foreign keys (an ACCESS EXCLUSIVE lock last keeps lock waits short),
    # unless existing rows violate them: then they are reported, not added.
    for f in results["C1.check_constraints"].findings:
        table = f["table"]
        problem = f.get("problem")
        expected = next((c for c in profile.checks if (c.table, c.definition) == (table, f["definition"])), None)
        if problem == "NOT VALID":
            definition = next((c.definition for c in snap.check_constraints
                               if (c.schema, c.table, c.name) == (profile.schema, table, f["constraint"])), f["definition"])
            name = f["constraint"]
        elif expected is None:
            continue
        else:
            # The names the CHECK check gives (a differing CHECK keeps its own name unless the design names it).
            definition = f["definition"]
            name = expected.name or (f["constraint"] if problem == "definition differs" else _check_name(ctx, expected))
        violating = _check_violations(conn, profile.schema, table, definition, sample)
        if violating is not None:
            plan.left_out.append({"what": f"CHECK ({f['definition']}) on {qualified(profile.schema, table)}", **violating})
            continue
        if problem != "NOT VALID":
            if problem == "definition differs":
                adds.append(remediation.drop_constraint(profile.schema, table, f["constraint"]))
            elif name in existing.get((profile.schema, table), {}):
                adds.append(remediation.drop_constraint(profile.schema, table, name))
            adds.append(remediation.add_check_not_valid(profile.schema, table, f["definition"], name))
        validates.append(Step(_slug("validate", table, name), f"Validate {name} on {qualified(profile.schema, table)}",
                              [remediation.validate_constraint(profile.schema, table, name)],
                              why=VALIDATE_WHY, blocks_writes=False))

    if adds:
        plan.steps.append(Step("add_constraints_not_valid", f"Add {sum(s.startswith('ALTER TABLE') and 'ADD CONSTRAINT' in s for s in adds)} "
                               "constraint(s) NOT VALID", adds,
                               why="ADD ... NOT VALID: brief SHARE ROW EXCLUSIVE (foreign keys) and ACCESS EXCLUSIVE (CHECKs) "
                                   "locks, no scan; new rows are checked from now on"))
    plan.steps.extend(validates)
    if attaches:
        plan.steps.append(Step("attach_partitioned_foreign_keys", "Add the foreign keys on partitioned parents (attaches the validated ones)",
                               attaches, why="every partition has the validated foreign key: PostgreSQL attaches them, no scan"))
    _index_steps(plan, ctx, results["C1.partial_unique_index"].findings, catalog, sample)


def _check_violations(conn, schema: str, table: str, definition: str, sample: int) -> dict | None:
    """``{"rows", "sample", "query"}`` when existing rows violate the CHECK, None when none does."""
    try:
        expression = render_expression(_parse_check(definition), conn)
    except (UnsafeExpression, Exception) as exc:  # noqa: BLE001 - a definition we cannot evaluate is not added blindly
        return {"rows": None, "sample": [], "query": None, "reason": f"cannot evaluate the definition: {exc}"}
    count = probes.violations(conn, schema, table, sql.SQL("({}) IS FALSE").format(sql.SQL(expression)), sample=sample)
    if count.known and not count.value:
        return None
    return {"rows": count.value, "sample": count.sample, "query": remediation.check_violations_query(schema, table, expression),
            "reason": "existing rows violate it" if count.known else f"violations could not be counted: {count.error}"}


def _index_steps(plan: Plan, ctx: Context, findings: list[dict], catalog: _Catalog, sample: int) -> None:
    profile, snap, conn = ctx.profile, ctx.snapshot, ctx.conn
    for f in findings:
        expected = next((i for i in profile.partial_unique_indexes if i.name == f["index"]), None)
        if expected is None:
            continue
        schema, table = profile.schema, expected.table
        try:
            # Key expressions and the predicate are evaluated only as PostgreSQL's grammar re-prints them.
            keys = [sql.SQL("apms_ops_row.{}").format(sql.Identifier(c)) if c.isidentifier()
                    else sql.SQL("({})").format(sql.SQL(render_expression(_parse_check(c), conn))) for c in expected.columns]
            parts = [sql.SQL("({}) IS NOT NULL").format(k) for k in keys]
            if expected.predicate:
                parts.append(sql.SQL("({})").format(sql.SQL(render_expression(_parse_check(expected.predicate), conn))))
        except Exception as exc:  # noqa: BLE001 - a definition we cannot evaluate is not built blindly
            plan.left_out.append({"what": f"index {expected.name}", "rows": None, "sample": [], "query": None,
                                  "reason": f"cannot evaluate its keys or predicate: {exc}"})
            continue
        groups, rows = (probes.duplicates(conn, schema, table, keys, sql.SQL(" AND ").join(parts), sample=sample)
                        if expected.unique else (probes.Count(0), probes.Count(0)))
        if not groups.known or groups.value:
            plan.left_out.append({"what": f"unique index {expected.name} on {qualified(schema, table)}", "rows": rows.value,
                                  "duplicate_keys": groups.value, "sample": groups.sample, "query": None,
                                  "reason": "existing rows hold duplicate keys" if groups.known else f"duplicates could not be counted: {groups.error}"})
            continue
        present = next((i for i in snap.indexes if (i.schema, i.table, i.name) == (schema, table, expected.name)), None)
        # A wrong or INVALID index of that name keeps serving until the designed one is built under another name.
        name = remediation.rebuild_name(expected.name) if present is not None else expected.name
        t = snap.table(schema, table)
        partitioned = t is not None and t.kind == "partitioned"
        if partitioned:
            _partitioned_index_steps(plan, expected, schema, table, name, catalog.partitions(schema, table))
        else:
            plan.steps.append(Step(_slug("index", expected.name), f"Build {name} concurrently",
                                   [remediation.create_index(schema, table, name, expected.columns, expected.predicate,
                                                             unique=expected.unique, method=expected.method)],
                                   transactional=False, blocks_writes=False,
                                   why="CREATE INDEX CONCURRENTLY: writes go on; outside a transaction"))
        if present is None:
            continue
        if partitioned:
            # PostgreSQL cannot drop a partitioned index concurrently: dropped and replaced in one brief transaction.
            plan.steps.append(Step(_slug("index", expected.name, "replace"), f"Replace {expected.name} with the rebuilt index",
                                   [remediation.drop_index(schema, expected.name), remediation.rename_index(schema, name, expected.name)],
                                   why="DROP INDEX and RENAME: brief ACCESS EXCLUSIVE, no scan"))
            continue
        plan.steps.append(Step(_slug("drop_index", expected.name), f"Drop the index {expected.name} that differs or is INVALID",
                               [remediation.drop_index_concurrently(schema, expected.name)], transactional=False, blocks_writes=False,
                               why="DROP INDEX CONCURRENTLY: no lock that blocks reads or writes; outside a transaction"))
        plan.steps.append(Step(_slug("rename_index", expected.name), f"Give the rebuilt index the name {expected.name}",
                               [remediation.rename_index(schema, name, expected.name)],
                               why="ALTER INDEX ... RENAME: a brief lock, no scan"))


def _partitioned_index_steps(plan: Plan, expected, schema: str, table: str, name: str, partitions: list[dict]) -> None:
    """ON ONLY each partitioned level (empty, INVALID), CONCURRENTLY on each leaf, then attached upwards, deepest first."""
    names = {(schema, table): name}
    for p in partitions:
        names[p["key"]] = remediation.constraint_name(p["key"][1], tuple(expected.columns), "key")
    levels = [(schema, table)] + [p["key"] for p in partitions if not p["leaf"]]
    options = {"unique": expected.unique, "method": expected.method}
    plan.steps.append(Step(_slug("index", expected.name, "parents"), f"Create {name} ON ONLY each partitioned level",
                           [remediation.create_index_on_only(*key, names[key], expected.columns, expected.predicate, **options)
                            for key in levels],
                           why="ON ONLY: each partitioned level's index is created empty and INVALID, in milliseconds"))
    for p in (p for p in partitions if p["leaf"]):
        key = p["key"]
        plan.steps.append(Step(_slug("index", names[key]), f"Build {names[key]} on {qualified(*key)} concurrently",
                               [remediation.create_index(*key, names[key], expected.columns, expected.predicate, **options)],
                               transactional=False, blocks_writes=False,
                               why="CREATE INDEX CONCURRENTLY: writes go on; outside a transaction"))
    attach = [remediation.attach_index(p["parent"][0], names[p["parent"]], p["key"][0], names[p["key"]])
              for p in sorted(partitions, key=lambda p: -p["level"])]
    plan.steps.append(Step(_slug("index", expected.name, "attach"), f"Attach the partitions' indexes to {name}", attach,
                           why="ALTER INDEX ... ATTACH PARTITION: brief; each level's index becomes valid with its last partition"))
