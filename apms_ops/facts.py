"""Facts: the rows behind the checks, for pages and reports that show more than findings
(every table's id type, every reference with its types and counts, the workspaces).

Collected in the review's own read-only transaction, from the snapshot and the
audits the checks already ran; the few extra audits run once each. Facts carry
no judgement of their own: where a fact says whether something is as designed
(a CHECK that is expected), it repeats what the check decided.
"""

from __future__ import annotations

from collections import Counter

from apms_ops import audits, remediation
from apms_ops.catalog import qualified
from apms_ops.checks.base import CheckResult, Context
from apms_ops.checks.lifecycle import needs
from apms_ops.checks.types import table_id_types


def _guard(fn, *args):
    """(rows, error): a facts query that fails leaves a message for the page, not a traceback."""
    try:
        return fn(*args), None
    except Exception as exc:  # noqa: BLE001
        return [], str(exc)


def collect(ctx: Context, results: list[CheckResult]) -> dict:
    profile, snap = ctx.profile, ctx.snapshot
    by_id = {r.id: r for r in results}
    counts = ctx.reference_counts if ctx.conn is not None else {}

    # The SQL for a reference is the one C1.foreign_keys gave its finding (a key pointing
    # elsewhere is replaced, not added a second time).
    fk_result = by_id.get("C1.foreign_keys")
    fk_sql = {}
    for f in (fk_result.findings if fk_result else []):
        if f.get("sql"):
            fk_sql.setdefault((f.get("table"), f.get("column"), f.get("references")), f["sql"])
    references = []
    for ref in ctx.references:
        c = counts.get(ref.key, {})
        references.append({
            "table": qualified(ref.schema, ref.table),
            "column": ref.column_label,
            "references": ref.target,
            "type": ",".join(t or "?" for t in ref.types),
            "referenced_type": ",".join(t or "?" for t in ref.ref_types),
            "types_match": ref.types_match,
            "declared": ref.declared,
            "expected": ref.expected,
            "implied": ref.implied,
            "critical": ref.critical,
            "confidence": ref.confidence,
            "evidence": ref.evidence,
            "constraint": ref.constraint,
            "not_valid": ref.validated is False,
            "orphans": c.get("orphans"),
            "cross_workspace": c.get("cross_workspace"),
            "audit_error": c.get("error") or (None if ref.auditable else "column or referenced key missing"),
            "sql": fk_sql.get((qualified(ref.schema, ref.table), ref.column_label, ref.target)) if fk_result is not None else (
                None if ref.declared or not ref.auditable else remediation.add_foreign_key(
                    ref.schema, ref.table, ref.columns, ref.ref_schema, ref.ref_table, ref.ref_columns)),
        })

    fk_per_table: dict[str, Counter] = {}
    for r in references:
        counter = fk_per_table.setdefault(r["table"], Counter())
        counter["declared"] += r["declared"]
        counter["expected"] += r["expected"]
        counter["implied"] += r["implied"]
    expected_tables = set(profile.tables)
    known_tables = expected_tables | set(profile.existing_tables)
    tables = []
    for row in table_id_types(ctx):
        name = qualified(row["schema"], row["table"])
        in_profile_schema = row["schema"] == profile.schema
        tables.append({
            **row,
            "role": ("created" if row["table"] in expected_tables else "existing" if row["table"] in known_tables else "other")
            if in_profile_schema and not profile.is_empty else "discovered",
            "columns": len(snap.tables[(row["schema"], row["table"])].columns),
            "estimated_rows": snap.tables[(row["schema"], row["table"])].estimated_rows,
            "fk_declared": fk_per_table.get(name, Counter())["declared"],
            "fk_expected": fk_per_table.get(name, Counter())["expected"],
            "fk_implied": fk_per_table.get(name, Counter())["implied"],
        })
    missing_tables = [{"table": t, "role": "created" if t in expected_tables else "existing"}
                      for t in list(profile.tables) + list(profile.existing_tables) if ctx.profile_table(t) is None]

    # The constraints C1.check_constraints matched to an expected definition (PASS, or WARN when NOT VALID).
    checks_result = by_id.get("C1.check_constraints")
    matched = {(r["table"], r.get("constraint")) for r in (checks_result.rows if checks_result else [])
               if r.get("definition") and r["status"] in ("PASS", "WARN")}
    check_constraints = [{
        "table": qualified(c.schema, c.table), "name": c.name, "definition": c.definition, "validated": c.validated,
        "expected": c.schema == profile.schema and (c.table, c.name) in matched,
    } for c in snap.check_constraints]
    missing_checks = [f for f in by_id.get("C1.check_constraints", CheckResult("", "", "", "", "")).findings if f.get("problem") != "NOT VALID"]

    out = {
        "server": snap.server,
        "profile": {"name": profile.name, "title": profile.title, "schema": profile.schema, "source": profile.source},
        "extensions": [{**e, "required": e["name"] in profile.extensions} for e in snap.extensions]
                      + [{"name": n, "version": None, "schema": None, "required": True, "missing": True}
                         for n in profile.extensions if n not in snap.extension_names],
        "tables": tables,
        "missing_tables": missing_tables,
        "references": references,
        "unresolved_columns": [{"table": qualified(u.schema, u.table), "column": u.column, "problem": u.reason,
                                "candidates": list(u.candidates), "polymorphic": u.polymorphic} for u in ctx.discovery.unresolved],
        "check_constraints": check_constraints,
        "missing_check_constraints": missing_checks,
        "partial_unique_indexes": [{"table": qualified(i.schema, i.table), "name": i.name, "columns": list(i.columns),
                                    "predicate": i.predicate, "valid": i.valid, "definition": i.definition}
                                   for i in snap.indexes if i.unique and i.predicate],
        "expected_partial_unique_indexes": [{"table": i.table, "name": i.name, "columns": list(i.columns), "predicate": i.predicate}
                                            for i in profile.partial_unique_indexes],
        "remediation_sql": remediation.migration_script([r.to_dict() for r in results]),
        "errors": {},
    }

    # Profile-driven rows some pages show; absent (with the reason) when the profile or tables lack them.
    optional = (
        ("workspaces", ("lifecycle", "workspaces"), audits.workspace_versions),
        ("instances_by_version", ("lifecycle", "runtime"), audits.instances_by_version),
    )
    for key, parts, fetch in optional:
        why = needs(ctx, *parts) if ctx.conn is not None else "no database connection"
        if why:
            out[key], out["errors"][key] = None, why
            continue
        out[key], err = _guard(fetch, ctx.conn, snap, profile)
        if err:
            out["errors"][key] = err
    mig_table = profile.migrations_table or "_prisma_migrations"
    if ctx.conn is not None and ctx.profile_table(mig_table) is not None:
        out["migrations"], err = _guard(audits.migrations, ctx.conn, profile.schema, mig_table)
        if err:
            out["errors"]["migrations"] = err
    else:
        out["migrations"] = None
        out["errors"]["migrations"] = f"no {mig_table} table in schema {profile.schema}"
    return _jsonable(out)


def _jsonable(value):
    """Dates as ISO strings and decimals as numbers, so facts survive JSON and caching."""
    import datetime as dt
    import decimal

    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return float(value)
    return value
