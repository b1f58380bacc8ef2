"""C3 lifecycle: configuration status values, activation and version numbers."""

from __future__ import annotations

from apms_ops import audits
from apms_ops.checks.base import FAIL, PASS, SKIP, Context, Outcome, row

RULE_TEXT = {
    "illegal_status": "status outside the lifecycle",
    "active_without_activation": "ACTIVE without an activation time",
    "non_positive_version": "version number not positive",
    "duplicate_version": "version number used twice in a workspace",
}


def needs(ctx: Context, *parts: str) -> str | None:
    """Why a profile-driven check cannot run, or None when it can."""
    p = ctx.profile
    for part in parts:
        section = getattr(p, part)
        if section is None:
            return f"needs a profile with [{part}]" + (" (reviewing with discovery only, no profile)" if p.is_empty else "")
        table = getattr(section, "table")
        if ctx.profile_table(table) is None:
            return f"table {table} is missing from schema {p.schema}"
    return None


def lifecycle(ctx: Context) -> Outcome:
    """Config versions only use the lifecycle's statuses, an ACTIVE one has its activation
    time, and version numbers are positive and unique per workspace.

    Why it matters: versions outside the lifecycle make it unclear which configuration is
    in force.

    How to fix: repair the versions that break the lifecycle rules.
    """
    why = needs(ctx, "lifecycle")
    if why:
        return Outcome(SKIP, 0, None, why)
    lc = ctx.profile.lifecycle
    rows = audits.lifecycle_violations(ctx.conn, ctx.snapshot, ctx.profile)
    findings = [
        {"rule": r["rule"], "table": lc.table, "workspace": r["workspace"], "version": r["version"],
         **({"id": r["row_id"]} if r["row_id"] else {}), **({"status": r["status"]} if r["rule"] != "duplicate_version" else {"copies": r["status"]})}
        for r in rows
    ]
    by_rule = {}
    for f in findings:
        by_rule[f["rule"]] = by_rule.get(f["rule"], 0) + 1
    detail = "; ".join(f"{n} {RULE_TEXT[rule]}" for rule, n in by_rule.items()) or (
        f"statuses within {', '.join(lc.statuses)}; ACTIVE versions activated; versions positive and unique per workspace"
    )
    judged = [row(RULE_TEXT[rule], FAIL if by_rule.get(rule) else PASS,
                  f"{by_rule[rule]} violation(s)" if by_rule.get(rule) else "no violation", rule=rule, table=lc.table,
                  count=by_rule.get(rule, 0)) for rule in RULE_TEXT]
    return Outcome(FAIL if findings else PASS, 0, len(findings), detail, findings, judged)
