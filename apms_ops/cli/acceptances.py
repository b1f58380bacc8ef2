"""``accept`` and ``acceptances``: accept a known finding with a reason and an expiry; list, revoke, export, import.

An accepted finding stays visible and keeps its check's status; the verdict
leaves it out until it expires. The TOML export is meant for version control.
"""

from __future__ import annotations

import sys
from pathlib import Path

from apms_ops.checks.registry import BY_ID
from apms_ops.cli.history import add_history_option, open_store
from apms_ops.errors import ConfigError
from apms_ops.history import expiry
from apms_ops.operators import cli_identity, operator_settings, require_operator, terminal_prompt
from apms_ops.reports.document import when


def operator_name(environment: str | None, action: str) -> str:
    """Who is recording ``action``: an operator (token, passcode prompt or OS-user allowlist), or anyone on the demo."""
    return require_operator(environment, cli_identity(operator_settings(), prompt=terminal_prompt()), action)


def register(sub) -> None:
    p = sub.add_parser("accept", help="accept one finding (by fingerprint) with a reason until an expiry date")
    p.add_argument("fingerprint", metavar="FINGERPRINT", help="the finding's fingerprint (in every report and the JSON output)")
    p.add_argument("--check", required=True, metavar="ID", help="the check the finding belongs to, e.g. C1.foreign_keys")
    p.add_argument("--reason", required=True, metavar="TEXT", help="why the finding is acceptable for now")
    p.add_argument("--expires", required=True, metavar="YYYY-MM-DD", help="the acceptance ends at 00:00 UTC that day")
    p.add_argument("--env", metavar="NAME", help="only for this environment (default: every environment)")
    add_history_option(p)
    p.set_defaults(func=run_accept_command)

    p = sub.add_parser("acceptances", help="list, revoke, export or import accepted findings")
    p.add_argument("action", choices=("list", "revoke", "export", "import"))
    p.add_argument("target", nargs="?", metavar="FILE|ID", help="export/import: a TOML file ('-' for standard output/input); revoke: the acceptance id")
    p.add_argument("--env", metavar="NAME", help="list/export: this environment's acceptances and those for every environment")
    p.add_argument("--all", action="store_true", help="list: also expired and revoked ones")
    add_history_option(p)
    p.set_defaults(func=run_acceptances_command)


def run_accept_command(args) -> int:
    if args.check not in BY_ID:
        raise ConfigError(f"unknown check {args.check!r} (see: python -m apms_ops checks --list)")
    expires = expiry(args.expires)
    who = operator_name(args.env, "accept findings" + ("" if args.env else " for every environment"))
    store = open_store(args)
    seen = store.find_finding(args.fingerprint, args.env)
    if seen is not None and seen["check_id"] != args.check:
        raise ConfigError(f"fingerprint {args.fingerprint} belongs to a finding of {seen['check_id']}, not {args.check}")
    if seen is None:
        print(f"apms-ops: warning: no saved run has a finding with fingerprint {args.fingerprint}"
              + (f" in {args.env}" if args.env else "") + "; accepted anyway", file=sys.stderr)
    # For one environment, the acceptance is bound to the database its finding was seen in.
    bound = seen if seen is not None and args.env else {}
    acc_id = store.accept(args.fingerprint, args.check, args.reason, expires, environment=args.env,
                          finding=seen["finding"] if seen else None, accepted_by=who,
                          database_key=bound.get("database_key"), database=bound.get("database"))
    print(f"acceptance #{acc_id}: {args.check} {args.fingerprint} for {args.env or 'every environment'}"
          + (f" ({bound['database']})" if bound.get("database_key") else "") + f" until {when(expires)}, by {who}")
    return 0


def run_acceptances_command(args) -> int:
    store = open_store(args)
    if args.action == "list":
        rows = store.list_acceptances(args.env, include_inactive=args.all)
        if not rows:
            print("no acceptances" if args.all else "no active acceptances")
            return 0
        for a in rows:
            print(f"#{a['id']:<4} {a['state']:<8} {a['check_id']:<28} {a['fingerprint']}  {a['environment'] or '(every env)':<14} "
                  f"until {when(a['expires_at'])}  by {a['accepted_by']}: {a['reason']}")
        return 0
    if args.action == "revoke":
        if not args.target:
            raise ConfigError("acceptances revoke needs the acceptance id (see: acceptances list)")
        try:
            acc_id = int(args.target)
        except ValueError:
            raise ConfigError(f"acceptance id must be a number, not {args.target!r}") from None
        acc = store.get_acceptance(acc_id)
        who = operator_name(acc["environment"], "revoke acceptances")
        acc = store.revoke(acc_id, revoked_by=who)
        print(f"acceptance #{acc_id} revoked by {acc['revoked_by']}: {acc['check_id']} {acc['fingerprint']} counts in the verdict again")
        return 0
    if not args.target:
        raise ConfigError(f"acceptances {args.action} needs a FILE ('-' for standard {'output' if args.action == 'export' else 'input'})")
    if args.action == "export":
        text = store.export_acceptances(args.env)
        if args.target == "-":
            sys.stdout.write(text)
        else:
            try:
                Path(args.target).write_text(text, encoding="utf-8")
            except OSError as exc:
                raise ConfigError(f"cannot write {args.target}: {exc.strerror}") from None
            print(f"exported {text.count('[[acceptance]]')} active acceptance(s) to {args.target}")
        return 0
    operator_name(None, "import acceptances")
    try:
        text = sys.stdin.buffer.read() if args.target == "-" else Path(args.target).read_bytes()
    except OSError as exc:
        raise ConfigError(f"cannot read {args.target}: {exc.strerror}") from None
    counts = store.import_acceptances(text, source=args.target)
    print(f"imported from {args.target}: {counts['added']} added, {counts['unchanged']} unchanged, {counts['expired']} expired (skipped)")
    return 0
