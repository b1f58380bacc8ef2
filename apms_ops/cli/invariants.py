"""``invariants``: run the invariant tests (each in one rolled-back transaction) and record them.

Exit codes as for ``check``: 0 when every test is PASS, NOT_ENFORCED or SKIP;
1 when any is FAIL or ERROR (or NOT_ENFORCED with ``--fail-on not-enforced``);
2 when the tests could not run (protected environment, unreachable database,
bad arguments).
"""

from __future__ import annotations

import json
import sys
from collections import Counter

from apms_ops.cli.common import add_output_options, add_profile_option, add_target_options, environment_from_args, write_output
from apms_ops.invariants import ERROR, FAIL, NOT_ENFORCED, OUTCOMES, REGISTRY, InvariantRun, ensure_allowed, run_invariants, select_invariants

JSON_FORMAT_VERSION = 1


def register(sub) -> None:
    p = sub.add_parser("invariants", help="run the invariant tests on a database (rolled back, recorded; exit 1 on FAIL or ERROR)")
    add_target_options(p)
    add_profile_option(p)
    add_output_options(p, ("table", "json"), "table")
    p.add_argument("--only", nargs="+", metavar="NAME", help=f"tests to run (default all): {', '.join(i.name for i in REGISTRY)}")
    p.add_argument("--fail-on", choices=("fail", "not-enforced"), default="fail",
                   help="not-enforced: also exit 1 when a rule is only protected by application code (default: fail)")
    p.add_argument("--list", action="store_true", help="list the invariant tests and exit")
    p.set_defaults(func=run_invariants_command)


def exit_code(runs: list[InvariantRun], fail_on: str = "fail") -> int:
    """1 when any run is FAIL or ERROR (or NOT_ENFORCED with ``fail_on='not-enforced'``), else 0."""
    bad = {FAIL, ERROR} | ({NOT_ENFORCED} if fail_on == "not-enforced" else set())
    return 1 if any(r.outcome in bad for r in runs) else 0


def render_json(runs: list[InvariantRun], env) -> str:
    counts = Counter(r.outcome for r in runs)
    return json.dumps({
        "format": JSON_FORMAT_VERSION,
        "environment": env.name,
        "database": env.masked_url,
        "runs": [r.to_dict() for r in runs],
        "summary": {o: counts.get(o, 0) for o in OUTCOMES},
    }, indent=2, default=str) + "\n"


def render_table(runs: list[InvariantRun], env) -> str:
    lines = []
    who = runs[0].run_by if runs else ""
    profile = runs[0].profile if runs else ""
    lines.append(f"Invariant tests on {env.name} ({env.masked_url}), profile {profile}, run by {who}")
    width = max([len(r.test) for r in runs] + [4])
    for r in runs:
        lines.append("")
        lines.append(f"{r.test.ljust(width)}  {r.outcome:<12} {r.duration_ms:8.1f} ms  tag {r.tag}")
        lines.append(f"  {r.detail}")
        for s in r.steps:
            state = s.sqlstate or ""
            lines.append(f"    {s.outcome:<12} {s.duration_ms:8.1f} ms  {state:<5}  {s.name}" + (f": {s.detail}" if s.detail else ""))
    counts = Counter(r.outcome for r in runs)
    lines.append("")
    lines.append(f"{len(runs)} tests: " + ", ".join(f"{counts[o]} {o}" for o in OUTCOMES if counts.get(o)))
    return "\n".join(lines) + "\n"


def run_invariants_command(args) -> int:
    if args.list:
        width = max(len(i.name) for i in REGISTRY)
        for inv in REGISTRY:
            print(f"{inv.name.ljust(width)}  {inv.summary}")
        return 0
    select_invariants(args.only)  # unknown names fail before connecting
    env = environment_from_args(args)
    ensure_allowed(env)
    runs = run_invariants(env, args.only, profile=args.profile)
    text = render_json(runs, env) if args.format == "json" else render_table(runs, env)
    write_output(text, args.output)
    for r in runs:
        if r.record_error:
            print(f"apms-ops: warning: {r.test}: {r.record_error}", file=sys.stderr)
    return exit_code(runs, args.fail_on)
