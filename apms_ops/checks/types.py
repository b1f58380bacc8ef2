"""C2 type alignment: the id type of every table, and every reference column's type
against the key it references, whether or not a foreign key exists."""

from __future__ import annotations

from collections import Counter

from apms_ops.catalog import qualified
from apms_ops.checks.base import FAIL, INFO, PASS, SKIP, Context, Outcome, row


def table_id_types(ctx: Context) -> list[dict]:
    """Every table's single-column primary key and its type, with the profile's expectation."""
    rows = []
    for (schema, name), table in sorted(ctx.snapshot.tables.items()):
        pk = ctx.snapshot.primary_key(schema, name)
        column = pk[0] if pk and len(pk) == 1 else None
        expected = ctx.profile.expected_id_type(name) if schema == ctx.profile.schema else None
        rows.append({
            "schema": schema,
            "table": name,
            "column": column,
            "type": table.columns[column].type if column else None,
            "expected": expected,
            "primary_key": list(pk) if pk else [],
        })
    return rows


def id_types(ctx: Context) -> Outcome:
    """Each table's id has the type the design says (no uuid assumption: ``text`` ids are read as text).

    Why it matters: ids of an unexpected type break references and the application's mappings.

    How to fix: align the id types with the design before any reference is added.
    """
    rows = table_id_types(ctx)
    with_expectation = [r for r in rows if r["expected"]]
    summary = Counter(r["type"] for r in rows if r["type"])
    described = ", ".join(f"{n} {t}" for t, n in summary.most_common())
    no_pk = [qualified(r["schema"], r["table"]) for r in rows if not r["primary_key"]]
    tail = f"; {len(no_pk)} table(s) without a primary key: {', '.join(no_pk[:5])}" if no_pk else ""
    judged = []
    for r in rows:
        name = qualified(r["schema"], r["table"])
        ident = {"table": name, "column": r["column"], "type": r["type"], "expected": r["expected"]}
        if not r["expected"]:
            reason = f"id type {r['type']}" if r["column"] else "no single-column primary key"
            judged.append(row(name, INFO, reason + " (the profile expects nothing)", **ident))
        elif not r["column"]:
            judged.append(row(name, FAIL, f"no single-column primary key; the design says an id of type {r['expected']}", **ident))
        elif r["type"] != r["expected"]:
            judged.append(row(name, FAIL, f"id {r['column']} is {r['type']}; the design says {r['expected']}", **ident))
        else:
            judged.append(row(name, PASS, f"id {r['column']} is {r['type']}", **ident))
    if not with_expectation:
        return Outcome(INFO, None, described or "no ids", f"id types: {described or 'none'}{tail}", rows=judged)
    findings = [
        {"table": r["table"], "column": r["column"] or "(no single-column primary key)", "type": r["type"], "expected": r["expected"]}
        for r in with_expectation
        if r["type"] != r["expected"]
    ]
    aligned = len(with_expectation) - len(findings)
    detail = f"{aligned} of {len(with_expectation)} tables have the expected id type (all {len(rows)} tables: {described}){tail}"
    return Outcome(FAIL if findings else PASS, len(with_expectation), aligned, detail, findings, judged)


def reference_types(ctx: Context) -> Outcome:
    """Every reference column has exactly the type of the key it references (``text = text``, ``uuid = uuid``).

    Anti-pattern: ``text`` pointing at ``uuid`` (or ``varchar(36)`` at ``text``):
    no foreign key can be added, and joins cast on every row.

    Why it matters: a reference whose type differs from its key cannot get a foreign
    key, and joins cast silently.

    How to fix: change each reference column to the type of the key it references.
    """
    judged = []
    for r in ctx.references:
        ident = {"table": qualified(r.schema, r.table), "column": r.column_label, "type": ",".join(t or "?" for t in r.types),
                 "references": r.target, "referenced_type": ",".join(t or "?" for t in r.ref_types), "declared": r.declared,
                 "known_from": r.source}
        if not r.auditable:
            judged.append(row(r.label, SKIP, "the column or the referenced key is missing (C1 reports it)", **ident))
        elif r.types_match:
            judged.append(row(r.label, PASS, f"{ident['type']} = {ident['referenced_type']}", **ident))
        else:
            judged.append(row(r.label, FAIL, f"{ident['type']} points at {ident['referenced_type']}", **ident))
    refs = [r for r in ctx.references if r.auditable]
    if not refs:
        return Outcome(INFO, 0, 0, "no references to compare", rows=judged)
    findings = [
        {
            "table": qualified(r.schema, r.table),
            "column": r.column_label,
            "type": ",".join(r.types),
            "references": r.target,
            "referenced_type": ",".join(r.ref_types),
            "declared": r.declared,
        }
        for r in refs
        if not r.types_match
    ]
    aligned = len(refs) - len(findings)
    pairs = Counter(f"{','.join(r.types)} = {','.join(r.ref_types)}" for r in refs if r.types_match)
    detail = f"{aligned} of {len(refs)} references aligned (" + ", ".join(f"{p}: {n}" for p, n in pairs.most_common()) + ")"
    if findings:
        detail += "; mismatched: " + ", ".join(f"{f['table']}.{f['column']} {f['type']} -> {f['referenced_type']}" for f in findings[:5])
    return Outcome(FAIL if findings else PASS, len(refs), aligned, detail, findings, judged)
