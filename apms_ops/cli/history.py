"""``history``: saved runs and what changed between two of them; the store option the history commands share."""

from __future__ import annotations

from apms_ops.errors import ConfigError
from apms_ops.history import HistoryStore
from apms_ops.reports.document import VERDICT_WORDS, finding_text, when


def add_history_option(parser) -> None:
    parser.add_argument("--history-url", metavar="URL",
                        help="history store (default: APMS_OPS_HISTORY_URL, [apms_ops] history_url in secrets, or a SQLite file)")


def open_store(args) -> HistoryStore:
    return HistoryStore(getattr(args, "history_url", None))


def register(sub) -> None:
    p = sub.add_parser("history", help="list saved runs, show what changed between two of them, back up or restore the store")
    p.add_argument("action", nargs="?", choices=("list", "diff", "backup", "restore"), default="list")
    p.add_argument("targets", nargs="*", metavar="RUN|FILE",
                   help="diff: two run ids (older first), or one to compare with the run before it; backup/restore: a file")
    p.add_argument("--env", metavar="NAME", help="list: only this environment")
    p.add_argument("--limit", type=int, default=20, help="list: how many runs (default 20)")
    p.add_argument("--across-databases", action="store_true",
                   help="diff: compare two runs even when they reviewed different databases")
    add_history_option(p)
    p.set_defaults(func=run_history_command)


def _run_ids(values: list[str]) -> list[int]:
    try:
        return [int(v) for v in values]
    except ValueError:
        raise ConfigError(f"history diff needs run ids (numbers), not {values!r}") from None


def run_history_command(args) -> int:
    if args.action in ("backup", "restore"):
        return _backup_or_restore(args)
    store = open_store(args)
    if args.action == "list":
        runs = store.list_reviews(args.env, limit=args.limit)
        if not runs:
            print("no saved runs" + (f" for {args.env}" if args.env else ""))
            return 0
        changed = {c["run_id"]: c for env in {r["environment"] for r in runs} for c in store.identity_changes(env)}
        for r in runs:
            print(f"#{r['id']:<5} {when(r['started_at'])}  {r['environment']:<16} {VERDICT_WORDS.get(r['verdict'], r['verdict']):<6} "
                  f"{r['source']:<9} {r['run_by']}" + ("  (partial review: --only)" if r.get("partial") else ""))
            if r["id"] in changed:
                c = changed[r["id"]]
                print(f"       ^ another database than run #{c['previous_run_id']}: {c['previous_database']} -> {c['database']}")
        return 0
    runs = _run_ids(args.targets)
    if len(runs) == 1:
        b = runs[0]
        a = store.latest_review_id(store.get_review(b).environment, before=b)
        if a is None:
            raise ConfigError(f"run {b} is the first saved run of its environment: nothing to compare with")
    elif len(runs) == 2:
        a, b = runs
    else:
        raise ConfigError("history diff needs one or two run ids")
    d = store.diff(a, b, across_databases=args.across_databases)
    print(f"run #{a} -> run #{b}: verdict {VERDICT_WORDS[d['a']['verdict']]} -> {VERDICT_WORDS[d['b']['verdict']]} ({d['verdict_change']})")
    if d["same_database"] is False:
        print(f"  DIFFERENT DATABASES: run #{a} reviewed {d['a']['database']}; run #{b} reviewed {d['b']['database']}")
    elif d["same_database"] is None:
        print("  (one of the runs was saved before databases were identified: they may be of different databases)")
    for kind in ("worse", "better", "changed"):
        for c in d[kind]:
            print(f"  {kind:<7} {c['check_id']}: {c['before']['status']} -> {c['after']['status']}, actual {c['before']['actual']} -> "
                  f"{c['after']['actual']} (target {c['after']['target']}), open findings {c['before']['open_findings']} -> "
                  f"{c['after']['open_findings']}")
    for label, key in (("new", "new_findings"), ("resolved", "resolved_findings"), ("changed", "changed_findings")):
        for f in d[key]:
            print(f"  {label} finding {f['check_id']}: {finding_text(f['finding']).replace('`', '')}")
    return 0


def _backup_or_restore(args) -> int:
    from pathlib import Path

    from apms_ops.history import default_history_url, mask_url
    from apms_ops.history_backup import backup, restore

    if len(args.targets) != 1:
        raise ConfigError(f"history {args.action} needs one FILE")
    path = Path(args.targets[0])
    if args.action == "backup":
        store = open_store(args)
        counts = backup(store, path)
        print(f"backed up {store.masked_url} to {path}: " + ", ".join(f"{n} {t}" for t, n in counts.items()))
        return 0
    url = getattr(args, "history_url", None) or default_history_url()
    counts = restore(url, path)
    print(f"restored {path} into {mask_url(url)}: " + ", ".join(f"{n} {t}" for t, n in counts.items()))
    return 0
