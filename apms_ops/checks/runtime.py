"""C6 runtime: running work on a valid configuration, and the application answering."""

from __future__ import annotations

import urllib.error
import urllib.request

from apms_ops import audits
from apms_ops.checks.base import FAIL, PASS, SKIP, Context, Outcome, row
from apms_ops.checks.lifecycle import needs


def runtime(ctx: Context) -> Outcome:
    """RUNNING and PENDING workflow instances reference an ACTIVE or ARCHIVED version, never a DRAFT.

    Why it matters: running work frozen to a draft can change under it while the draft is edited.

    How to fix: move running or pending work off draft versions (or activate the version on purpose).
    """
    why = needs(ctx, "lifecycle", "runtime")
    if why:
        return Outcome(SKIP, 0, None, why)
    rows = audits.running_on_draft(ctx.conn, ctx.snapshot, ctx.profile)
    total = rows[0]["total"] if rows else 0
    findings = [{"instance": r["instance"], "status": r["status"], "config_version": r["config_version"],
                 "workspace": r["workspace"], "version": r["version"]} for r in rows]
    rt = ctx.profile.runtime
    detail = f"{total} {'/'.join(rt.running_statuses)} instances on a {ctx.profile.lifecycle.draft} version"
    judged = [row(f["instance"], FAIL, f"{f['status']} on {ctx.profile.lifecycle.draft} version {f['config_version']}",
                  instance=f["instance"], instance_status=f["status"], config_version=f["config_version"], workspace=f["workspace"],
                  version=f["version"]) for f in findings]
    if not judged:
        judged = [row(f"{'/'.join(rt.running_statuses)} {rt.table}", PASS, f"none on a {ctx.profile.lifecycle.draft} version",
                      table=rt.table)]
    return Outcome(FAIL if findings else PASS, 0, total, detail, findings, judged)


def health(ctx: Context) -> Outcome:
    """The application's health endpoint answers 2xx, where one is configured.

    Why it matters: the application may be down or unreachable; this review covers the
    database only.

    How to fix: restore the application's health endpoint, or fix ``health_url`` for this
    environment.
    """
    url = ctx.health_url
    if not url:
        return Outcome(SKIP, None, None, "no health_url configured for this environment")
    try:
        with urllib.request.urlopen(url, timeout=5) as resp:  # noqa: S310 - operator-configured URL
            code = resp.status
    except urllib.error.HTTPError as exc:
        code = exc.code
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        return Outcome(FAIL, 200, None, f"{url}: no answer ({reason})", [{"url": url, "problem": str(reason)}],
                       [row(url, FAIL, f"no answer ({reason})", url=url)])
    ok = 200 <= code < 300
    return Outcome(PASS if ok else FAIL, 200, code, f"{url} answered {code}", [] if ok else [{"url": url, "problem": f"HTTP {code}"}],
                   [row(url, PASS if ok else FAIL, f"answered {code}", url=url)])
