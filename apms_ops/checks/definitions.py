"""Each declared definition against the design, one judged row per object.

- a foreign key: its target, ``ON DELETE`` / ``ON UPDATE``, ``DEFERRABLE`` /
  ``INITIALLY DEFERRED``, ``MATCH`` and whether it was validated;
- a CHECK constraint: its definition, compared as PostgreSQL parses it
  (``apms_ops.expressions``), and whether it was validated;
- an index: unique or not, valid or not, its keys, predicate and method.

Plain functions of the snapshot, the profile and the references: the C1 checks
(``schema.py``) turn what they return into their result, and tests can feed
them by hand. Every difference is named in words; every finding carries the SQL
that fixes it.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass, field

from apms_ops import remediation
from apms_ops.catalog import Constraint, Index, qualified
from apms_ops.checks.base import FAIL, INFO, PASS, WARN, Context, row
from apms_ops.discovery import Reference
from apms_ops.expressions import compare, referenced_columns
from apms_ops.profiles import ForeignKeyRules

# Finding problems that mean the reference has no key to the designed target.
ABSENT = ("column missing", "referenced key missing")
DEFINITION_PROBLEMS = ("on delete", "on update", "deferrable", "initially deferred", "match")
# Actions that delete, detach or rewrite the referencing rows when the referenced row goes.
DESTRUCTIVE_ACTIONS = ("CASCADE", "SET NULL", "SET DEFAULT")
NOT_VALIDATED = "NOT VALID (not validated: rows from before it was added were never checked)"


@dataclass
class Judged:
    """One object's row and the findings it raises."""

    row: dict
    findings: list[dict] = field(default_factory=list)

    @property
    def status(self) -> str:
        return self.row["status"]


def worst(statuses) -> str:
    order = {FAIL: 0, WARN: 1, PASS: 2, INFO: 3}
    return min(statuses, key=lambda s: order.get(s, 4), default=PASS)


def _or(words) -> str:
    words = list(words)
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]


# ------------------------------------------------------------------ foreign keys


def _pick(actual, allowed, default):
    if allowed is None:
        return actual if actual is not None else default
    return actual if actual in allowed else allowed[0]


def designed_foreign_key(current: Constraint | None, rules: ForeignKeyRules | None) -> dict:
    """The definition to (re)create a key with: the current one's choices where the design allows them."""
    rules = rules or ForeignKeyRules()
    deferrable = rules.deferrable if rules.deferrable is not None else bool(current and current.deferrable)
    deferred = rules.initially_deferred if rules.initially_deferred is not None else bool(current and current.deferred)
    return {
        "on_delete": _pick(current.on_delete if current else None, rules.on_delete, "NO ACTION"),
        "on_update": _pick(current.on_update if current else None, rules.on_update, "NO ACTION"),
        "match": _pick(current.match if current else None, rules.match, "SIMPLE"),
        "deferrable": deferrable or deferred,
        "deferred": deferred,
    }


def foreign_key_differences(current: Constraint, rules: ForeignKeyRules | None) -> list[dict]:
    """How a declared key differs from what the design allows: [{problem, actual, allowed, reason}]."""
    if rules is None:
        return []
    out = []
    for problem, actual, allowed in (("on delete", current.on_delete, rules.on_delete),
                                     ("on update", current.on_update, rules.on_update),
                                     ("match", current.match, rules.match)):
        if allowed is not None and actual is not None and actual not in allowed:
            keyword = problem.upper() if problem != "match" else "MATCH"
            out.append({"problem": problem, "actual": actual, "allowed": list(allowed),
                        "destructive": problem != "match" and actual in DESTRUCTIVE_ACTIONS,
                        "reason": f"{keyword} {actual}; the design allows {_or(allowed)}"})
    if rules.deferrable is not None and current.deferrable != rules.deferrable:
        out.append({"problem": "deferrable", "actual": "DEFERRABLE" if current.deferrable else "NOT DEFERRABLE",
                    "allowed": ["DEFERRABLE" if rules.deferrable else "NOT DEFERRABLE"],
                    "reason": ("DEFERRABLE: checked at commit when deferred; the design says NOT DEFERRABLE"
                               if current.deferrable else "NOT DEFERRABLE; the design says DEFERRABLE")})
    elif rules.initially_deferred is not None and current.deferred != rules.initially_deferred:
        actual = "INITIALLY DEFERRED" if current.deferred else "INITIALLY IMMEDIATE"
        out.append({"problem": "initially deferred", "actual": actual,
                    "allowed": ["INITIALLY DEFERRED" if rules.initially_deferred else "INITIALLY IMMEDIATE"],
                    "reason": f"{actual}; the design says {'INITIALLY DEFERRED' if rules.initially_deferred else 'INITIALLY IMMEDIATE'}"})
    return out


def describe_foreign_key(c: Constraint) -> str:
    words = [f"ON DELETE {c.on_delete or 'NO ACTION'}", f"ON UPDATE {c.on_update or 'NO ACTION'}"]
    if c.match and c.match != "SIMPLE":
        words.insert(0, f"MATCH {c.match}")
    if c.deferrable:
        words.append("DEFERRABLE INITIALLY " + ("DEFERRED" if c.deferred else "IMMEDIATE"))
    return " ".join(words)


def _base(ref: Reference) -> dict:
    base = {"table": qualified(ref.schema, ref.table), "column": ref.column_label, "references": ref.target, "critical": ref.critical}
    if ref.implied and not ref.expected and not ref.declared:
        base["confidence"], base["evidence"] = ref.confidence, ref.evidence  # how discovery knows it
    return base


def _partitions(ctx: Context, ref: Reference):
    """The leaf partitions of a partitioned child table (remediation goes partition by partition), else None."""
    child = ctx.snapshot.table(ref.schema, ref.table)
    return child.partitions if child is not None and child.kind == "partitioned" else None


_UNEXPECTED_KEYS: "weakref.WeakKeyDictionary[Context, dict]" = weakref.WeakKeyDictionary()


def _wrong_target(ctx: Context, ref: Reference) -> Reference | None:
    """A declared key on the same columns that points elsewhere (and is not itself expected)."""
    by_child = _UNEXPECTED_KEYS.get(ctx)
    if by_child is None:
        # Built once per review: looked up for every reference without a key (thousands on large schemas).
        by_child = {}
        for r in ctx.references:
            if r.declared and not r.expected:
                by_child.setdefault((r.schema, r.table, r.columns), []).append(r)
        _UNEXPECTED_KEYS[ctx] = by_child
    return next((r for r in by_child.get((ref.schema, ref.table, ref.columns), ())
                 if (r.ref_schema, r.ref_table, r.ref_columns) != (ref.ref_schema, ref.ref_table, ref.ref_columns)), None)


def _covering_key(ctx: Context, ref: Reference) -> Reference | None:
    """A declared composite key that enforces ``ref`` too: same tables, and each of ref's columns
    paired with ref's referenced column (``(workspace_id, config_version_id) -> config_versions (workspace_id, id)``)."""
    for r in ctx.references:
        if not r.declared or len(r.columns) <= len(ref.columns) or (r.schema, r.table, r.ref_schema, r.ref_table) != (
                ref.schema, ref.table, ref.ref_schema, ref.ref_table):
            continue
        pairs = dict(zip(r.columns, r.ref_columns))
        if all(pairs.get(c) == rc for c, rc in zip(ref.columns, ref.ref_columns)):
            return r
    return None


def judge_reference(ctx: Context, ref: Reference, *, strict: bool, shown: Reference | None = None) -> Judged:
    """One wanted reference: is its key there, pointing at the designed target, defined as designed, validated?

    ``strict``: the profile expects the key (a missing one is FAIL, not WARN).
    ``shown``: the reference rows and findings name, when ``ref`` is the wider key that enforces it.
    """
    shown = shown or ref
    base = _base(shown)
    label = f"{base['table']}.{base['column']} → {base['references']}"
    missing_status = FAIL if strict else WARN
    rules = (ctx.profile.foreign_key_rules(shown.table, shown.columns)
             if shown.expected and shown.schema == ctx.profile.schema else None)
    if not ref.declared:
        covering = _covering_key(ctx, ref)
        if covering is not None:
            # Enforced by a wider key (a composite one that also keeps workspaces apart): judge that key.
            wide = Reference(covering.schema, covering.table, covering.columns, covering.ref_schema, covering.ref_table,
                             covering.ref_columns, declared=True, constraint=covering.constraint, validated=covering.validated,
                             expected=ref.expected, critical=ref.critical, implied=ref.implied, types=covering.types,
                             ref_types=covering.ref_types)
            judged = judge_reference(ctx, wide, strict=strict, shown=ref)
            judged.row["reason"] = f"enforced by the composite foreign key {covering.label}; " + judged.row["reason"]
            return judged
        wrong = _wrong_target(ctx, ref)
        if wrong is not None:
            current = ctx.snapshot.constraint(wrong.schema, wrong.table, wrong.constraint)
            reason = f"foreign key {wrong.constraint} points at {wrong.target}, the design says {ref.target}"
            finding = {**base, "constraint": wrong.constraint, "problem": "wrong target", "points_at": wrong.target, "reason": reason}
            if ref.auditable:
                finding["sql"] = remediation.replace_foreign_key(ref.schema, ref.table, wrong.constraint, ref.columns, ref.ref_schema,
                                                                 ref.ref_table, ref.ref_columns, partitions=_partitions(ctx, ref),
                                                                 **designed_foreign_key(current, rules))
            return Judged(row(label, FAIL, reason, **base, constraint=wrong.constraint), [finding])
        finding = dict(base)
        emulated = ref.expected and ctx.profile.relation_mode == "prisma"
        if not ref.child_exists:
            finding["problem"], reason = "column missing", f"column {base['column']} is missing, so no foreign key can exist"
        elif not ref.parent_exists:
            finding["problem"], reason = "referenced key missing", f"the referenced key {ref.target} is missing"
        elif emulated:
            # The design says so: Prisma emulates this relation, the database is not asked to.
            finding["problem"] = 'enforced only by application code (relationMode = "prisma")'
            reason = 'no foreign key by design (relationMode = "prisma"): only application code keeps this reference'
            return Judged(row(label, INFO, reason, **base, constraint=None, emulated=True), [finding])
        else:
            reason = "no foreign key: only application code keeps this reference"
            definition = {k: v for k, v in designed_foreign_key(None, rules).items() if v not in ("NO ACTION", "SIMPLE", False)}
            finding["sql"] = remediation.add_foreign_key(ref.schema, ref.table, ref.columns, ref.ref_schema, ref.ref_table,
                                                         ref.ref_columns, partitions=_partitions(ctx, ref), **definition)
        if not ref.counts:
            reason = f"possible reference, for a person to confirm (not counted): {ref.evidence}"
            return Judged(row(label, INFO, reason, **base, constraint=None), [finding])
        return Judged(row(label, missing_status, reason, **base, constraint=None), [finding])

    current = ctx.snapshot.constraint(ref.schema, ref.table, ref.constraint)
    differences = foreign_key_differences(current, rules) if current is not None else []
    findings = []
    if differences:
        sql = remediation.replace_foreign_key(ref.schema, ref.table, ref.constraint, ref.columns, ref.ref_schema, ref.ref_table,
                                              ref.ref_columns, partitions=_partitions(ctx, ref), **designed_foreign_key(current, rules))
        for d in differences:
            findings.append({**base, "constraint": ref.constraint, **d, "sql": sql})
    if ref.validated is False:
        finding = {"table": base["table"], "column": base["column"], "references": base["references"],
                   "constraint": ref.constraint, "problem": "NOT VALID", "reason": f"foreign key {ref.constraint} is {NOT_VALIDATED}"}
        if ref.on_partitions:
            # Declared on each partition: the NOT VALID ones are there, not on the partitioned table.
            finding["reason"] += "; validate it on each partition where it is NOT VALID (ALTER TABLE <partition> VALIDATE CONSTRAINT ...)"
        elif not differences:  # re-adding the key validates it too
            finding["sql"] = remediation.validate_constraint(ref.schema, ref.table, ref.constraint)
        findings.append(finding)
    reasons = [d["reason"] for d in differences]
    if ref.validated is False:
        reasons.append(NOT_VALIDATED)
    status = FAIL if differences else WARN if ref.validated is False else PASS
    described = describe_foreign_key(current) if current is not None else "declared"
    reason = f"foreign key {ref.constraint}: " + ("; ".join(reasons) if reasons else described)
    return Judged(row(label, status, reason, **base, constraint=ref.constraint), findings)


def foreign_key_summary(judged: list[Judged]) -> dict[str, list[Judged]]:
    """The judged references grouped by what is wrong with them."""
    groups: dict[str, list[Judged]] = {"missing": [], "wrong target": [], "definition": [], "NOT VALID": []}
    for j in judged:
        problems = {f.get("problem") for f in j.findings}
        if j.findings and (problems <= set(ABSENT) | {None}):
            groups["missing"].append(j)
        if "wrong target" in problems:
            groups["wrong target"].append(j)
        if problems & set(DEFINITION_PROBLEMS):
            groups["definition"].append(j)
        if "NOT VALID" in problems:
            groups["NOT VALID"].append(j)
    return groups


def foreign_key_detail(groups: dict[str, list[Judged]], limit: int = 4) -> str:
    """The tail of a foreign-key check's detail: what is wrong, each kind named once."""

    def names(items):
        shown = [f"{j.row['table']}.{j.row['column']}" for j in items[:limit]]
        return ", ".join(shown) + (" ..." if len(items) > limit else "")

    parts = []
    if groups["missing"]:
        parts.append(f"{len(groups['missing'])} missing")
    if groups["wrong target"]:
        parts.append(f"{len(groups['wrong target'])} pointing at the wrong table: " + "; ".join(
            j.row["reason"] for j in groups["wrong target"][:limit]))
    if groups["definition"]:
        parts.append(f"{len(groups['definition'])} defined otherwise than designed: " + "; ".join(
            f"{j.row['table']}.{j.row['column']} " + ", ".join(f["reason"] for f in j.findings if f.get("problem") in DEFINITION_PROBLEMS)
            for j in groups["definition"][:limit]))
    if groups["NOT VALID"]:
        parts.append(f"{len(groups['NOT VALID'])} NOT VALID (not validated): {names(groups['NOT VALID'])}")
    return "; ".join(parts)


# ------------------------------------------------------------------ CHECK constraints


def _column_types(ctx: Context, schema: str, table: str) -> dict[str, str]:
    t = ctx.snapshot.table(schema, table)
    return {name: col.type for name, col in t.columns.items()} if t is not None else {}


def judge_check_constraints(ctx: Context, check_name) -> tuple[list[dict], list[dict], int]:
    """(rows, findings, matched) for the profile's CHECKs against the profile schema's CHECKs.

    A CHECK is matched by its definition as PostgreSQL reads it (and by name when
    the profile gives one). An expected CHECK with no match that has a
    counterpart — the constraint of the designed name, else the unmatched one
    over the same columns — is reported as differing, with the first difference;
    otherwise as missing.
    """
    profile, snap = ctx.profile, ctx.snapshot
    by_table: dict[str, list[Constraint]] = {}
    for c in snap.check_constraints:
        if c.schema == profile.schema:
            by_table.setdefault(c.table, []).append(c)
    used: set[tuple[str, str]] = set()
    hits: dict[int, Constraint] = {}
    comparisons: dict[tuple[int, str], object] = {}

    def comparison(i, expected, c):
        key = (i, c.name)
        if key not in comparisons:
            comparisons[key] = compare(expected.definition, c.definition, column_types=_column_types(ctx, c.schema, c.table))
        return comparisons[key]

    # Two passes: named CHECKs claim their constraint first, then the rest match by definition.
    for named_pass in (True, False):
        for i, expected in enumerate(profile.checks):
            if i in hits or bool(expected.name) != named_pass:
                continue
            for c in by_table.get(expected.table, []):
                if (c.table, c.name) in used or (expected.name and c.name != expected.name):
                    continue
                if comparison(i, expected, c).equal:
                    hits[i] = c
                    used.add((c.table, c.name))
                    break

    counterparts = _counterparts(profile, hits, by_table, used, check_name)
    rows, findings = [], []
    for i, expected in enumerate(profile.checks):
        label = f"{expected.table}: {expected.definition}"
        ident = {"table": expected.table, "definition": expected.definition}
        hit = hits.get(i)
        if hit is not None:
            if hit.validated:
                rows.append(row(label, PASS, f"present as {hit.name}", **ident, constraint=hit.name, actual_definition=hit.definition))
            else:
                reason = f"{hit.name} is {NOT_VALIDATED}"
                rows.append(row(label, WARN, reason, **ident, constraint=hit.name, actual_definition=hit.definition))
                findings.append({**ident, "constraint": hit.name, "problem": "NOT VALID", "reason": reason,
                                 "sql": remediation.validate_constraint(profile.schema, expected.table, hit.name)})
            continue
        counterpart = counterparts.get(i)
        if counterpart is not None:
            result = comparison(i, expected, counterpart)
            reason = f"{counterpart.name} differs: {result.difference}"
            rows.append(row(label, FAIL, reason, **ident, constraint=counterpart.name, actual_definition=counterpart.definition))
            findings.append({**ident, "constraint": counterpart.name, "problem": "definition differs",
                             "actual_definition": counterpart.definition, "difference": result.difference,
                             "expected_definition": result.expected, "reason": reason,
                             "sql": remediation.replace_check(profile.schema, expected.table, counterpart.name, expected.definition,
                                                              expected.name or counterpart.name)})
            continue
        rows.append(row(label, FAIL, "missing: no CHECK on this table has this definition", **ident, constraint=None,
                        actual_definition=None))
        findings.append({**ident, "sql": remediation.add_check(profile.schema, expected.table, expected.definition,
                                                               expected.name or check_name(expected))})
    known = set(profile.tables) | set(profile.existing_tables)
    for table in sorted(known):
        for c in by_table.get(table, []):
            if (c.table, c.name) not in used:
                rows.append(row(f"{table}: {c.name}", INFO, "not in the profile", table=table, definition=None, constraint=c.name,
                                actual_definition=c.definition))
    return rows, findings, len(hits)


def _counterparts(profile, hits: dict, by_table: dict, used: set, check_name) -> dict[int, Constraint]:
    """For each unmatched expected CHECK, the unmatched CHECK that stands where it should.

    A constraint of the designed name first; otherwise the one over the most
    nearly the same columns. Pairs are chosen best first across the table, so
    one loosely related CHECK cannot take the counterpart of a closer one.
    """
    scored = []
    for i, expected in enumerate(profile.checks):
        if i in hits:
            continue
        want = referenced_columns(expected.definition)
        names = {expected.name, check_name(expected)} - {None}
        for c in by_table.get(expected.table, []):
            if (c.table, c.name) in used:
                continue
            if c.name in names:
                scored.append((2.0, i, c))
                continue
            have = referenced_columns(c.definition)
            if want & have:
                scored.append((len(want & have) / len(want | have), i, c))
    out: dict[int, Constraint] = {}
    for _, i, c in sorted(scored, key=lambda s: (-s[0], s[1], s[2].name)):
        if i not in out and (c.table, c.name) not in used:
            out[i] = c
            used.add((c.table, c.name))
    return out


# ------------------------------------------------------------------ indexes


def index_differences(ctx: Context, expected, index: Index) -> list[str]:
    """Each way ``index`` differs from the expected one, in words ([] when it is the designed index)."""
    out = []
    if expected.unique and not index.unique:
        out.append("not unique")
    elif index.unique and not expected.unique:
        out.append("unique, the design says not unique")
    if (index.method or "btree") != (expected.method or "btree"):
        out.append(f"method {index.method}, the design says {expected.method}")
    types = _column_types(ctx, index.schema, index.table)
    keys = list(index.keys) or list(index.columns)
    if len(keys) != len(expected.columns) or not all(
            compare(want, have, column_types=types).equal for want, have in zip(expected.columns, keys)):
        out.append(f"columns ({', '.join(keys)}), the design says ({', '.join(expected.columns)})")
    if expected.predicate and not index.predicate:
        out.append(f"not partial: no WHERE {expected.predicate}")
    elif index.predicate and not expected.predicate:
        out.append(f"partial (WHERE {index.predicate}), the design says a full index")
    elif expected.predicate:
        result = compare(expected.predicate, index.predicate, column_types=types)
        if not result.equal:
            out.append(f"predicate differs: {result.difference}")
    if not index.valid:
        # First: whatever else differs, an invalid index must be rebuilt.
        out.insert(0, "INVALID (a failed concurrent build: queries never use it, and the existing rows were never "
                      "proven to satisfy it)")
    return out


def judge_index(ctx: Context, expected) -> Judged:
    """One expected index: present under its name (or another) with every property as designed?"""
    schema = ctx.profile.schema
    on_table = [i for i in ctx.snapshot.indexes if i.schema == schema and i.table == expected.table]
    ident = {"table": expected.table, "index": expected.name, "columns": list(expected.columns), "predicate": expected.predicate}
    rebuild = remediation.rebuild_index(schema, expected.table, expected.name, expected.columns, expected.predicate,
                                        unique=expected.unique, method=expected.method)
    same_name = next((i for i in on_table if i.name == expected.name), None)
    if same_name is not None:
        differences = index_differences(ctx, expected, same_name)
        if not differences:
            return Judged(row(expected.name, PASS, f"present: {same_name.definition}", **ident, actual_definition=same_name.definition))
        reason = f"index {expected.name} is " + "; ".join(differences)
        problem = "; ".join(differences)
        return Judged(row(expected.name, FAIL, reason, **ident, actual_definition=same_name.definition),
                      [{**ident, "problem": problem, "differences": differences, "actual_definition": same_name.definition,
                        "reason": reason, "sql": rebuild}])
    twin = next((i for i in on_table if not index_differences(ctx, expected, i)), None)
    if twin is not None:
        return Judged(row(expected.name, PASS, f"present under the name {twin.name}: {twin.definition}", **ident,
                          actual_definition=twin.definition))
    create = (remediation.create_partial_unique_index(schema, expected.table, expected.name, expected.columns, expected.predicate)
              if expected.unique and expected.method == "btree" and all(c.isidentifier() for c in expected.columns) else
              remediation.create_index(schema, expected.table, expected.name, expected.columns, expected.predicate,
                                       unique=expected.unique, method=expected.method))
    near = [i for i in on_table if set(i.columns) & set(expected.columns)]
    reason = "missing" + (f" (nearest on the table: {near[0].definition})" if near else "")
    return Judged(row(expected.name, FAIL, reason, **ident, actual_definition=None), [{**ident, "problem": "missing", "sql": create}])
