"""C4 one ACTIVE configuration per workspace."""

from __future__ import annotations

from apms_ops import audits
from apms_ops.checks.base import FAIL, PASS, SKIP, WARN, Context, Outcome, row
from apms_ops.checks.lifecycle import needs


def one_active_per_workspace(ctx: Context) -> Outcome:
    """Every workspace has exactly one ACTIVE configuration version.

    Two ACTIVE versions mean new work may start on either (NO-GO); none means
    new work cannot start in that workspace (HOLD).

    Why it matters: two live versions: new work may start on either. None: new work
    cannot start in that tenant.

    How to fix: leave exactly one ACTIVE version in each tenant listed.
    """
    why = needs(ctx, "lifecycle", "workspaces")
    if why:
        return Outcome(SKIP, None, None, why)
    rows = audits.workspace_versions(ctx.conn, ctx.snapshot, ctx.profile)
    findings = []
    for r in rows:
        if r["active"] != 1:
            findings.append({
                "workspace": r["workspace"],
                "name": r["name"],
                "active": r["active"],
                "kind": "several ACTIVE" if r["active"] > 1 else "no ACTIVE",
            })
    findings.sort(key=lambda f: (-f["active"], f["name"] or "", f["workspace"]))
    judged = [row(r["name"] or r["workspace"], PASS if r["active"] == 1 else FAIL if r["active"] > 1 else WARN,
                  "exactly one ACTIVE version" if r["active"] == 1 else f"{r['active']} ACTIVE versions" if r["active"] > 1
                  else "no ACTIVE version", workspace=r["workspace"], name=r["name"], active=r["active"]) for r in rows]
    ok = len(rows) - len(findings)
    several = [f for f in findings if f["active"] > 1]
    detail = f"{ok} of {len(rows)} workspaces have exactly one ACTIVE version"
    if several:
        detail += f"; {len(several)} with several ACTIVE"
    if len(findings) > len(several):
        detail += f"; {len(findings) - len(several)} with none"
    status = FAIL if several else (WARN if findings else PASS)
    return Outcome(status, len(rows), ok, detail, findings, judged)
