"""``drift --env A --against B``: every schema difference between two environments, grouped by table.

Exit 0 when they match, 1 when they differ, 2 when it could not run.
"""

from __future__ import annotations

from apms_ops.cli.common import add_migrations_dir_option, add_output_options, migrations_folder_from_args, write_output


def register(sub) -> None:
    p = sub.add_parser("drift", help="compare two environments' schemas and migrations (exit 1 when they differ)")
    p.add_argument("--env", metavar="NAME", required=True, help="the environment to compare (e.g. staging)")
    p.add_argument("--against", metavar="NAME", required=True, help="the environment to compare it with (e.g. production)")
    p.add_argument("--dsn", metavar="DSN", help="a URL for --env instead of its configured one")
    p.add_argument("--against-dsn", metavar="DSN", help="a URL for --against instead of its configured one")
    p.add_argument("--schema", nargs="+", metavar="NAME", help="compare only these schemas (default: every non-system schema)")
    add_migrations_dir_option(p)
    add_output_options(p, ("table", "json", "markdown"), "table")
    p.set_defaults(func=run_drift_command)


def run_drift_command(args) -> int:
    from apms_ops.connections import resolve_environment
    from apms_ops.drift import run_drift
    from apms_ops.reports.drift import render_drift

    folder = migrations_folder_from_args(args)
    env = resolve_environment(args.env, args.dsn)
    against = resolve_environment(args.against, args.against_dsn)
    drift = run_drift(env, against, folder=folder, schemas=args.schema)
    write_output(render_drift(drift, args.format), args.output)
    return 0 if drift.same else 1
