"""``remediate``: the review's fixes as Prisma migration folders that hold no lock for long.

Writes ``<YYYYMMDDHHMMSS>_apms_ops_<what>/migration.sql`` into ``--prisma-migrations
DIR`` (``--format sql`` prints them as one plain script instead). Exit 0 when
every finding got its fix; 1 when orphans stop the plan (nothing is written:
their counts and the query that lists them are printed) or a fix was left out
because existing rows would break it; 2 when it could not run.
"""

from __future__ import annotations

import json
import sys

from apms_ops.cli.common import add_profile_option, add_target_options, environment_from_args, write_output


def register(sub) -> None:
    p = sub.add_parser("remediate", help="write the fixes as Prisma migration folders that hold no lock for long")
    add_target_options(p)
    add_profile_option(p)
    p.add_argument("--prisma-migrations", metavar="DIR", help="the app's prisma/migrations folder to write the steps into")
    p.add_argument("--format", choices=("folders", "sql", "json"), default="folders",
                   help="folders (default: write into --prisma-migrations), sql (one plain script), json (the plan)")
    p.add_argument("--output", metavar="FILE", help="with --format sql/json: write to FILE instead of standard output")
    p.add_argument("--step-lock-timeout", default="1s", metavar="DURATION",
                   help="lock_timeout of each step that blocks writes (default 1s; 0 for none): a step that cannot get its "
                        "lock soon fails and can be re-run, instead of queueing the application's writes")
    p.set_defaults(func=run_remediate_command)


def _stopped_text(plan) -> str:
    lines = [f"apms-ops: remediate stopped: {len(plan.blocked)} reference(s) have orphaned rows; fix or delete them first "
             "(nothing was written, nothing is deleted by apms-ops):"]
    for b in plan.blocked:
        lines.append(f"  {b['table']}.{b['column']} -> {b['references']}: {b['orphans']} orphaned row(s); list them with:")
        lines.append(f"    {b['query']}")
    return "\n".join(lines) + "\n"


def _left_out_text(plan) -> str:
    lines = []
    for item in plan.left_out:
        rows = "unknown" if item.get("rows") is None else item["rows"]
        lines.append(f"apms-ops: left out {item['what']}: {item['reason']} ({rows} row(s))"
                     + (f"; list them with: {item['query']}" if item.get("query") else ""))
    return "\n".join(lines) + ("\n" if lines else "")


def run_remediate_command(args) -> int:
    from apms_ops.connections import parse_duration_ms
    from apms_ops.errors import ConfigError
    from apms_ops.migrations.writer import plain_script, write_folders
    from apms_ops.remediation_plan import build_plan

    if args.format == "folders" and not args.prisma_migrations:
        raise ConfigError("--prisma-migrations DIR is needed to write folders (or use --format sql)")
    lock_ms = parse_duration_ms(args.step_lock_timeout, "--step-lock-timeout", "arguments")
    lock_timeout = f"{lock_ms}ms" if lock_ms else None
    env = environment_from_args(args)
    plan = build_plan(env, args.profile)
    if args.format == "json":
        write_output(json.dumps(plan.to_dict(), indent=2, default=str) + "\n", args.output)
        return 1 if plan.stopped or plan.left_out else 0
    if plan.stopped:
        sys.stdout.write(_stopped_text(plan))
        return 1
    if args.format == "sql":
        write_output(plain_script(plan, lock_timeout=lock_timeout), args.output)
    else:
        folders = write_folders(plan, args.prisma_migrations, lock_timeout=lock_timeout)
        for folder, step in zip(folders, plan.steps):
            print(f"{folder.name}  {'outside a transaction  ' if not step.transactional else ''}{step.title}")
        if not folders:
            print("apms-ops: nothing to fix: no finding needs a migration")
    sys.stderr.write(_left_out_text(plan))
    return 1 if plan.left_out else 0
