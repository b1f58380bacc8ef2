"""C5 isolation: no row references a row of another workspace."""

from __future__ import annotations

from apms_ops.catalog import qualified
from apms_ops.checks.base import ERROR, FAIL, PASS, SKIP, Context, Outcome, row


def isolation(ctx: Context) -> Outcome:
    """No row references a config version, master row or step of another workspace.

    For every reference whose child and parent both carry the workspace column,
    ``child.workspace_id = parent.workspace_id``. Only a composite foreign key
    (or application code) can enforce it; this audit finds what slipped through.

    Why it matters: a tenant's rows depend on another tenant's configuration: tenant
    isolation is broken.

    How to fix: point the listed rows at rows of their own tenant; a composite foreign key
    (tenant column plus id) keeps it that way.
    """
    ws = ctx.profile.workspaces
    if ws is None:
        return Outcome(SKIP, 0, None, "needs a profile with [workspaces] (the workspace column)")
    counts = ctx.reference_counts
    scoped = [r for r in ctx.references if r.auditable and counts.get(r.key, {}).get("cross_workspace") is not None]
    errors = [r for r in ctx.references if r.auditable and counts.get(r.key, {}).get("error")]
    findings, total = [], 0
    judged = [row(r.label, ERROR, f"could not be audited: {counts[r.key]['error']}", table=qualified(r.schema, r.table),
                  column=r.column_label, references=r.target, rows=None) for r in errors]
    for ref in scoped:
        n = counts[ref.key]["cross_workspace"]
        judged.append(row(ref.label, FAIL if n else PASS, f"{n} row(s) reference another workspace's row" if n else "no cross-workspace rows",
                          table=qualified(ref.schema, ref.table), column=ref.column_label, references=ref.target, rows=n))
        if n:
            total += n
            findings.append({"table": qualified(ref.schema, ref.table), "column": ref.column_label, "references": ref.target, "rows": n})
    detail = f"{total} rows reference another workspace's rows, across {len(scoped)} workspace-scoped references"
    if errors:
        detail += f"; {len(errors)} reference(s) could not be audited"
    # A reference that could not be audited is unverified: never a PASS over it.
    status = FAIL if findings else (ERROR if errors else PASS)
    return Outcome(status, 0, total, detail, findings, judged)
