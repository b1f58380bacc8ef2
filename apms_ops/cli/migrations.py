"""``migrations status``: the app's migrations folder against ``_prisma_migrations``, like ``prisma migrate status``.

Exit 0 when every migration of the folder is applied and nothing failed,
drifted or is missing locally; 1 otherwise; 2 when it could not run.
"""

from __future__ import annotations

import json

from apms_ops.cli.common import (
    add_migrations_dir_option, add_output_options, add_target_options, environment_from_args, migrations_folder_from_args,
    write_output,
)


def register(sub) -> None:
    p = sub.add_parser("migrations", help="the migrations folder against the migration history (status)")
    p.add_argument("action", nargs="?", choices=("status",), default="status")
    add_target_options(p)
    add_migrations_dir_option(p)
    p.add_argument("--profile", metavar="NAME|PATH", help="a profile naming the history table, its schema and migrations.dir")
    add_output_options(p, ("table", "json", "markdown"), "table")
    p.set_defaults(func=run_migrations_command)


def _key(state: str) -> str:
    return state.replace(" ", "_")


def status_document(env, folder, statuses, has_table: bool, schema: str, table: str) -> dict:
    from apms_ops.migrations.status import summary

    names = summary(statuses)
    return {
        "environment": env.name,
        "database": env.masked_url,
        "folder": str(folder.path) if folder else None,
        "history_table": f"{schema}.{table}" if has_table else None,
        **{_key(state): listed for state, listed in names.items()},
        "migrations": [s.to_dict() for s in statuses],
    }


def render_status(doc: dict, fmt: str) -> str:
    if fmt == "json":
        return json.dumps(doc, indent=2, default=str) + "\n"
    head = [f"migrations folder: {doc['folder'] or '(none given)'}",
            f"history table: {doc['history_table'] or '(none: nothing applied)'}"]
    for key in ("pending", "failed", "checksum_drift", "missing_locally", "rolled_back"):
        if doc[key]:
            head.append(f"{key.replace('_', ' ')}: {', '.join(doc[key])}")
    rows = [(m["migration"], m["state"], ", ".join(m["problems"]) or "-", m["note"] or "") for m in doc["migrations"]]
    if fmt == "markdown":
        lines = [f"- {h}" for h in head] + ["", "| migration | state | problems | note |", "|---|---|---|---|"]
        lines += [f"| `{a}` | {b} | {c} | {d} |" for a, b, c, d in rows]
        return "\n".join(lines) + "\n"
    width = max((len(r[0]) for r in rows), default=9)
    lines = head + [""] + [f"{a.ljust(width)}  {b:<11} {c:<28} {d}".rstrip() for a, b, c, d in rows]
    return "\n".join(lines) + "\n"


def run_migrations_command(args) -> int:
    from apms_ops.migrations.folder import read_folder
    from apms_ops.migrations.status import load_status
    from apms_ops.profiles import load_profile

    folder = migrations_folder_from_args(args)
    profile = load_profile(args.profile) if args.profile else None
    if folder is None and profile is not None and profile.migrations_dir:
        folder = read_folder(profile.migrations_dir)
    env = environment_from_args(args)
    schema = env.schema or (profile.schema if profile else "public")
    table = (profile.migrations_table if profile else None) or "_prisma_migrations"
    statuses, has_table = load_status(env, folder, schema=schema, table=table)
    doc = status_document(env, folder, statuses, has_table, schema, table)
    write_output(render_status(doc, args.format), args.output)
    return 1 if any(s.problems for s in statuses) else 0
