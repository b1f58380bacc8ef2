"""``lint-migration PATH... --env NAME``: judge the migrations about to run against the target's data.

PATH is a ``migration.sql``, a migration folder, or the app's migrations folder
(then its pending migrations are linted, in order). Exit codes as ``check``: 0
GO (and HOLD unless ``--fail-on hold``), 1 NO-GO (a statement will fail), 2 could
not run.
"""

from __future__ import annotations

from apms_ops.cli.common import add_output_options, add_target_options, environment_from_args, gate_exit_code, write_output


def register(sub) -> None:
    p = sub.add_parser("lint-migration", help="judge pending migrations against the target database's catalog, sizes and data")
    p.add_argument("paths", nargs="+", metavar="PATH", help="migration.sql files, migration folders, or the prisma/migrations folder")
    add_target_options(p)
    add_output_options(p, ("table", "json", "markdown"), "table")
    p.add_argument("--run-as", choices=("prisma", "psql"), default="prisma",
                   help="prisma (default): a script of several statements runs as one transaction; psql: statement by statement")
    p.add_argument("--sample", type=int, default=10, metavar="N", help="violating rows shown per finding (default 10)")
    p.add_argument("--fail-on", choices=("no-go", "hold"), default="no-go", help="verdict that makes the exit code 1 (default no-go)")
    p.set_defaults(func=run_lint_command)


def run_lint_command(args) -> int:
    from apms_ops.errors import ConfigError
    from apms_ops.lint import lint_paths
    from apms_ops.reports.lint import render_lint

    if args.sample < 0:
        raise ConfigError("--sample must be 0 or more")
    env = environment_from_args(args)
    report = lint_paths(env, args.paths, sample=args.sample, sent_whole=args.run_as == "prisma")
    write_output(render_lint(report, args.format), args.output)
    return gate_exit_code(report.verdict, "hold" if args.fail_on == "hold" else None)
