"""C1 schema integrity: extensions, tables, foreign keys, CHECKs, the partial unique
index, orphaned rows and the migration history."""

from __future__ import annotations

import re

from apms_ops import audits, remediation
from apms_ops.catalog import qualified
from apms_ops.checks.base import ERROR, FAIL, INFO, PASS, SKIP, WARN, Context, Outcome
from apms_ops.expressions import normalize
from apms_ops.sqlfiles import quote


def extensions(ctx: Context) -> Outcome:
    """Required extensions are installed.

    Anti-pattern: a migration that calls ``gen_random_uuid()`` or ``crypt()`` on a
    server where the extension is missing. Best practice: install it before the
    migration, with ``CREATE EXTENSION IF NOT EXISTS``.

    Why it matters: functions the schema relies on (such as ``gen_random_uuid``) may be
    missing when the migration runs.

    How to fix: install the missing extension(s) before the migration runs.
    """
    installed = ctx.snapshot.extension_names
    required = list(ctx.profile.extensions)
    if not required:
        return Outcome(INFO, None, len(installed), "installed: " + (", ".join(sorted(installed)) or "none"))
    findings = []
    for name in required:
        if name not in installed:
            available = name in ctx.snapshot.available_extensions
            findings.append({
                "extension": name,
                "available": available,
                "sql": f'CREATE EXTENSION IF NOT EXISTS "{name}";' if available else None,
            })
    present = len(required) - len(findings)
    detail = f"{present} of {len(required)} required extensions installed"
    unavailable = [f["extension"] for f in findings if not f["available"]]
    if unavailable:
        detail += f"; this server cannot install {', '.join(unavailable)} (not in pg_available_extensions)"
    elif findings:
        detail += f"; missing: {', '.join(f['extension'] for f in findings)}"
    return Outcome(FAIL if findings else PASS, len(required), present, detail, findings)


def tables(ctx: Context) -> Outcome:
    """The tables the migration creates, and the ones they reference, exist.

    Lists missing tables as findings and unexpected ones in the detail.

    Why it matters: the migration is incomplete: the application fails on the missing tables.

    How to fix: complete the migration: expected tables are missing.
    """
    profile, snap = ctx.profile, ctx.snapshot
    in_schema = sorted(name for schema, name in snap.tables if schema == profile.schema)
    if not profile.tables:
        return Outcome(INFO, None, len(snap.tables), f"{len(snap.tables)} tables in {len(snap.schemas)} schemas (no profile: nothing expected)")
    findings = [{"table": t, "kind": "created by the migration"} for t in profile.tables if ctx.profile_table(t) is None]
    findings += [{"table": t, "kind": "pre-existing, referenced"} for t in profile.existing_tables if ctx.profile_table(t) is None]
    present = sum(1 for t in profile.tables if ctx.profile_table(t) is not None)
    known = set(profile.tables) | set(profile.existing_tables)
    unexpected = [t for t in in_schema if t not in known]
    detail = f"{present} of {len(profile.tables)} tables created"
    if findings:
        detail += "; missing: " + ", ".join(f["table"] for f in findings)
    if unexpected:
        detail += f"; {len(unexpected)} other table(s) in {profile.schema}: " + ", ".join(unexpected[:10]) + ("..." if len(unexpected) > 10 else "")
    return Outcome(FAIL if findings else PASS, len(profile.tables), present, detail, findings)


def _missing_fk_finding(ref) -> dict:
    finding = {
        "table": qualified(ref.schema, ref.table),
        "column": ref.column_label,
        "references": ref.target,
        "critical": ref.critical,
    }
    if not ref.child_exists:
        finding["problem"] = "column missing"
    elif not ref.parent_exists:
        finding["problem"] = "referenced key missing"
    else:
        finding["sql"] = remediation.add_foreign_key(ref.schema, ref.table, ref.columns, ref.ref_schema, ref.ref_table, ref.ref_columns)
    return finding


def foreign_keys(ctx: Context) -> Outcome:
    """Every expected reference is enforced by a foreign key.

    With a profile: declared vs expected (``actual: 1, target: 46``); without one:
    declared vs references implied by column names. Anti-pattern: relations kept
    only in application code (an ORM in a mode that creates no FKs), so orphans
    appear silently. ``NOT VALID`` FKs count as present but are flagged: rows
    from before they were added were never checked.

    Why it matters: references without a foreign key are enforced only by application
    code: orphans and cross-tenant references can appear silently.

    How to fix: add the missing foreign keys (remediation SQL: ``NOT VALID`` first, then
    ``VALIDATE``), or, where the design keeps a relation in application code on purpose,
    accept each finding with a reason and an expiry.
    """
    refs = ctx.references
    if ctx.profile.foreign_keys:
        wanted = [r for r in refs if r.expected]
    else:
        wanted = [r for r in refs if r.declared or r.implied]
    missing = [r for r in wanted if not r.declared]
    not_valid = [r for r in wanted if r.declared and r.validated is False]
    findings = [_missing_fk_finding(r) for r in missing]
    findings += [{
        "table": qualified(r.schema, r.table), "column": r.column_label, "references": r.target,
        "constraint": r.constraint, "problem": "NOT VALID",
        "sql": f"ALTER TABLE {quote(r.schema, r.table)} VALIDATE CONSTRAINT {quote(r.constraint)};",
    } for r in not_valid]
    present = len(wanted) - len(missing)
    detail = f"{present} of {len(wanted)} {'expected' if ctx.profile.foreign_keys else 'declared or implied'} references have a foreign key"
    if missing:
        detail += f"; {len(missing)} missing"
    if not_valid:
        detail += f"; {len(not_valid)} NOT VALID"
    extra = [r for r in refs if ctx.profile.foreign_keys and r.implied and not r.expected and not r.declared]
    if extra:
        detail += f"; {len(extra)} more reference(s) implied by column names, outside the profile (audited for orphans and types)"
    if not wanted:
        return Outcome(INFO, 0, 0, "no references declared, expected or implied")
    if missing and ctx.profile.foreign_keys:
        status = FAIL
    elif missing or not_valid:
        status = WARN
    else:
        status = PASS
    return Outcome(status, len(wanted), present, detail, findings)


def critical_foreign_keys(ctx: Context) -> Outcome:
    """The foreign keys the profile marks critical exist (frozen references, tenant anchors).

    Why it matters: these guard the frozen reference to a live version and the tenant
    anchors: without them work can point at a version that does not exist.

    How to fix: add the critical foreign keys first: they guard frozen references and
    tenant anchors.
    """
    critical = [r for r in ctx.references if r.critical]
    if not critical:
        return Outcome(SKIP, None, None, "the profile marks no foreign key critical")
    missing = [r for r in critical if not r.declared]
    findings = [_missing_fk_finding(r) for r in missing]
    present = len(critical) - len(missing)
    detail = f"{present} of {len(critical)} critical foreign keys present"
    if missing:
        detail += "; missing: " + ", ".join(f"{f['table']}.{f['column']}" for f in findings[:6]) + (" ..." if len(findings) > 6 else "")
    return Outcome(FAIL if missing else PASS, len(critical), present, detail, findings)


def check_constraints(ctx: Context) -> Outcome:
    """The expected CHECK constraints exist, compared by table and definition.

    Definitions are compared after normalising PostgreSQL's deparsed form
    (casts, parentheses, ``= ANY (ARRAY[...])``, ``BETWEEN``), so a profile
    states them as a migration author writes them.

    Why it matters: rows that break the rule can be written; the rule then holds only as
    long as application code keeps it.

    How to fix: add the missing CHECK constraint(s) (remediation SQL: ``NOT VALID`` first,
    then ``VALIDATE``).
    """
    profile, snap = ctx.profile, ctx.snapshot
    present = [c for c in snap.check_constraints]
    if not profile.checks:
        return Outcome(INFO, None, len(present), f"{len(present)} CHECK constraints (no profile: nothing expected)")
    by_table: dict[str, list] = {}
    for c in present:
        if c.schema == profile.schema:
            by_table.setdefault(c.table, []).append(c)
    used: set[str] = set()
    findings = []
    matched = 0
    for expected in profile.checks:
        want = normalize(expected.definition)
        hit = next((c for c in by_table.get(expected.table, []) if c.name not in used and normalize(c.definition) == want), None)
        if hit:
            used.add(hit.name)
            matched += 1
            if not hit.validated:
                findings.append({"table": expected.table, "definition": expected.definition, "constraint": hit.name, "problem": "NOT VALID",
                                 "sql": f"ALTER TABLE {quote(profile.schema, expected.table)} VALIDATE CONSTRAINT {quote(hit.name)};"})
        else:
            findings.append({
                "table": expected.table,
                "definition": expected.definition,
                "sql": remediation.add_check(profile.schema, expected.table, expected.definition, _check_name(ctx, expected)),
            })
    unexpected = [c for t in (set(profile.tables) | set(profile.existing_tables)) for c in by_table.get(t, []) if c.name not in used]
    detail = f"{matched} of {len(profile.checks)} expected CHECK constraints present"
    missing = [f for f in findings if f.get("problem") != "NOT VALID"]
    if missing:
        detail += "; missing: " + "; ".join(f"{f['table']}: {f['definition']}" for f in missing[:5]) + (" ..." if len(missing) > 5 else "")
    if unexpected:
        detail += f"; {len(unexpected)} not in the profile: " + ", ".join(c.name for c in unexpected[:5])
    status = FAIL if missing else (WARN if findings else PASS)
    return Outcome(status, len(profile.checks), matched, detail, findings)


def _check_name(ctx: Context, expected) -> str:
    """``<table>_<columns it mentions>_check``, e.g. ``config_versions_status_activated_at_check``."""
    table = ctx.profile_table(expected.table)
    words = re.findall(r"[A-Za-z_][A-Za-z0-9_]*", expected.definition)
    columns = [w for w in dict.fromkeys(words) if table is not None and w in table.columns] or ["expr"]
    return remediation.constraint_name(expected.table, tuple(columns), "check")


def partial_unique_index(ctx: Context) -> Outcome:
    """The partial unique index exists with the right columns and predicate, and is valid.

    It is what keeps at most one ACTIVE configuration per workspace; without it
    two concurrent activations can both succeed.

    Why it matters: nothing in the database stops a second live version in a tenant.

    How to fix: create or rebuild the partial unique index (remediation SQL,
    ``CONCURRENTLY``).
    """
    profile, snap = ctx.profile, ctx.snapshot
    if not profile.partial_unique_indexes:
        partial = [i for i in snap.indexes if i.unique and i.predicate]
        return Outcome(INFO, None, len(partial), f"{len(partial)} partial unique indexes (no profile: nothing expected)")
    findings, present = [], 0
    for expected in profile.partial_unique_indexes:
        want = normalize(expected.predicate)
        candidates = [i for i in snap.indexes if i.schema == profile.schema and i.table == expected.table and i.unique]
        hit = next((i for i in candidates if i.columns == expected.columns and normalize(i.predicate) == want), None)
        base = {"table": expected.table, "index": expected.name, "columns": list(expected.columns), "predicate": expected.predicate}
        if hit is None:
            same_name = next((i for i in candidates if i.name == expected.name), None)
            problem = f"index {expected.name} differs: {same_name.definition}" if same_name else "missing"
            findings.append({**base, "problem": problem,
                             "sql": remediation.create_partial_unique_index(profile.schema, expected.table, expected.name, expected.columns, expected.predicate)})
        elif not hit.valid:
            findings.append({**base, "problem": f"index {hit.name} is INVALID (a failed concurrent build): drop and recreate it"})
        else:
            present += 1
    detail = f"{present} of {len(profile.partial_unique_indexes)} partial unique indexes present and valid"
    if findings:
        detail += "; " + "; ".join(f"{f['index']}: {f['problem']}" for f in findings)
    return Outcome(FAIL if findings else PASS, len(profile.partial_unique_indexes), present, detail, findings)


def orphans(ctx: Context) -> Outcome:
    """No row points at a row that does not exist, for every reference, declared or not.

    Counted by anti-joins inside PostgreSQL, one scan per child table. A NULL
    reference is not an orphan. Orphans under a NOT VALID foreign key count too.

    Why it matters: rows point at rows that do not exist: the application may fail on
    them, and a foreign key cannot be validated until they are fixed.

    How to fix: fix the orphaned rows (delete them or point them at existing rows);
    ``VALIDATE CONSTRAINT`` fails while they exist.
    """
    refs = [r for r in ctx.references if r.auditable]
    if not refs:
        return Outcome(INFO, 0, 0, "no references to audit")
    counts = ctx.reference_counts
    findings, errors, total = [], [], 0
    for ref in refs:
        c = counts.get(ref.key, {})
        if c.get("error"):
            errors.append(f"{ref.label}: {c['error']}")
            continue
        if c.get("orphans"):
            total += c["orphans"]
            findings.append({
                "table": qualified(ref.schema, ref.table), "column": ref.column_label, "references": ref.target,
                "orphans": c["orphans"], "declared": ref.declared,
            })
    detail = f"{total} orphaned rows across {len(refs)} references"
    if findings:
        worst = max(findings, key=lambda f: f["orphans"])
        detail += f"; most under {worst['table']}.{worst['column']} ({worst['orphans']})"
    if errors:
        detail += f"; {len(errors)} reference(s) could not be audited: " + "; ".join(errors[:3])
    status = FAIL if findings else (ERROR if errors else PASS)
    return Outcome(status, 0, total, detail, findings)


def migrations(ctx: Context) -> Outcome:
    """The migration history shows the expected migration applied, and nothing failed or half-applied.

    Why it matters: the deployed schema may not be the one the migration describes.

    How to fix: resolve the migration history (failed or missing migrations).
    """
    profile = ctx.profile
    table = profile.migrations_table or "_prisma_migrations"
    if ctx.profile_table(table) is None:
        if profile.migrations_table:
            return Outcome(WARN, profile.expected_migration, None, f"no migration history table {table} in schema {profile.schema}")
        return Outcome(SKIP, None, None, f"no {table} table (no profile names a migration history)")
    rows = audits.migrations(ctx.conn, profile.schema, table)
    applied = [r for r in rows if r["state"] == "applied"]
    failed = [r for r in rows if r["state"] == "failed"]
    latest = applied[-1]["migration"] if applied else None
    findings = [{"migration": r["migration"], "problem": "started but not finished (failed)"} for r in failed]
    if profile.expected_migration and profile.expected_migration not in {r["migration"] for r in applied}:
        findings.append({"migration": profile.expected_migration, "problem": "not applied"})
    detail = f"{len(applied)} applied, {len(failed)} failed, {sum(r['state'] == 'rolled back' for r in rows)} rolled back; latest applied: {latest or 'none'}"
    return Outcome(FAIL if findings else PASS, profile.expected_migration, latest, detail, findings)
