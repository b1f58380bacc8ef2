"""``audit``: review with the active acceptances, save the run, print a short summary, exit by the gate.

Meant for schedules (cron, a systemd timer, a Kubernetes CronJob). Exit codes:
0 GO or HOLD, 1 NO_GO (or HOLD with ``--fail-on hold``), 2 could not run. When
the database cannot be reached nothing is saved: the scheduler reports the
failed job, and the history keeps only runs that have figures. When the history
store fails (locked, read-only, lost) the verdict is still printed and gates the
exit code; the failure is one more line on standard error. With
``[alerts.<environment>]`` in the secrets file, a changed verdict or an expired
acceptance is posted to a webhook (``apms_ops.alerts``); a failed post is one
line on stderr and does not change the exit code.
"""

from __future__ import annotations

import sys

from apms_ops.alerts import AlertError, alert_settings, send_alerts
from apms_ops.checks import select_checks
from apms_ops.cli.common import (
    add_migrations_dir_option, add_profile_option, add_target_options, environment_from_args, gate_exit_code,
    migrations_folder_from_args, write_output,
)
from apms_ops.cli.history import add_history_option, open_store
from apms_ops.errors import ConfigError, HistoryError
from apms_ops.history import ReviewNotSaved, current_user, run_audit
from apms_ops.reports import EXTENSIONS, REPORT_FORMATS, render
from apms_ops.reports.document import VERDICT_WORDS
from apms_ops.review import run_review


def register(sub) -> None:
    p = sub.add_parser("audit", help="review with accepted findings applied, save the run, exit by the gate (for schedules)")
    add_target_options(p)
    add_profile_option(p)
    add_migrations_dir_option(p)
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


def summary_lines(review, run_id: int | None, store, changes: dict | None, identity_change: dict | None = None) -> list[str]:
    """The few lines a schedule's log needs."""
    word = VERDICT_WORDS.get(review.verdict, review.verdict)
    counts = {}
    for c in review.checks:
        counts[c.status] = counts.get(c.status, 0) + 1
    accepted = sum(len(c.findings) - len(c.open_findings) for c in review.checks)
    saved = f"run #{run_id} saved to {store.masked_url}" if run_id is not None else "run NOT saved (see below)"
    lines = [f"{review.environment}: {word} — {saved}"]
    lines.append("  checks: " + ", ".join(f"{n} {s}" for s, n in sorted(counts.items()))
                 + (f"; {accepted} accepted finding(s) left out of the verdict" if accepted else ""))
    for r in review.reasons:
        lines.append(f"  {VERDICT_WORDS[r.verdict]} {r.rule}: {r.text}")
    for ignored in review.ignored_acceptances:
        lines.append(f"  acceptance #{ignored.get('id')} of {ignored['check_id']} {ignored['fingerprint']} not applied: {ignored['why']}")
    if identity_change is not None:
        lines.append(f"  the database of {review.environment} changed since run #{identity_change['previous_run_id']}: "
                     f"{identity_change['previous_database']} -> {identity_change['database']}")
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


def review_and_save(env, args, *, source: str, with_facts: bool = False, migrations_dir=None):
    """Review ``env`` and save the run through ``run_audit``; ``(review, run_id, store, problem)``.

    The history store never costs the review: when it will not open or will not take
    the run, ``run_id`` is None and ``problem`` says why (for one line on standard error).
    """
    try:
        store = open_store(args)
    except HistoryError as exc:
        review = run_review(env, args.profile, only=args.only, with_facts=with_facts,
                            prisma_schema=getattr(args, "prisma_schema", None), migrations_dir=migrations_dir)
        return review, None, None, HistoryError(f"the review was not saved: {exc} (accepted findings could not be read, "
                                                "so every finding counts in this verdict)")
    try:
        review, run_id = run_audit(env, store, profile=args.profile, only=args.only, run_by=current_user(), source=source,
                                   with_facts=with_facts, prisma_schema=getattr(args, "prisma_schema", None),
                                   migrations_dir=migrations_dir)
    except ReviewNotSaved as exc:
        return exc.review, None, store, exc
    return review, run_id, store, None


def run_audit_command(args) -> int:
    select_checks(args.only)  # unknown ids fail before connecting
    folder = migrations_folder_from_args(args)
    env = environment_from_args(args)
    alerts = alert_settings(env.name)  # a broken [alerts.<environment>] table stops before the database is touched
    review, run_id, store, problem = review_and_save(env, args, source="audit", migrations_dir=folder)
    extras: dict = {}
    if run_id is not None:
        try:
            extras = store.report_extras(review, run_id=run_id)
        except (HistoryError, ConfigError) as exc:
            problem = exc
    print("\n".join(summary_lines(review, run_id, store, extras.get("changes"), extras.get("identity_change"))))
    if run_id is not None:
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
            # Still one line, but it must say whether the run itself was kept.
            kept = f"run #{run_id} was saved" if run_id is not None else "the run was not saved"
            raise ConfigError(f"{kept}, but the report was not: {exc}") from None
    if problem is not None:
        # The verdict above stands and the exit code is still the gate's: the store's failure is its own line.
        print(f"apms-ops: {problem}", file=sys.stderr)
    return gate_exit_code(review.verdict, "hold" if args.fail_on == "hold" else None)
