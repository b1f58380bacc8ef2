"""``check`` runs the checks once; ``checks --list`` lists them."""

from __future__ import annotations

import json
import sys

from apms_ops.checks import REGISTRY, select_checks
from apms_ops.cli.common import add_output_options, add_profile_option, add_target_options, environment_from_args, gate_exit_code, write_output
from apms_ops.reports import FORMATS, render
from apms_ops.review import run_review


def register(sub) -> None:
    p = sub.add_parser("check", help="review a database and print the verdict (exit 1 on NO_GO)")
    add_target_options(p)
    add_profile_option(p)
    add_output_options(p, FORMATS, "table")
    p.add_argument("--prisma-schema", metavar="PATH",
                   help="the application's Prisma schema (schema.prisma, or a folder of .prisma files) as the design")
    p.add_argument("--only", nargs="+", metavar="CHECK", help="check ids or groups to run (C1, C1.orphans, ...); the run is marked partial")
    p.add_argument("--fail-on", choices=("no-go", "hold"), default="no-go", help="verdict that makes the exit code 1 (default no-go)")
    p.add_argument("--include-facts", action="store_true", help="JSON: add the facts behind the checks (tables, references, workspaces)")
    p.add_argument("--save", action="store_true", help="store the run in the history, with the active acceptances applied (like audit)")
    p.add_argument("--history-url", metavar="URL", help="with --save: the history store (default: APMS_OPS_HISTORY_URL, secrets, or a SQLite file)")
    p.set_defaults(func=run_check_command)

    p = sub.add_parser("checks", help="list the registered checks")
    p.add_argument("--list", action="store_true", help="list the checks (the default)")
    p.add_argument("--format", choices=("table", "json", "markdown"), default="table")
    p.set_defaults(func=run_list_command)


def run_check_command(args) -> int:
    select_checks(args.only)  # unknown ids fail before connecting (a malformed Prisma schema does too: run_review reads it first)
    env = environment_from_args(args)
    problem = None
    if args.save:
        from apms_ops.cli.audit import review_and_save

        review, run_id, store, problem = review_and_save(env, args, source="cli", with_facts=args.include_facts)
        if run_id is not None:
            # stderr: standard output stays the requested format, for pipes.
            print(f"apms-ops: run #{run_id} saved to {store.masked_url}", file=sys.stderr)
    else:
        review = run_review(env, args.profile, only=args.only, with_facts=args.include_facts, prisma_schema=args.prisma_schema)
    write_output(render(review, args.format, include_facts=args.include_facts), args.output)
    if problem is not None:
        print(f"apms-ops: {problem}", file=sys.stderr)
    return gate_exit_code(review.verdict, "hold" if args.fail_on == "hold" else None)


def run_list_command(args) -> int:
    if args.format == "json":
        print(json.dumps([{"id": c.id, "group": c.group, "title": c.title, "severity": c.severity, "reads_data": c.needs_data,
                           "description": c.doc} for c in REGISTRY], indent=2))
    elif args.format == "markdown":
        for c in REGISTRY:
            print(f"### `{c.id}` {c.title}\n\nSeverity: {c.severity}. Reads data: {'yes' if c.needs_data else 'no (catalog only)'}.\n\n{c.doc}\n")
    else:
        width = max(len(c.id) for c in REGISTRY)
        for c in REGISTRY:
            print(f"{c.id.ljust(width)}  {c.severity:<8} {c.title}: {c.summary}")
    return 0
