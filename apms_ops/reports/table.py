"""A plain-text table for terminals and CI logs."""

from __future__ import annotations

from apms_ops.review import Review


def _cell(value) -> str:
    return "-" if value is None else str(value)


def render_table(review: Review) -> str:
    rows = [("CHECK", "STATUS", "TARGET", "ACTUAL", "DETAIL")]
    for c in review.checks:
        detail = c.detail if len(c.detail) <= 90 else c.detail[:87] + "..."
        rows.append((c.id, c.status, _cell(c.target), _cell(c.actual), detail))
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    lines = [f"verdict: {review.verdict}   environment: {review.environment}   database: {review.database}   profile: {review.profile}"]
    if review.partial:
        lines.append(f"  {review.partial_label.upper()} (--only): not run: {', '.join(review.not_run)}")
    for reason in review.reasons:
        lines.append(f"  {reason.verdict}: {reason.text}")
    lines.append("")
    for r in rows:
        lines.append("  ".join(r[i].ljust(widths[i]) for i in range(4)) + "  " + r[4])
    return "\n".join(lines) + "\n"
