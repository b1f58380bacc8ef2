"""C1.migrations_folder: the app's migrations folder against the migration history."""

from __future__ import annotations

from apms_ops.checks.base import FAIL, INFO, PASS, SKIP, Context, Outcome, row
from apms_ops.migrations.status import DRIFT, FAILED, MISSING_LOCALLY, PENDING, ROLLED_BACK, migration_status, summary


def _finding(status, problem: str) -> dict:
    finding = {"migration": status.name, "state": problem}
    if problem == PENDING:
        finding["rolled_back"] = status.rolled_back
        finding["out_of_order"] = status.out_of_order
    elif problem == DRIFT:
        finding["file_checksum"] = status.file_checksum
        finding["recorded_checksum"] = status.recorded_checksum
    return finding


def migrations_folder(ctx: Context) -> Outcome:
    """The migrations folder and the history agree: nothing pending, edited after it was applied, or missing from the folder.

    Compares the app's ``prisma/migrations`` (``--migrations-dir`` or the
    profile's ``migrations.dir``) with ``_prisma_migrations`` as ``prisma migrate
    status`` does: pending = in the folder and not applied (also when an earlier
    attempt was rolled back: ``migrate deploy`` applies it again); checksum
    drift = the file's SHA-256 differs from the recorded checksum (line endings
    aside, as Prisma allows); missing locally = applied in the database but not
    in the folder. Failed migrations are C1.migrations' finding, folder or not.

    Why it matters: the database is not at the state the repository describes: what ran differs from what is
    reviewed, and an edited migration means environments that ran the old text and the new one differ silently.

    How to fix: deploy the pending migrations (lint them first: ``lint-migration``), restore edited migration
    files to the text that ran, and add to the folder the migrations the database has and the folder lacks.
    """
    folder = ctx.migrations_folder
    if folder is None:
        why = "no migrations folder given (--migrations-dir, or migrations.dir in the profile)"
        return Outcome(SKIP, None, None, why, rows=[row("migrations folder", SKIP, why, migration=None, state=None)])
    rows = ctx.migration_history
    statuses = migration_status(folder, rows or [])
    findings = [_finding(s, p) for s in statuses for p in s.problems if p != FAILED]
    names = summary(statuses)
    applied = sum(1 for s in statuses if s.in_folder and s.applied)
    detail = f"{applied} of {len(folder.migrations)} migrations in {folder.path.name}/ applied"
    if rows is None:
        detail += f" (no {ctx.migrations_table} table in schema {ctx.profile.schema})"
    for label, key in (("pending", PENDING), ("checksum drift", DRIFT), ("missing locally", MISSING_LOCALLY), ("failed", FAILED),
                       ("rolled back before", ROLLED_BACK)):
        if names[key]:
            detail += f"; {label}: " + ", ".join(names[key])
    judged = [row(s.name, FAIL if [p for p in s.problems if p != FAILED] else PASS if s.applied else INFO,
                  ", ".join(s.problems + ([s.note] if s.note else [])) or s.state, migration=s.name, state=s.state)
              for s in statuses]
    return Outcome(FAIL if findings else PASS, len(folder.migrations), applied, detail, findings, judged)
