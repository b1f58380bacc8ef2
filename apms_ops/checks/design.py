"""C1 design coverage: was the database compared with a design at all, and does every
column that reads as a reference point at a key? A review that verified nothing
must not read as an all-clear."""

from __future__ import annotations

from apms_ops.catalog import qualified
from apms_ops.checks.base import FAIL, INFO, PASS, WARN, Context, Outcome


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
    """
    snap, profile = ctx.snapshot, ctx.profile
    if not snap.tables:
        return Outcome(FAIL, None, 0, "nothing to verify: the database has no tables (the wrong database, or the migration never ran?)",
                       [{"problem": "nothing to verify", "database": snap.server.get("database")}])
    expected = [t for t in (*profile.tables, *profile.existing_tables)]
    if expected:
        present = [t for t in expected if ctx.profile_table(t) is not None]
        if not present:
            return Outcome(FAIL, len(expected), 0,
                           f"nothing to verify: none of the {len(expected)} tables the design expects exist "
                           f"(design: {describe_design(ctx)}; schema {profile.schema})",
                           [{"problem": "nothing to verify", "schema": profile.schema}])
        # Some tables missing is C1.tables' finding; here it only matters that something was compared.
        return Outcome(PASS if len(present) == len(expected) else INFO, len(expected), len(present),
                       f"compared with the design: {describe_design(ctx)}; {len(present)} of {len(expected)} of its tables present")
    refs = ctx.references
    return Outcome(INFO, None, len(snap.tables),
                   f"no design: discovery only, on {len(snap.tables)} tables ({sum(r.declared for r in refs)} declared "
                   f"and {sum(r.implied and not r.declared for r in refs)} implied references); give a profile or "
                   "--prisma-schema to compare with what the application means")


def reference_columns(ctx: Context) -> Outcome:
    """Every column that reads as a reference (``*_id``, ``*Id``, ``*_by``) points at a key.

    With no design, such a column that resolves to no table is unverified: it may
    be an id from another system (``stripeCustomerId``), or a reference whose
    table discovery cannot name. A polymorphic pair (``x_id`` beside ``x_type``)
    is explained, not unresolved. A name that matches tables in several other
    schemas is reported as ambiguous, never guessed. With a design (profile
    foreign keys, a Prisma schema) the design decides, and this check only counts.
    """
    found = ctx.discovery
    unresolved = [u for u in found.unresolved if not u.polymorphic]
    polymorphic = [u for u in found.unresolved if u.polymorphic]
    ambiguous = [u for u in unresolved if u.candidates]
    tail = f"; {len(polymorphic)} polymorphic (x_id beside x_type)" if polymorphic else ""
    if ctx.profile.foreign_keys or ctx.profile.prisma_schema:
        detail = f"the design names the references; {len(unresolved)} other reference-like column(s) resolve to no key{tail}"
        return Outcome(PASS, None, None, detail)
    if not unresolved:
        return Outcome(PASS, 0, 0, f"every reference-like column resolves to a key{tail}")
    findings = [{"table": qualified(u.schema, u.table), "column": u.column, "problem": u.reason,
                 **({"candidates": list(u.candidates)} if u.candidates else {})} for u in unresolved]
    shown = ", ".join(u.label for u in unresolved[:6]) + (" ..." if len(unresolved) > 6 else "")
    detail = (f"{len(unresolved)} reference-like column(s) resolve to no key and no design says what they are: {shown}"
              + (f"; {len(ambiguous)} ambiguous across schemas" if ambiguous else "") + tail)
    return Outcome(WARN, 0, len(unresolved), detail, findings)
