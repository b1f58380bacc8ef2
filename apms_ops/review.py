"""A review: one read-only pass over a database that gives every check's result and the verdict.

The CLI, the dashboard and scheduled audits all call ``run_review``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from sqlalchemy import event

from apms_ops import facts as facts_module
from apms_ops.catalog import read_snapshot
from apms_ops.checks import REGISTRY, CheckResult, Context, run_checks, select_checks
from apms_ops.connections import Environment, read_only_session
from apms_ops.errors import OpsError
from apms_ops.identity import read_identity
from apms_ops.profiles import NO_PROFILE, Profile, builtin_profiles, load_profile
from apms_ops.verdict import Reason, decide

JSON_FORMAT_VERSION = 1


@dataclass
class Review:
    verdict: str
    reasons: list[Reason]
    environment: str
    database: str  # masked URL
    profile: str
    started_at: str
    duration_ms: float
    checks: list[CheckResult]
    server: dict = field(default_factory=dict)
    statements: int = 0
    facts: dict | None = None
    identity: dict = field(default_factory=dict)  # the reviewed database: apms_ops.identity.DatabaseIdentity.to_dict()
    ignored_acceptances: list[dict] = field(default_factory=list)  # acceptances that did not apply, and why

    @property
    def database_key(self) -> str | None:
        return self.identity.get("key") or None
    not_run: list[str] = field(default_factory=list)   # registered checks a run limited by --only left out
    design: dict = field(default_factory=dict)         # what the database was compared with

    def check(self, check_id: str) -> CheckResult:
        return next(c for c in self.checks if c.id == check_id)

    @property
    def partial(self) -> bool:
        """A run limited to some checks: its verdict covers only what ran."""
        return bool(self.not_run)

    @property
    def partial_label(self) -> str:
        """``partial review: 2 of 17 checks`` (empty for a full review)."""
        if not self.partial:
            return ""
        total = len(self.checks) + len(self.not_run)
        return f"partial review: {len(self.checks)} of {total} checks"

    def to_dict(self, include_facts: bool = False) -> dict:
        out = {
            "format": JSON_FORMAT_VERSION,
            "verdict": self.verdict,
            "reasons": [r.to_dict() for r in self.reasons],
            "environment": self.environment,
            "database": self.database,
            "database_identity": self.identity,
            "profile": self.profile,
            "server": self.server,
            "started_at": self.started_at,
            "duration_ms": round(self.duration_ms, 1),
            "statements": self.statements,
            "partial": self.partial,
            "not_run": list(self.not_run),
            "design": self.design,
            "checks": [c.to_dict() for c in self.checks],
        }
        if self.ignored_acceptances:
            out["ignored_acceptances"] = self.ignored_acceptances
        if include_facts and self.facts is not None:
            out["facts"] = self.facts
        return out

    @classmethod
    def from_dict(cls, data: dict) -> "Review":
        return cls(
            verdict=data["verdict"],
            reasons=[Reason(r["rule"], r["verdict"], r["text"], tuple(r.get("checks", ()))) for r in data.get("reasons", [])],
            environment=data.get("environment", ""),
            database=data.get("database", ""),
            profile=data.get("profile", ""),
            started_at=data.get("started_at", ""),
            duration_ms=float(data.get("duration_ms") or 0),
            checks=[CheckResult.from_dict(c) for c in data.get("checks", [])],
            server=data.get("server", {}),
            statements=int(data.get("statements") or 0),
            facts=data.get("facts"),
            identity=data.get("database_identity") or {},
            ignored_acceptances=list(data.get("ignored_acceptances") or []),
            not_run=list(data.get("not_run") or []),
            design=dict(data.get("design") or {}),
        )


def choose_profile(requested: str | Profile | None, snapshot, schema: str | None = None) -> Profile:
    """The profile to use. ``auto`` (the default) picks a built-in profile whose tables
    exist in the database, else discovery only: a database that is not APMS is
    reviewed on what it has, not failed for lacking APMS tables."""
    if isinstance(requested, Profile):
        return requested.with_schema(schema)
    if requested not in (None, "", "auto"):
        return load_profile(requested).with_schema(schema)
    for name in builtin_profiles():
        profile = load_profile(name).with_schema(schema)
        if any(snapshot.table(profile.schema, t) is not None for t in profile.tables):
            return profile
    return NO_PROFILE.with_schema(schema) if schema else NO_PROFILE


def apply_acceptances(results: list[CheckResult], acceptances: dict[str, dict] | None, now: datetime | None = None, *,
                      database_key: str | None = None, policy=None) -> list[dict]:
    """Mark findings whose fingerprint has an acceptance valid for this review (``{fingerprint: {...}}``).

    Valid: unexpired, for this finding's check, not bound to another database
    (``database_key``), within the acceptance policy's longest expiry counted from
    when it was made, and not of a critical finding unless the policy allows them;
    an acceptance made anonymously on the demo for every environment never counts.
    Returns the acceptances left out, each with why.
    """
    if not acceptances:
        return []
    from apms_ops.operators import DEMO_USER, AcceptancePolicy, acceptance_policy, is_critical

    if policy is None:
        try:
            policy = acceptance_policy()
        except OpsError:
            policy = AcceptancePolicy()  # an unreadable policy is the strictest one, not none
    now = now or datetime.now(timezone.utc)
    ignored = []
    for result in results:
        for finding in result.findings:
            acc = acceptances.get(finding.get("fingerprint"))
            if not acc:
                continue
            why = _invalid(acc, result.id, finding, now, database_key, policy, DEMO_USER, is_critical)
            if why:
                ignored.append({"id": acc.get("id"), "check_id": result.id, "fingerprint": finding.get("fingerprint"), "why": why})
                continue
            finding["accepted"] = True
            finding["acceptance"] = {k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in acc.items() if k != "fingerprint"}
    return ignored


def _moment(value) -> datetime | None:
    if not value:
        return None
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment


def _invalid(acc: dict, check_id: str, finding: dict, now: datetime, database_key: str | None, policy, demo_user: str,
             is_critical) -> str | None:
    expires, accepted_at = _moment(acc.get("expires_at")), _moment(acc.get("accepted_at"))
    if expires is not None and expires <= now:
        return "expired"
    if acc.get("check_id") and acc["check_id"] != check_id:
        return f"made for {acc['check_id']}, not {check_id}"
    if acc.get("database_key") and database_key and acc["database_key"] != database_key:
        return "made for another database of this environment"
    if acc.get("database_key") and not database_key:
        return "made for one database, and this review's database is not identified"
    if accepted_at is not None and now - accepted_at > timedelta(days=policy.max_days):
        return f"older than the acceptance policy's {policy.max_days} days"
    if not policy.accept_critical and is_critical(check_id, finding):
        return "a critical finding, and the acceptance policy does not accept critical findings"
    if acc.get("environment") is None and acc.get("accepted_by") == demo_user:
        return "made anonymously on the embedded demo for every environment"
    return None


def with_acceptances(review: "Review", acceptances: dict[str, dict] | None) -> "Review":
    """A copy of ``review`` with exactly these acceptances applied (those valid for its database)
    and its verdict decided again.

    Reviews are cached without acceptances (they change more often than the
    database); this is how a cached review meets today's acceptances.
    """
    copy = Review.from_dict(review.to_dict(include_facts=True))
    for check in copy.checks:
        for finding in check.findings:
            finding.pop("accepted", None)
            finding.pop("acceptance", None)
    copy.ignored_acceptances = apply_acceptances(copy.checks, acceptances, database_key=copy.database_key)
    copy.verdict, copy.reasons = decide(copy.checks)
    return copy


def run_review(
    env: Environment,
    profile: str | Profile | None = "auto",
    *,
    only: list[str] | None = None,
    acceptances: dict[str, dict] | None = None,
    with_facts: bool = False,
    prisma_schema: str | None = None,
) -> Review:
    """Review ``env`` read-only: snapshot, checks, verdict (and, on request, the facts pages show).

    ``prisma_schema`` (a file or a folder of ``.prisma`` files) joins the design:
    its relations are the expected foreign keys, with or without a profile.
    """
    started_at = datetime.now(timezone.utc)
    selected = select_checks(only)
    if prisma_schema:
        from apms_ops.prisma import load_design

        load_design(prisma_schema)  # a malformed schema stops the run before the database is touched
    t0 = time.perf_counter()
    with read_only_session(env) as conn:
        counter = {"n": 0}

        def count(*_args, **_kwargs):
            counter["n"] += 1

        event.listen(conn, "before_cursor_execute", count)
        try:
            snapshot = read_snapshot(conn)
            snapshot.identity = read_identity(conn, env).to_dict()
            requested = profile if profile not in (None, "", "auto") else (env.profile or "auto")
            chosen = choose_profile(requested, snapshot, env.schema)
            if prisma_schema:
                from apms_ops.prisma import design_profile

                chosen = design_profile(prisma_schema, chosen)
            ctx = Context(snapshot, chosen, conn, health_url=env.health_url)
            results = run_checks(ctx, only)
            design = design_summary(ctx)
            facts = facts_module.collect(ctx, results) if with_facts else None
        finally:
            event.remove(conn, "before_cursor_execute", count)
    ignored = apply_acceptances(results, acceptances, database_key=(snapshot.identity or {}).get("key"))
    verdict, reasons = decide(results)
    return Review(
        verdict=verdict,
        reasons=reasons,
        environment=env.name,
        database=env.masked_url,
        profile=chosen.name,
        started_at=started_at.isoformat(timespec="seconds"),
        duration_ms=(time.perf_counter() - t0) * 1000,
        checks=results,
        server=snapshot.server,
        statements=counter["n"],
        facts=facts,
        identity=snapshot.identity or {},
        ignored_acceptances=ignored,
        not_run=[c.id for c in REGISTRY if c not in selected],
        design=design,
    )


def design_summary(ctx: Context) -> dict:
    """What the database was compared with, for every output (JSON ``design``)."""
    from apms_ops.checks.design import describe_design

    p = ctx.profile
    return {
        "compared": bool(p.has_design),
        "description": describe_design(ctx),
        "profile": None if p.is_empty or p.name == "prisma" else p.name,
        "prisma_schema": p.prisma_schema,
        "relation_mode": p.relation_mode,
        "expected_tables": len(p.tables),
        "expected_references": len(p.foreign_keys),
    }
