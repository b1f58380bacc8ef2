"""``report``: the validation report of a review now (or of a saved run), with the history around it."""

from __future__ import annotations

from apms_ops.checks import select_checks
from apms_ops.cli.common import (
    add_migrations_dir_option, add_profile_option, add_target_options, environment_from_args, migrations_folder_from_args, write_output,
)
from apms_ops.cli.history import add_history_option, open_store
from apms_ops.errors import ConfigError
from apms_ops.history import current_user
from apms_ops.reports import REPORT_FORMATS, render
from apms_ops.review import run_review


def register(sub) -> None:
    p = sub.add_parser("report", help="write the validation report: the review now, invariant runs, sign-off, changes since the last run")
    add_target_options(p)
    add_profile_option(p)
    add_migrations_dir_option(p)
    add_history_option(p)
    p.add_argument("--format", choices=REPORT_FORMATS, default="markdown")
    p.add_argument("--output", metavar="FILE", help="write the report to FILE instead of standard output")
    p.add_argument("--only", nargs="+", metavar="CHECK", help="check ids or groups to run (C1, C1.orphans, ...)")
    p.add_argument("--run", metavar="ID|latest", help="report on a saved run instead of reviewing now (no database needed)")
    p.add_argument("--since", type=int, metavar="RUN", help="compare with this saved run (default: the latest saved run before)")
    p.add_argument("--save", action="store_true", help="also save the review in the history (like audit)")
    p.set_defaults(func=run_report_command)


def run_report_command(args) -> int:
    store = open_store(args)
    run_id = None
    if args.run:
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
        review = run_review(env, args.profile, only=args.only, acceptances=store.active_acceptances(env.name),
                            migrations_dir=migrations_folder_from_args(args))
        if args.save:
            run_id = store.save_review(review, run_by=current_user(), source="report")
    extras = store.report_extras(review, run_id=run_id, since=args.since)
    write_output(render(review, args.format, **extras), args.output)
    return 0
