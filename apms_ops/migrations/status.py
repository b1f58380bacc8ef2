"""The migrations folder against ``_prisma_migrations``: what is applied, pending, failed,
rolled back, edited after it was applied (checksum drift) or missing from the folder.

A migration may have several rows: one that failed, was marked rolled back
(``prisma migrate resolve --rolled-back``) and was applied again has two. The
rules are Prisma's own (``migrate deploy`` and ``migrate status``):

- a row with ``rolled_back_at`` set is history: it counts for nothing else;
- failed = a row with ``finished_at`` NULL and ``rolled_back_at`` NULL (failed, or
  still running): ``migrate deploy`` refuses to run until it is resolved;
- applied = a row with ``finished_at`` set and ``rolled_back_at`` NULL;
- pending = in the folder without a row that is not rolled back: ``migrate
  deploy`` would apply it (also when it was rolled back before);
- missing locally = applied or failed in the database, not in the folder;
- checksum drift = applied, in the folder, and the file no longer matches the
  recorded checksum.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from apms_ops.migrations.folder import MigrationsFolder

APPLIED, PENDING, FAILED, ROLLED_BACK = "applied", "pending", "failed", "rolled back"
DRIFT, MISSING_LOCALLY = "checksum drift", "missing locally"


@dataclass
class MigrationStatus:
    """One migration name, from the folder, the history table or both."""

    name: str
    in_folder: bool | None  # None: no folder was given, only the database side is known
    rows: list[dict] = field(default_factory=list)  # its history rows, oldest first
    file_checksum: str | None = None
    drift: bool = False
    out_of_order: bool = False  # pending, yet older than a migration already applied

    @property
    def live_rows(self) -> list[dict]:
        return [r for r in self.rows if r.get("rolled_back_at") is None]

    @property
    def applied(self) -> bool:
        return any(r.get("finished_at") is not None for r in self.live_rows)

    @property
    def failed(self) -> bool:
        return any(r.get("finished_at") is None for r in self.live_rows)

    @property
    def rolled_back(self) -> int:
        """How many attempts were marked rolled back."""
        return sum(1 for r in self.rows if r.get("rolled_back_at") is not None)

    @property
    def pending(self) -> bool:
        return self.in_folder is True and not self.live_rows

    @property
    def missing_locally(self) -> bool:
        return self.in_folder is False and bool(self.live_rows)

    @property
    def recorded_checksum(self) -> str | None:
        applied = [r for r in self.live_rows if r.get("finished_at") is not None]
        return applied[-1].get("checksum") if applied else None

    @property
    def state(self) -> str:
        """The one word a table shows: failed, applied, pending or rolled back."""
        if self.failed:
            return FAILED
        if self.applied:
            return APPLIED
        if self.pending:
            return PENDING
        return ROLLED_BACK

    @property
    def problems(self) -> list[str]:
        """What a release manager must act on: pending, failed, checksum drift, missing locally."""
        out = []
        if self.pending:
            out.append(PENDING)
        if self.failed:
            out.append(FAILED)
        if self.drift:
            out.append(DRIFT)
        if self.missing_locally:
            out.append(MISSING_LOCALLY)
        return out

    @property
    def note(self) -> str:
        parts = []
        if self.pending and self.rolled_back:
            parts.append(f"rolled back {self.rolled_back}x; migrate deploy applies it again")
        elif self.rolled_back:
            parts.append(f"{self.rolled_back} earlier attempt(s) rolled back")
        if self.out_of_order:
            parts.append("older than migrations already applied (out of order)")
        if self.drift:
            parts.append(f"file sha256 {self.file_checksum[:12]}..., recorded {str(self.recorded_checksum or '(empty)')[:12]}...")
        if self.in_folder is False:
            parts.append("not in the migrations folder")
        return "; ".join(parts)

    def to_dict(self) -> dict:
        return {
            "migration": self.name,
            "state": self.state,
            "problems": self.problems,
            "in_folder": self.in_folder,
            "applied": self.applied,
            "pending": self.pending,
            "failed": self.failed,
            "rolled_back": self.rolled_back,
            "checksum_drift": self.drift,
            "missing_locally": self.missing_locally,
            "out_of_order": self.out_of_order,
            "file_checksum": self.file_checksum,
            "recorded_checksum": self.recorded_checksum,
            "attempts": [{k: r.get(k) for k in ("started_at", "finished_at", "rolled_back_at", "applied_steps", "duration_ms", "state", "logs")}
                         for r in self.rows],
            "note": self.note,
        }


def migration_status(folder: MigrationsFolder | None, rows: list[dict]) -> list[MigrationStatus]:
    """Every migration name of the folder and of the history rows, in name order (Prisma's order).

    ``rows`` are history rows with ``migration``, ``checksum``, ``started_at``,
    ``finished_at``, ``rolled_back_at`` (``audits.migrations`` reads them).
    Without a folder, only the database side is known: nothing is pending,
    drifted or missing locally.
    """
    by_name: dict[str, MigrationStatus] = {}
    if folder is not None:
        for m in folder.migrations:
            by_name[m.name] = MigrationStatus(m.name, in_folder=True, file_checksum=m.checksum)
    for row in sorted(rows, key=lambda r: (str(r.get("started_at") or ""), r["migration"])):
        status = by_name.get(row["migration"])
        if status is None:
            status = by_name[row["migration"]] = MigrationStatus(row["migration"], in_folder=None if folder is None else False)
        status.rows.append(row)
    ordered = [by_name[name] for name in sorted(by_name)]
    if folder is not None:
        for status in ordered:
            if status.in_folder and status.applied:
                status.drift = not folder.get(status.name).matches(status.recorded_checksum)
        last_applied = max((s.name for s in ordered if s.applied), default=None)
        for status in ordered:
            status.out_of_order = status.pending and last_applied is not None and status.name < last_applied
    return ordered


_LISTED = ((APPLIED, lambda s: s.applied), (PENDING, lambda s: s.pending), (FAILED, lambda s: s.failed),
           (ROLLED_BACK, lambda s: s.rolled_back > 0), (DRIFT, lambda s: s.drift), (MISSING_LOCALLY, lambda s: s.missing_locally))


def summary(statuses: list[MigrationStatus]) -> dict[str, list[str]]:
    """Names per state and per problem, as ``migrate status`` would list them."""
    return {state: [s.name for s in statuses if test(s)] for state, test in _LISTED}


def read_history(conn, schema: str = "public", table: str = "_prisma_migrations") -> list[dict] | None:
    """The history table's rows, oldest first, or None when the table does not exist."""
    import sqlalchemy as sa

    from apms_ops import audits
    from apms_ops.sqlfiles import quote

    exists = conn.execute(sa.text("SELECT to_regclass(:name) IS NOT NULL"), {"name": quote(schema, table)}).scalar()
    return audits.migrations(conn, schema, table) if exists else None


def load_status(env, folder: MigrationsFolder | None, *, schema: str = "public",
                table: str = "_prisma_migrations") -> tuple[list[MigrationStatus], bool]:
    """``(statuses, has_history_table)`` of ``env`` against ``folder``, read in one read-only transaction."""
    from apms_ops.connections import read_only_session

    with read_only_session(env) as conn:
        rows = read_history(conn, schema, table)
    return migration_status(folder, rows or []), rows is not None
