"""C1 schema integrity: extensions, tables, foreign keys, CHECKs, the partial unique
index, orphaned rows and the migration history."""

from __future__ import annotations

from apms_ops import audits, remediation
from apms_ops.catalog import qualified
from apms_ops.checks import definitions
from apms_ops.checks.base import ERROR, FAIL, INFO, PASS, SKIP, WARN, Context, Outcome, row
from apms_ops.expressions import referenced_columns


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
    versions = {e["name"]: e.get("version") for e in ctx.snapshot.extensions}
    rows = [row(name, PASS if name in installed else FAIL,
                f"installed (version {versions.get(name)})" if name in installed else
                "not installed" + ("" if name in ctx.snapshot.available_extensions else "; this server cannot install it"),
                extension=name, required=True) for name in required]
    rows += [row(name, INFO, f"installed (version {versions.get(name)}), not required", extension=name, required=False)
             for name in sorted(installed) if name not in required]
    if not required:
        return Outcome(INFO, None, len(installed), "installed: " + (", ".join(sorted(installed)) or "none"), rows=rows)
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
    return Outcome(FAIL if findings else PASS, len(required), present, detail, findings, rows)


def tables(ctx: Context) -> Outcome:
    """The tables the migration creates, and the ones they reference, exist.

    Lists missing tables as findings and unexpected ones in the detail.

    Why it matters: the migration is incomplete: the application fails on the missing tables.

    How to fix: complete the migration: expected tables are missing.
    """
    profile, snap = ctx.profile, ctx.snapshot
    in_schema = sorted(name for schema, name in snap.tables if schema == profile.schema)
    if not profile.tables:
        rows = [row(qualified(s, n), INFO, "discovered (no profile: nothing expected)", table=qualified(s, n), role="discovered")
                for s, n in sorted(snap.tables)]
        return Outcome(INFO, None, len(snap.tables), f"{len(snap.tables)} tables in {len(snap.schemas)} schemas (no profile: nothing expected)",
                       rows=rows)
    findings = [{"table": t, "kind": "created by the migration"} for t in profile.tables if ctx.profile_table(t) is None]
    findings += [{"table": t, "kind": "pre-existing, referenced"} for t in profile.existing_tables if ctx.profile_table(t) is None]
    present = sum(1 for t in profile.tables if ctx.profile_table(t) is not None)
    known = set(profile.tables) | set(profile.existing_tables)
    unexpected = [t for t in in_schema if t not in known]
    rows = [row(t, PASS if ctx.profile_table(t) is not None else FAIL,
                ("present" if ctx.profile_table(t) is not None else "missing") + (" (created by the migration)" if role == "created" else
                                                                                  " (pre-existing, referenced)"),
                table=t, role=role)
            for role, names in (("created", profile.tables), ("existing", profile.existing_tables)) for t in names]
    rows += [row(qualified(s, n), INFO, "not in the profile", table=qualified(s, n), role="other")
             for s, n in sorted(snap.tables) if not (s == profile.schema and n in known)]
    detail = f"{present} of {len(profile.tables)} tables created"
    if findings:
        detail += "; missing: " + ", ".join(f["table"] for f in findings)
    if unexpected:
        detail += f"; {len(unexpected)} other table(s) in {profile.schema}: " + ", ".join(unexpected[:10]) + ("..." if len(unexpected) > 10 else "")
    return Outcome(FAIL if findings else PASS, len(profile.tables), present, detail, findings, rows)


def foreign_keys(ctx: Context) -> Outcome:
    """Every expected reference is enforced by a foreign key, to the designed target, defined as designed.

    With a design (a profile's foreign keys, a Prisma schema's relations): declared
    vs expected (``actual: 1, target: 46``), and each key's ``ON DELETE`` /
    ``ON UPDATE``, deferrability and ``MATCH`` against what the profile allows;
    without one: declared vs references implied by column names. Implied
    references carry a confidence band: *high* ones count like expected ones,
    *review* ones are listed for a person to confirm and left out of the figures.
    Anti-pattern: relations kept only in application code (an ORM in a mode that
    creates no FKs), so orphans appear silently; or a key that cascades a delete
    the design says must be refused. A key pointing at another table is reported
    as such, with SQL that replaces it. ``NOT VALID`` FKs count as present but are
    flagged: rows from before they were added were never checked. With Prisma's
    ``relationMode = "prisma"`` the database holds no FKs by design: every
    relation is named as enforced only by application code and audited for
    orphans (C1.orphans).

    Why it matters: references without a foreign key are enforced only by application
    code: orphans and cross-tenant references can appear silently; a key defined otherwise
    than designed deletes, detaches or keeps rows the design says it must not.

    How to fix: add the missing foreign keys and replace the ones that point elsewhere or
    are defined otherwise (remediation SQL: ``NOT VALID`` first, then ``VALIDATE``), or,
    where the design keeps a relation in application code on purpose, accept each finding
    with a reason and an expiry.
    """
    refs = ctx.references
    by_profile = bool(ctx.profile.foreign_keys)
    emulated = ctx.profile.relation_mode == "prisma"
    if by_profile:
        wanted = [r for r in refs if r.expected]
    else:
        wanted = [r for r in refs if r.declared or (r.implied and r.counts)]
    review = [] if by_profile else [r for r in refs if r.implied and not r.counts and not r.declared]
    if not wanted and not review:
        return Outcome(INFO, 0, 0, "no references declared, expected or implied")
    judged = [definitions.judge_reference(ctx, r, strict=by_profile) for r in wanted]
    suspected = [definitions.judge_reference(ctx, r, strict=False) for r in review]
    findings = [f for j in judged + suspected for f in j.findings]
    rows = [j.row for j in judged + suspected]
    listed = {r.key for r in wanted} | {r.key for r in review}
    wrong_keys = {(f["table"], f["column"], f.get("points_at")) for f in findings if f.get("problem") == "wrong target"}
    for r in refs:
        if r.key in listed or (qualified(r.schema, r.table), r.column_label, r.target) in wrong_keys:
            continue
        what = "declared, not in the profile" if r.declared else "implied by its column name, outside the profile"
        rows.append(row(r.label, INFO, what + " (audited for orphans and types)", table=qualified(r.schema, r.table),
                        column=r.column_label, references=r.target, critical=r.critical, constraint=r.constraint,
                        confidence=r.confidence, evidence=r.evidence))
    groups = definitions.foreign_key_summary(judged)
    present = sum(1 for r in wanted if r.declared)
    detail = f"{present} of {len(wanted)} {'expected' if by_profile else 'declared or implied'} references have a foreign key"
    tail = definitions.foreign_key_detail(groups)
    if tail:
        detail += "; " + tail
    missing_by_design = [r for r in wanted if r.expected and not r.declared]
    if emulated:
        detail += ('; relationMode = "prisma": the database holds no foreign keys by design, so '
                   f"{len(missing_by_design)} relations are enforced only by application code "
                   "(each one audited for orphans by C1.orphans)")
    extra = [r for r in refs if by_profile and r.implied and not r.expected and not r.declared]
    if extra:
        detail += f"; {len(extra)} more reference(s) implied by column names, outside the profile (audited for orphans and types)"
    if review:
        detail += f"; {len(review)} possible reference(s) for review (weak names the data could not confirm; not counted)"
    others = [j for j in judged if not (emulated and j.row.get("emulated"))]
    if emulated and definitions.worst(j.status for j in others) in (PASS, INFO):
        status = INFO
    elif groups["missing"] and not by_profile:
        status = WARN
    else:
        status = definitions.worst(j.status for j in judged)
    return Outcome(status, len(wanted), present, detail, findings, rows)


def critical_foreign_keys(ctx: Context) -> Outcome:
    """The foreign keys the profile marks critical exist, point at the designed target, are defined as
    designed and are validated (frozen references, tenant anchors).

    A critical key whose ``ON DELETE`` cascades or sets NULL would silently delete
    or detach the rows frozen to what it references: that is a NO-GO.

    Why it matters: these guard the frozen reference to a live version and the tenant
    anchors: without them work can point at a version that does not exist.

    How to fix: add, replace or validate the critical foreign keys first: they guard frozen
    references and tenant anchors.
    """
    critical = [r for r in ctx.references if r.critical]
    if not critical:
        return Outcome(SKIP, None, None, "the profile marks no foreign key critical")
    judged = [definitions.judge_reference(ctx, r, strict=True) for r in critical]
    findings = [f for j in judged for f in j.findings]
    groups = definitions.foreign_key_summary(judged)
    present = sum(1 for r in critical if r.declared)
    detail = f"{present} of {len(critical)} critical foreign keys present"
    missing = groups["missing"]
    if missing:
        detail += "; missing: " + ", ".join(f"{j.row['table']}.{j.row['column']}" for j in missing[:6]) + (" ..." if len(missing) > 6 else "")
    others = definitions.foreign_key_detail({**groups, "missing": []})
    if others:
        detail += "; " + others
    return Outcome(definitions.worst(j.status for j in judged), len(critical), present, detail, findings, [j.row for j in judged])


def check_constraints(ctx: Context) -> Outcome:
    """The expected CHECK constraints exist, compared by table and definition, and are validated.

    Definitions are compared as PostgreSQL parses them (``apms_ops.expressions``:
    ``BETWEEN`` and ``IN`` lists expanded, literals read by type, AND/OR terms in
    any order), so a profile states them as a migration author writes them. A
    CHECK that stands where an expected one should but says something else is
    reported with its first difference, not as missing.

    Why it matters: rows that break the rule can be written; the rule then holds only as
    long as application code keeps it.

    How to fix: add the missing CHECK constraint(s) and replace the ones that say something
    else (remediation SQL: ``NOT VALID`` first, then ``VALIDATE``).
    """
    profile, snap = ctx.profile, ctx.snapshot
    present = [c for c in snap.check_constraints]
    if not profile.checks:
        rows = [row(f"{qualified(c.schema, c.table)}: {c.name}", INFO, "no profile: nothing expected", table=qualified(c.schema, c.table),
                    definition=None, constraint=c.name, actual_definition=c.definition) for c in present]
        return Outcome(INFO, None, len(present), f"{len(present)} CHECK constraints (no profile: nothing expected)", rows=rows)
    rows, findings, matched = definitions.judge_check_constraints(ctx, lambda expected: _check_name(ctx, expected))
    missing = [f for f in findings if not f.get("problem")]
    differing = [f for f in findings if f.get("problem") == "definition differs"]
    not_valid = [f for f in findings if f.get("problem") == "NOT VALID"]
    unexpected = [r for r in rows if r["status"] == INFO]
    detail = f"{matched} of {len(profile.checks)} expected CHECK constraints present"
    if not_valid:
        detail += f"; {len(not_valid)} NOT VALID (not validated: rows from before were never checked): " + ", ".join(
            f["constraint"] for f in not_valid[:5])
    if differing:
        detail += "; differing: " + "; ".join(f"{f['table']}: {f['reason']}" for f in differing[:3]) + (" ..." if len(differing) > 3 else "")
    if missing:
        detail += "; missing: " + "; ".join(f"{f['table']}: {f['definition']}" for f in missing[:5]) + (" ..." if len(missing) > 5 else "")
    if unexpected:
        detail += f"; {len(unexpected)} not in the profile: " + ", ".join(r["constraint"] for r in unexpected[:5])
    status = FAIL if missing or differing else (WARN if findings else PASS)
    return Outcome(status, len(profile.checks), matched, detail, findings, rows)


def _check_name(ctx: Context, expected) -> str:
    """``<table>_<columns it mentions>_check``, e.g. ``config_versions_status_activated_at_check``."""
    table = ctx.profile_table(expected.table)
    mentioned = referenced_columns(expected.definition)
    columns = [c for c in (table.columns if table is not None else ()) if c in mentioned] or ["expr"]
    return remediation.constraint_name(expected.table, tuple(columns), "check")


def partial_unique_index(ctx: Context) -> Outcome:
    """The partial unique index exists, is unique and valid, with the designed columns, predicate and method.

    It is what keeps at most one ACTIVE configuration per workspace; without it
    two concurrent activations can both succeed. An index of the expected name
    that is not unique, INVALID (a failed concurrent build), on other columns or
    with another predicate is named for each difference, not called missing.

    Why it matters: nothing in the database stops a second live version in a tenant.

    How to fix: create or rebuild the partial unique index (remediation SQL,
    ``CONCURRENTLY``).
    """
    profile, snap = ctx.profile, ctx.snapshot
    if not profile.partial_unique_indexes:
        partial = [i for i in snap.indexes if i.unique and i.predicate]
        rows = [row(i.name, INFO, f"no profile: nothing expected ({i.definition})", table=qualified(i.schema, i.table), index=i.name,
                    columns=list(i.columns), predicate=i.predicate, actual_definition=i.definition) for i in partial]
        return Outcome(INFO, None, len(partial), f"{len(partial)} partial unique indexes (no profile: nothing expected)", rows=rows)
    judged = [definitions.judge_index(ctx, expected) for expected in profile.partial_unique_indexes]
    findings = [f for j in judged for f in j.findings]
    rows = [j.row for j in judged]
    named = {e.name for e in profile.partial_unique_indexes}
    rows += [row(i.name, INFO, "not in the profile", table=qualified(i.schema, i.table), index=i.name, columns=list(i.columns),
                 predicate=i.predicate, actual_definition=i.definition)
             for i in snap.indexes if i.unique and i.predicate and i.name not in named and i.schema == profile.schema]
    present = sum(1 for j in judged if j.status == PASS)
    detail = f"{present} of {len(profile.partial_unique_indexes)} partial unique indexes present and valid"
    if findings:
        detail += "; " + "; ".join(f"{f['index']}: {f['problem']}" for f in findings)
    return Outcome(FAIL if findings else PASS, len(profile.partial_unique_indexes), present, detail, findings, rows)


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
    rows = [row(r.label, SKIP, "not audited: the column or the referenced key is missing", table=qualified(r.schema, r.table),
                column=r.column_label, references=r.target, declared=r.declared, orphans=None)
            for r in ctx.references if not r.auditable]
    if not refs:
        return Outcome(INFO, 0, 0, "no references to audit", rows=rows)
    counts = ctx.reference_counts
    findings, errors, total = [], [], 0
    for ref in refs:
        c = counts.get(ref.key, {})
        ident = {"table": qualified(ref.schema, ref.table), "column": ref.column_label, "references": ref.target,
                 "declared": ref.declared, "orphans": None if c.get("error") else (c.get("orphans") or 0)}
        if c.get("error"):
            rows.append(row(ref.label, ERROR, f"could not be audited: {c['error']}", **ident))
        else:
            n = c.get("orphans") or 0
            rows.append(row(ref.label, FAIL if n else PASS, f"{n} row(s) point at nothing" if n else "no orphaned rows", **ident))
        if c.get("error"):
            errors.append(f"{ref.label}: {c['error']}")
            continue
        if c.get("orphans"):
            total += c["orphans"]
            finding = {
                "table": qualified(ref.schema, ref.table), "column": ref.column_label, "references": ref.target,
                "orphans": c["orphans"], "declared": ref.declared,
            }
            if not ref.counts:
                finding["confidence"] = ref.confidence  # a suspected reference: listed, never a NO-GO by itself
            findings.append(finding)
    detail = f"{total} orphaned rows across {len(refs)} references"
    if findings:
        worst = max(findings, key=lambda f: f["orphans"])
        detail += f"; most under {worst['table']}.{worst['column']} ({worst['orphans']})"
    if errors:
        detail += f"; {len(errors)} reference(s) could not be audited: " + "; ".join(errors[:3])
    status = FAIL if findings else (ERROR if errors else PASS)
    return Outcome(status, 0, total, detail, findings, rows)


def migrations(ctx: Context) -> Outcome:
    """The migration history shows the expected migration applied, and nothing failed or half-applied.

    Failed means what Prisma means: a row not finished and not marked rolled
    back. ``prisma migrate deploy`` refuses to run until it is resolved; a
    migration that failed, was rolled back and applied again is applied.

    Why it matters: the deployed schema may not be the one the migration describes.

    How to fix: resolve the migration history (failed or missing migrations).
    """
    profile = ctx.profile
    table = ctx.migrations_table
    rows = ctx.migration_history
    if rows is None:
        if profile.migrations_table:
            return Outcome(WARN, profile.expected_migration, None, f"no migration history table {table} in schema {profile.schema}",
                           [{"table": table, "problem": "no migration history table"}])
        return Outcome(SKIP, None, None, f"no {table} table (no profile names a migration history)")
    applied = [r for r in rows if r["state"] == "applied"]
    failed = [r for r in rows if r["state"] == "failed"]
    latest = applied[-1]["migration"] if applied else None
    findings = [{"migration": r["migration"], "state": "failed", "problem": "started but not finished (failed)"} for r in failed]
    if profile.expected_migration and profile.expected_migration not in {r["migration"] for r in applied}:
        findings.append({"migration": profile.expected_migration, "problem": "not applied"})
    detail = f"{len(applied)} applied, {len(failed)} failed, {sum(r['state'] == 'rolled back' for r in rows)} rolled back; latest applied: {latest or 'none'}"
    for label, listed in (("failed", failed), ("rolled back", [r for r in rows if r["state"] == "rolled back"])):
        if listed:
            detail += f"; {label}: " + ", ".join(dict.fromkeys(r["migration"] for r in listed))
    judged = [row(r["migration"], {"applied": PASS, "failed": FAIL}.get(r["state"], INFO),
                  {"applied": "applied", "failed": "started but not finished (failed)"}.get(r["state"], r["state"]),
                  migration=r["migration"], state=r["state"]) for r in rows]
    if profile.expected_migration and profile.expected_migration not in {r["migration"] for r in applied}:
        judged.append(row(profile.expected_migration, FAIL, "expected, not applied", migration=profile.expected_migration, state=None))
    return Outcome(FAIL if findings else PASS, profile.expected_migration, latest, detail, findings, judged)
