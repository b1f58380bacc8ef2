"""``signoff``: record the decision a review meeting made for an environment and migration."""

from __future__ import annotations

import argparse
import sys

from apms_ops.cli.history import add_history_option, open_store
from apms_ops.errors import ConfigError
from apms_ops.cli.acceptances import operator_name
from apms_ops.history import normalize_decision
from apms_ops.reports.document import VERDICT_WORDS


def _decision(value: str) -> str:
    try:
        return normalize_decision(value)
    except ConfigError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def register(sub) -> None:
    p = sub.add_parser("signoff", help="record a decision (GO, HOLD, NO_GO) for an environment and migration")
    p.add_argument("--env", required=True, metavar="NAME", help="the environment decided on")
    p.add_argument("--decision", required=True, metavar="GO|HOLD|NO_GO", type=_decision)
    p.add_argument("--migration", required=True, metavar="NAME", help="the migration the decision is about")
    p.add_argument("--comment", required=True, metavar="TEXT", help="conditions, reasons, who was in the meeting")
    p.add_argument("--run", type=int, metavar="ID", help="the saved run the decision was made on (default: the latest of the environment)")
    add_history_option(p)
    p.set_defaults(func=run_signoff_command)


def run_signoff_command(args) -> int:
    who = operator_name(args.env, "sign off")
    store = open_store(args)
    sid = store.sign_off(args.env, args.decision, migration=args.migration, comment=args.comment, signed_by=who,
                         review_run_id=args.run)
    s = store.list_sign_offs(args.env, limit=1)[0]
    print(f"sign-off #{sid}: {VERDICT_WORDS[s['decision']]} for {args.env}, migration {s['migration']}, by {s['signed_by']}")
    if s["review_run_id"] is None:
        print(f"apms-ops: warning: no saved run for {args.env}: this decision rests on no recorded review", file=sys.stderr)
    elif s["review_verdict"] != s["decision"]:
        print(f"apms-ops: note: the saved run #{s['review_run_id']} it rests on says {VERDICT_WORDS[s['review_verdict']]}", file=sys.stderr)
    return 0
