"""C1 design coverage: was the database compared with a design at all, and does every
column that reads as a reference point at a key? A review that verified nothing
must not read as an all-clear."""

from __future__ import annotations

from apms_ops.catalog import qualified
from apms_ops.checks.base import FAIL, INFO, PASS, WARN, Context, Outcome, row


def describe_design(ctx: Context) -> str:
    """The design this review compared the database with, in words."""
    p = ctx.profile
    parts = []
    if not p.is_empty and p.name != "prisma":
        parts.append(f"profile {p.name} ({len(p.tables)} tables, {len(p.foreign_keys)} references)")
    if p.prisma_schema:
        text = f"Prisma schema {p.prisma_schema}"
        if p.relation_mode == "prisma":
            text += ' (relationMode = "prisma": no foreign keys in the database by design)'
        parts.append(text)
    return " + ".join(parts) or "none"


def design(ctx: Context) -> Outcome:
    """The database was compared with a design, and there was something to compare.

    Anti-pattern: a review that says GO on an empty database (a typo in the
    database name) or on one holding none of the tables the design expects:
    nothing was verified. Best practice: point the review at the right database
    and give it the design (a profile, or the application's Prisma schema);
    without one, only what names imply can be checked.

    Why it matters: nothing was compared: a GO here would be an all-clear on a database
    nobody checked.

    How to fix: point the review at the right database, and give it the design: a
    profile, or the application's Prisma schema (``--prisma-schema``).
    """
    snap, profile = ctx.snapshot, ctx.profile
    database = snap.server.get("database") or "the database"
    if not snap.tables:
        reason = "nothing to verify: the database has no tables (the wrong database, or the migration never ran?)"
        return Outcome(FAIL, None, 0, reason, [{"problem": "nothing to verify", "database": snap.server.get("database")}],
                       [row(database, FAIL, reason, design=describe_design(ctx))])
    expected = [t for t in (*profile.tables, *profile.existing_tables)]
    if expected:
        present = [t for t in expected if ctx.profile_table(t) is not None]
        if not present:
            reason = (f"nothing to verify: none of the {len(expected)} tables the design expects exist "
                      f"(design: {describe_design(ctx)}; schema {profile.schema})")
            return Outcome(FAIL, len(expected), 0, reason, [{"problem": "nothing to verify", "schema": profile.schema}],
                           [row(describe_design(ctx), FAIL, reason, design=describe_design(ctx))])
        # Some tables missing is C1.tables' finding; here it only matters that something was compared.
        status = PASS if len(present) == len(expected) else INFO
        reason = f"compared with the design: {describe_design(ctx)}; {len(present)} of {len(expected)} of its tables present"
        return Outcome(status, len(expected), len(present), reason, rows=[row(describe_design(ctx), status, reason, design=describe_design(ctx))])
    refs = ctx.references
    reason = (f"no design: discovery only, on {len(snap.tables)} tables ({sum(r.declared for r in refs)} declared "
              f"and {sum(r.implied and not r.declared for r in refs)} implied references); give a profile or "
              "--prisma-schema to compare with what the application means")
    return Outcome(INFO, None, len(snap.tables), reason, rows=[row(database, INFO, reason, design="none")])


def reference_columns(ctx: Context) -> Outcome:
    """Every column that reads as a reference (``*_id``, ``*Id``, ``*_by``) points at a key.

    With no design, such a column that resolves to no table is unverified: it may
    be an id from another system (``stripeCustomerId``), or a reference whose
    table discovery cannot name. A polymorphic pair (``x_id`` beside ``x_type``)
    is explained, not unresolved. A name that matches tables in several other
    schemas is reported as ambiguous, never guessed. With a design (profile
    foreign keys, a Prisma schema) the design decides, and this check only counts.

    Why it matters: columns that read as references point at no known key: either
    references the review cannot check, or ids from another system; with no design,
    nothing says which.

    How to fix: say what each listed column is: give the design (a profile or
    ``--prisma-schema``), add the foreign key where it is a reference, or accept the
    finding where it holds another system's id.
    """
    found = ctx.discovery
    unresolved = [u for u in found.unresolved if not u.polymorphic]
    polymorphic = [u for u in found.unresolved if u.polymorphic]
    ambiguous = [u for u in unresolved if u.candidates]
    tail = f"; {len(polymorphic)} polymorphic (x_id beside x_type)" if polymorphic else ""
    by_design = bool(ctx.profile.foreign_keys or ctx.profile.prisma_schema)

    def judged(u, status):
        return row(u.label, status, u.reason if by_design or u.polymorphic else f"{u.reason}; with no design, nothing says what it is",
                   table=qualified(u.schema, u.table), column=u.column)

    rows = [judged(u, INFO) for u in polymorphic]
    if by_design:
        rows += [judged(u, INFO) for u in unresolved]
        detail = f"the design names the references; {len(unresolved)} other reference-like column(s) resolve to no key{tail}"
        return Outcome(PASS, None, None, detail, rows=rows or [row("reference-like columns", PASS, detail)])
    if not unresolved:
        detail = f"every reference-like column resolves to a key{tail}"
        return Outcome(PASS, 0, 0, detail, rows=rows or [row("reference-like columns", PASS, detail)])
    rows += [judged(u, WARN) for u in unresolved]
    findings = [{"table": qualified(u.schema, u.table), "column": u.column, "problem": u.reason,
                 **({"candidates": list(u.candidates)} if u.candidates else {})} for u in unresolved]
    shown = ", ".join(u.label for u in unresolved[:6]) + (" ..." if len(unresolved) > 6 else "")
    detail = (f"{len(unresolved)} reference-like column(s) resolve to no key and no design says what they are: {shown}"
              + (f"; {len(ambiguous)} ambiguous across schemas" if ambiguous else "") + tail)
    return Outcome(WARN, 0, len(unresolved), detail, findings, rows)
