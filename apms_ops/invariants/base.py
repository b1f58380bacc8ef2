"""The one shape every invariant test has: named steps, an outcome, and the run record."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Callable

PASS, FAIL, NOT_ENFORCED, ERROR, SKIP = "PASS", "FAIL", "NOT_ENFORCED", "ERROR", "SKIP"
OUTCOMES = (PASS, FAIL, NOT_ENFORCED, ERROR, SKIP)

# Step kinds: a setup step prepares, a probe asks the database one question, the
# safety steps roll back and prove that nothing remains.
SETUP, PROBE, SAFETY = "setup", "probe", "safety"

# SQLSTATE classes that mean "the database refused the row": integrity constraint
# violations (23: CHECK, UNIQUE, FOREIGN KEY, NOT NULL, EXCLUDE), data exceptions
# (22: e.g. an enum or domain refusing a value) and an error raised by a trigger
# (P0001). Anything else (a timeout, a lock wait, a lost connection) is not an answer.
REJECTION_CLASSES = ("23", "22")
REJECTION_STATES = ("P0001",)


def is_rejection(sqlstate: str | None) -> bool:
    return bool(sqlstate) and (sqlstate[:2] in REJECTION_CLASSES or sqlstate in REJECTION_STATES)


@dataclass
class Step:
    """One step of a run: what was done, its outcome, how long it took, and the SQLSTATE of an error."""

    name: str
    outcome: str = PASS
    duration_ms: float = 0.0
    sqlstate: str | None = None
    detail: str = ""
    kind: str = SETUP

    def to_dict(self) -> dict:
        return {
            "name": self.name,
            "outcome": self.outcome,
            "sqlstate": self.sqlstate,
            "duration_ms": round(self.duration_ms, 2),
            "detail": self.detail,
            "kind": self.kind,
        }

    @classmethod
    def from_dict(cls, data: dict) -> "Step":
        return cls(
            name=data.get("name", ""), outcome=data.get("outcome", ERROR), duration_ms=float(data.get("duration_ms") or 0),
            sqlstate=data.get("sqlstate"), detail=data.get("detail") or "", kind=data.get("kind") or SETUP,
        )

    # Helpers the invariants call inside ``with probe.step(...) as s``.
    def fail(self, detail: str) -> None:
        self.outcome, self.detail = FAIL, detail

    def not_enforced(self, detail: str) -> None:
        self.outcome, self.detail = NOT_ENFORCED, detail


@dataclass
class InvariantRun:
    """The record of one invariant test run (what the history stores and the page shows)."""

    test: str
    title: str
    outcome: str
    detail: str
    environment: str
    database: str  # masked URL
    tag: str
    started_at: datetime
    duration_ms: float
    run_by: str = ""
    profile: str = ""
    steps: list[Step] = field(default_factory=list)
    record_id: int | None = None
    record_error: str | None = None
    identity: dict = field(default_factory=dict)  # the database tested: apms_ops.identity.DatabaseIdentity.to_dict()

    @property
    def ok(self) -> bool:
        """True when the outcome lets a gate pass (PASS, NOT_ENFORCED, SKIP)."""
        return self.outcome in (PASS, NOT_ENFORCED, SKIP)

    def to_record(self) -> dict:
        """The row for ``HistoryStore.save_invariant_run``."""
        return {
            "tag": self.tag,
            "environment": self.environment,
            "database": self.database,
            "database_key": self.identity.get("key"),
            "test": self.test,
            "outcome": self.outcome,
            "detail": self.detail,
            "started_at": self.started_at,
            "duration_ms": round(self.duration_ms, 2),
            "run_by": self.run_by,
            "steps": [s.to_dict() for s in self.steps],
        }

    def to_dict(self) -> dict:
        return {
            **self.to_record(),
            "title": self.title,
            "profile": self.profile,
            "started_at": self.started_at.isoformat(timespec="seconds"),
            "record_id": self.record_id,
            "database_identity": self.identity,
            **({"record_error": self.record_error} if self.record_error else {}),
        }


@dataclass(frozen=True)
class Invariant:
    """One registered invariant test: a stable name, a title, what it needs, and the function that runs it.

    ``run(probe)`` does its work through ``probe`` (steps, savepoints, tagged rows);
    ``needs(profile, snapshot)`` says why it cannot run on a database, or None.
    """

    name: str
    title: str
    run: Callable
    needs: Callable

    @property
    def doc(self) -> str:
        return (self.run.__doc__ or "").strip()

    @property
    def summary(self) -> str:
        """The docstring's first paragraph, on one line."""
        return " ".join(self.doc.split("\n\n")[0].split()) if self.doc else self.title


class Skip(Exception):
    """The test cannot ask its question on this database (the reason is the message)."""


class Abort(Exception):
    """A step failed in a way that ends the test (its step is already recorded as ERROR)."""


def combine(steps: list[Step], skip_reason: str | None = None, summaries: dict[str, str] | None = None) -> tuple[str, str]:
    """The run's outcome and one-line detail from its steps.

    ERROR anywhere wins (a test that could not finish, or an after-check that
    found a leftover, proves nothing); then FAIL, then NOT_ENFORCED; a run whose
    probes were all skipped is SKIP.
    """
    errors = [s for s in steps if s.outcome == ERROR]
    leftovers = [s for s in steps if s.kind == SAFETY and s.outcome == FAIL]
    if leftovers:
        return ERROR, f"{leftovers[0].name}: {leftovers[0].detail}"
    if errors:
        first = errors[0]
        state = f" [SQLSTATE {first.sqlstate}]" if first.sqlstate else ""
        return ERROR, f"{first.name}: {first.detail}{state}"
    probes = [s for s in steps if s.kind == PROBE]
    if skip_reason and not any(s.outcome in (PASS, FAIL, NOT_ENFORCED) for s in probes):
        return SKIP, skip_reason
    summaries = summaries or {}
    failed = [s for s in probes if s.outcome == FAIL]
    if failed:
        return FAIL, summaries.get(FAIL) or "; ".join(f"{s.name}: {s.detail}" for s in failed)
    loose = [s for s in probes if s.outcome == NOT_ENFORCED]
    if loose:
        what = "; ".join(s.detail.removeprefix("accepted: ") for s in loose)
        return NOT_ENFORCED, summaries.get(NOT_ENFORCED) or f"not enforced by the database (only application code protects it): {what}"
    answered = [s for s in probes if s.outcome == PASS]
    if not answered:
        return SKIP, skip_reason or "nothing to test on this database"
    if summaries.get(PASS):
        return PASS, summaries[PASS]
    skipped = [s for s in probes if s.outcome == SKIP]
    detail = f"{len(answered)} of {len(answered)} probes held"
    if skipped:
        detail += f" ({len(skipped)} skipped: {'; '.join(s.detail for s in skipped)})"
    return PASS, detail
