"""The check registry (C1-C6) and the runner that gives every check one result shape."""

from __future__ import annotations

import time

from apms_ops.checks.base import (  # noqa: F401 - the package's public names
    BLOCKER, ERROR, FAIL, INFO, MAJOR, MINOR, PASS, SKIP, STATUSES, WARN,
    Check, CheckResult, Context, Outcome, fingerprint,
)
from apms_ops.checks.registry import BY_ID, GROUPS, REGISTRY  # noqa: F401
from apms_ops.errors import ConfigError


def select_checks(only: list[str] | None = None) -> list[Check]:
    """Checks by id or group (``C1``, ``C1.orphans``); all of them when ``only`` is empty."""
    if not only:
        return list(REGISTRY)
    chosen = []
    for item in only:
        matches = [c for c in REGISTRY if c.id == item or c.group == item]
        if not matches:
            raise ConfigError(f"unknown check {item!r} (see: python -m apms_ops checks --list)")
        chosen += [c for c in matches if c not in chosen]
    return chosen


def run_check(check: Check, ctx: Context) -> CheckResult:
    """Run one check; an exception becomes an ERROR result with its one-line message."""
    started = time.perf_counter()
    try:
        if ctx.conn is not None:
            # A savepoint per check: one that fails leaves the transaction usable for the rest.
            with ctx.conn.begin_nested():
                outcome = check.run(ctx)
        else:
            outcome = check.run(ctx)
    except Exception as exc:  # noqa: BLE001 - one check's failure must not stop the others
        message = " ".join(str(exc).split()) or type(exc).__name__
        outcome = Outcome(ERROR, None, None, f"{type(exc).__name__}: {message}" if type(exc).__name__ not in message else message)
    findings = [{**f, "fingerprint": fingerprint(check.id, f)} for f in outcome.findings]
    return CheckResult(
        id=check.id, group=check.group, title=check.title, severity=check.severity, status=outcome.status,
        target=outcome.target, actual=outcome.actual, detail=outcome.detail, findings=findings,
        duration_ms=(time.perf_counter() - started) * 1000, rows=list(outcome.rows),
    )


def run_checks(ctx: Context, only: list[str] | None = None) -> list[CheckResult]:
    return [run_check(c, ctx) for c in select_checks(only)]
