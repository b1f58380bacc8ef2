"""``history``: saved runs and what changed between two of them; the store option the history commands share."""

from __future__ import annotations

from apms_ops.history import HistoryStore
from apms_ops.reports.document import VERDICT_WORDS, finding_text, when


def add_history_option(parser) -> None:
    parser.add_argument("--history-url", metavar="URL",
                        help="history store (default: APMS_OPS_HISTORY_URL, [apms_ops] history_url in secrets, or a SQLite file)")


def open_store(args) -> HistoryStore:
    return HistoryStore(getattr(args, "history_url", None))


def register(sub) -> None:
    p = sub.add_parser("history", help="list saved runs, or show what changed between two of them")
    p.add_argument("action", nargs="?", choices=("list", "diff"), default="list")
    p.add_argument("runs", nargs="*", type=int, metavar="RUN", help="diff: two run ids (older first); one id compares it with the run before it")
    p.add_argument("--env", metavar="NAME", help="list: only this environment")
    p.add_argument("--limit", type=int, default=20, help="list: how many runs (default 20)")
    add_history_option(p)
    p.set_defaults(func=run_history_command)


def run_history_command(args) -> int:
    store = open_store(args)
    if args.action == "list":
        runs = store.list_reviews(args.env, limit=args.limit)
        if not runs:
            print("no saved runs" + (f" for {args.env}" if args.env else ""))
            return 0
        for r in runs:
            print(f"#{r['id']:<5} {when(r['started_at'])}  {r['environment']:<16} {VERDICT_WORDS.get(r['verdict'], r['verdict']):<6} "
                  f"{r['source']:<9} {r['run_by']}" + ("  (partial review: --only)" if r.get("partial") else ""))
        return 0
    from apms_ops.errors import ConfigError

    if len(args.runs) == 1:
        b = args.runs[0]
        a = store.latest_review_id(store.get_review(b).environment, before=b)
        if a is None:
            raise ConfigError(f"run {b} is the first saved run of its environment: nothing to compare with")
    elif len(args.runs) == 2:
        a, b = args.runs
    else:
        raise ConfigError("history diff needs one or two run ids")
    d = store.diff(a, b)
    print(f"run #{a} -> run #{b}: verdict {VERDICT_WORDS[d['a']['verdict']]} -> {VERDICT_WORDS[d['b']['verdict']]} ({d['verdict_change']})")
    for kind in ("worse", "better", "changed"):
        for c in d[kind]:
            print(f"  {kind:<7} {c['check_id']}: {c['before']['status']} -> {c['after']['status']}, actual {c['before']['actual']} -> "
                  f"{c['after']['actual']} (target {c['after']['target']}), open findings {c['before']['open_findings']} -> "
                  f"{c['after']['open_findings']}")
    for label, key in (("new", "new_findings"), ("resolved", "resolved_findings"), ("changed", "changed_findings")):
        for f in d[key]:
            print(f"  {label} finding {f['check_id']}: {finding_text(f['finding']).replace('`', '')}")
    return 0
