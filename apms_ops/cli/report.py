"""``report``: the validation report of a review now (or of a saved run), with the history around it."""

from __future__ import annotations

import sys

from apms_ops.checks import select_checks
from apms_ops.cli.audit import review_and_save
from apms_ops.cli.common import add_profile_option, add_target_options, environment_from_args, write_output
from apms_ops.cli.history import add_history_option, open_store
from apms_ops.errors import ConfigError, HistoryError
from apms_ops.reports import REPORT_FORMATS, render
from apms_ops.review import run_review


def register(sub) -> None:
    p = sub.add_parser("report", help="write the validation report: the review now, invariant runs, sign-off, changes since the last run")
    add_target_options(p)
    add_profile_option(p)
    add_history_option(p)
    p.add_argument("--format", choices=REPORT_FORMATS, default="markdown")
    p.add_argument("--output", metavar="FILE", help="write the report to FILE instead of standard output")
    p.add_argument("--only", nargs="+", metavar="CHECK", help="check ids or groups to run (C1, C1.orphans, ...)")
    p.add_argument("--run", metavar="ID|latest", help="report on a saved run instead of reviewing now (no database needed)")
    p.add_argument("--since", type=int, metavar="RUN", help="compare with this saved run (default: the latest saved run before)")
    p.add_argument("--save", action="store_true", help="also save the review in the history (like audit)")
    p.set_defaults(func=run_report_command)


def run_report_command(args) -> int:
    run_id, problem = None, None
    if args.run:
        store = open_store(args)  # a saved run lives only in the store
        if args.save or args.only:
            raise ConfigError("--run reports on a saved run: --save and --only do not apply")
        if args.run == "latest":
            if not args.env:
                raise ConfigError("--run latest needs --env NAME (the environment whose latest run to report)")
            run_id = store.latest_review_id(args.env)
            if run_id is None:
                raise ConfigError(f"no saved run for environment {args.env!r}")
        else:
            try:
                run_id = int(args.run)
            except ValueError:
                raise ConfigError(f"--run must be a run id or 'latest', not {args.run!r}") from None
        review = store.get_review(run_id)
    else:
        select_checks(args.only)
        env = environment_from_args(args)
        if args.save:
            review, run_id, store, problem = review_and_save(env, args, source="report")
        else:
            try:
                store = open_store(args)
                review = store.apply_acceptances(run_review(env, args.profile, only=args.only))
            except HistoryError as exc:
                store, problem = None, exc
                review = run_review(env, args.profile, only=args.only)
    extras = {}
    if store is not None:
        try:
            extras = store.report_extras(review, run_id=run_id, since=args.since)
        except HistoryError as exc:
            problem = exc
    write_output(render(review, args.format, **extras), args.output)
    if problem is not None:
        print(f"apms-ops: {problem}; the report lacks what the history adds (invariant runs, sign-off, changes)", file=sys.stderr)
    return 0
