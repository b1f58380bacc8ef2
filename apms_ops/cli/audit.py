"""``audit``: review with the active acceptances, save the run, print a short summary, exit by the gate.

Meant for schedules (cron, a systemd timer, a Kubernetes CronJob). Exit codes:
0 GO or HOLD, 1 NO_GO (or HOLD with ``--fail-on hold``), 2 could not run. When
the database cannot be reached nothing is saved: the scheduler reports the
failed job, and the history keeps only runs that have figures. With
``[alerts.<environment>]`` in the secrets file, a changed verdict or an expired
acceptance is posted to a webhook (``apms_ops.alerts``); a failed post is one
line on stderr and does not change the exit code.
"""

from __future__ import annotations

import sys

from apms_ops.alerts import AlertError, alert_settings, send_alerts
from apms_ops.checks import select_checks
from apms_ops.cli.common import add_profile_option, add_target_options, environment_from_args, gate_exit_code, write_output
from apms_ops.cli.history import add_history_option, open_store
from apms_ops.errors import ConfigError
from apms_ops.history import current_user, run_audit
from apms_ops.reports import EXTENSIONS, REPORT_FORMATS, render
from apms_ops.reports.document import VERDICT_WORDS


def register(sub) -> None:
    p = sub.add_parser("audit", help="review with accepted findings applied, save the run, exit by the gate (for schedules)")
    add_target_options(p)
    add_profile_option(p)
    add_history_option(p)
    p.add_argument("--only", nargs="+", metavar="CHECK", help="check ids or groups to run (C1, C1.orphans, ...)")
    p.add_argument("--fail-on", choices=("no-go", "hold"), default="no-go", help="verdict that makes the exit code 1 (default no-go)")
    p.add_argument("--report", metavar="FILE", help="also write the validation report of this run to FILE")
    p.add_argument("--report-format", choices=REPORT_FORMATS, help="format of --report (default: from the file name, else markdown)")
    p.set_defaults(func=run_audit_command)


def report_format_for(path: str, fmt: str | None) -> str:
    if fmt:
        return fmt
    by_ext = {ext: name for name, ext in EXTENSIONS.items() if name in REPORT_FORMATS}
    return by_ext.get(path.rsplit(".", 1)[-1].lower(), "markdown") if "." in path else "markdown"


def summary_lines(review, run_id: int, store, changes: dict | None) -> list[str]:
    """The few lines a schedule's log needs."""
    word = VERDICT_WORDS.get(review.verdict, review.verdict)
    counts = {}
    for c in review.checks:
        counts[c.status] = counts.get(c.status, 0) + 1
    accepted = sum(len(c.findings) - len(c.open_findings) for c in review.checks)
    lines = [f"{review.environment}: {word} — run #{run_id} saved to {store.masked_url}"]
    lines.append("  checks: " + ", ".join(f"{n} {s}" for s, n in sorted(counts.items()))
                 + (f"; {accepted} accepted finding(s) left out of the verdict" if accepted else ""))
    for r in review.reasons:
        lines.append(f"  {VERDICT_WORDS[r.verdict]} {r.rule}: {r.text}")
    if changes is not None:
        a = changes["a"]
        parts = [f"verdict {VERDICT_WORDS[a['verdict']]} -> {word}"]
        if changes["worse"]:
            parts.append("worse: " + ", ".join(c["check_id"] for c in changes["worse"]))
        if changes["better"]:
            parts.append("better: " + ", ".join(c["check_id"] for c in changes["better"]))
        parts.append(f"{len(changes['new_findings'])} new, {len(changes['resolved_findings'])} resolved finding(s)")
        lines.append(f"  since run #{a['run_id']}: " + "; ".join(parts))
    return lines


def run_audit_command(args) -> int:
    select_checks(args.only)  # unknown ids fail before connecting
    store = open_store(args)  # a broken store fails before the database is touched
    env = environment_from_args(args)
    alerts = alert_settings(env.name)  # so does a broken [alerts.<environment>] table
    review, run_id = run_audit(env, store, profile=args.profile, only=args.only, run_by=current_user(), source="audit")
    extras = store.report_extras(review, run_id=run_id)
    print("\n".join(summary_lines(review, run_id, store, extras["changes"])))
    try:
        for line in send_alerts(store, review, run_id, alerts):
            print(line)
    except AlertError as exc:
        print(f"apms-ops: alert for {env.name} not delivered ({exc}); run #{run_id} was saved", file=sys.stderr)
    if args.report:
        fmt = report_format_for(args.report, args.report_format)
        try:
            write_output(render(review, fmt, **extras), args.report)
        except ConfigError as exc:
            # Still one line, but it must say the run itself was kept.
            raise ConfigError(f"run #{run_id} was saved, but the report was not: {exc}") from None
    return gate_exit_code(review.verdict, "hold" if args.fail_on == "hold" else None)
