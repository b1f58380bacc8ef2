"""The one shape every check has, and the context checks read from."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Callable

from sqlalchemy.engine import Connection

from apms_ops.catalog import Snapshot
from apms_ops.discovery import Discovery, Reference, discover
from apms_ops.profiles import Profile

PASS, WARN, FAIL, INFO, ERROR, SKIP = "PASS", "WARN", "FAIL", "INFO", "ERROR", "SKIP"
STATUSES = (PASS, WARN, FAIL, INFO, ERROR, SKIP)

# What a FAIL of a check means for the deploy; the verdict rules read this.
BLOCKER, MAJOR, MINOR = "blocker", "major", "minor"
SEVERITIES = (BLOCKER, MAJOR, MINOR)

# Finding keys that measure rather than identify: a finding keeps its fingerprint
# when its orphan count goes from 3 to 5.
MEASURE_KEYS = frozenset({"orphans", "rows", "count", "active", "sample", "sql", "estimated_rows", "accepted", "acceptance"})
# Finding keys that explain rather than identify: their wording may improve without
# turning a known finding into a new one.
DESCRIPTIVE_KEYS = frozenset({"reason", "difference", "expected_definition", "actual_definition",
                              # how sure discovery is may change as the data grows; the finding stays the same one
                              "confidence", "evidence"})


def finding_identity(finding: dict) -> str:
    """What a finding is about, whichever check reports it (a missing critical key is one finding, not two)."""
    identity = {k: v for k, v in finding.items()
                if k not in MEASURE_KEYS and k not in DESCRIPTIVE_KEYS and k not in ("fingerprint", "accepted", "acceptance")}
    return json.dumps(identity, sort_keys=True, default=str)


def fingerprint(check_id: str, finding: dict) -> str:
    """A stable id for one finding of one check: the check id and the identifying keys."""
    identity = {k: v for k, v in finding.items() if k not in MEASURE_KEYS and k not in DESCRIPTIVE_KEYS and k != "fingerprint"}
    raw = json.dumps([check_id, identity], sort_keys=True, default=str)
    return hashlib.sha256(raw.encode()).hexdigest()[:16]


@dataclass
class Outcome:
    """What a check function returns; the runner adds id, title, group and severity.

    ``rows``: every object the check judged (a table, a reference, a CHECK, an
    index, a workspace...), each a dict with at least ``object`` (what it is, in
    words), ``status`` and ``reason``, plus the keys that identify it. Pages,
    reports and CSV downloads show these rows; nothing decides their status again.
    """

    status: str
    target: Any = None
    actual: Any = None
    detail: str = ""
    findings: list[dict] = field(default_factory=list)
    rows: list[dict] = field(default_factory=list)


@dataclass
class CheckResult:
    id: str
    group: str
    title: str
    severity: str
    status: str
    target: Any = None
    actual: Any = None
    detail: str = ""
    findings: list[dict] = field(default_factory=list)
    duration_ms: float = 0.0
    rows: list[dict] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {
            "id": self.id,
            "group": self.group,
            "title": self.title,
            "severity": self.severity,
            "status": self.status,
            "target": self.target,
            "actual": self.actual,
            "detail": self.detail,
            "findings": self.findings,
            "duration_ms": round(self.duration_ms, 1),
            "rows": self.rows,
        }

    @classmethod
    def from_dict(cls, data: dict) -> "CheckResult":
        return cls(**{k: data.get(k) for k in ("id", "group", "title", "severity", "status", "target", "actual", "detail")},
                   findings=list(data.get("findings") or []), duration_ms=float(data.get("duration_ms") or 0),
                   rows=list(data.get("rows") or []))

    def rows_with(self, status: str) -> list[dict]:
        return [r for r in self.rows if r.get("status") == status]

    @property
    def open_findings(self) -> list[dict]:
        """Findings nobody has accepted (accepted ones stay visible but do not count)."""
        return [f for f in self.findings if not f.get("accepted")]


def row(obj: str, status: str, reason: str, **identity) -> dict:
    """One judged object: what it is, its status and why, and the keys that identify it."""
    return {"object": obj, **identity, "status": status, "reason": reason}


@dataclass(frozen=True)
class Check:
    """One registered check: a stable id, a title, a severity and the function that runs it."""

    id: str
    title: str
    severity: str
    run: Callable[["Context"], Outcome]
    needs_data: bool = False  # reads table contents, not just the catalog

    @property
    def group(self) -> str:
        return self.id.split(".", 1)[0]

    @property
    def doc(self) -> str:
        return (self.run.__doc__ or "").strip()

    @property
    def summary(self) -> str:
        return self.doc.splitlines()[0] if self.doc else self.title


class Context:
    """What checks read: the snapshot, the profile, the references and, for data
    audits, a read-only connection. Audit results are computed once and shared
    (C1.orphans and C5.isolation read the same scan)."""

    def __init__(self, snapshot: Snapshot, profile: Profile, conn: Connection | None = None, health_url: str | None = None):
        self.snapshot = snapshot
        self.profile = profile
        self.conn = conn
        self.health_url = health_url

    @cached_property
    def discovery(self) -> Discovery:
        """References (declared, expected, implied; probed against the data when there is a connection)
        and the reference-like columns that resolve to no key."""
        return discover(self.snapshot, self.profile, self.conn)

    @property
    def references(self) -> list[Reference]:
        return self.discovery.references

    def profile_table(self, name: str):
        """The snapshot's table ``name`` in the profile's schema, or None."""
        return self.snapshot.table(self.profile.schema, name)

    @cached_property
    def reference_counts(self) -> dict:
        from apms_ops import audits

        column = self.profile.workspaces.column if self.profile.workspaces else None
        return audits.reference_counts(self._conn(), self.references, workspace_column=column, snapshot=self.snapshot)

    def _conn(self) -> Connection:
        if self.conn is None:
            raise RuntimeError("this check reads data and needs a database connection")
        return self.conn
