"""``python -m apms_ops``: the same checks as the dashboard, for pipelines and scheduled audits.

Exit codes: 0 GO (and HOLD unless ``--fail-on hold``), 1 NO_GO, 2 could not run
(bad arguments, unreachable database, wrong password, bad profile): one
readable line on stderr, never a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from apms_ops.errors import OpsError

# One module per command group; each has register(subparsers) and sets args.func.
COMMAND_MODULES = (
    "apms_ops.cli.check",
    "apms_ops.cli.demo",
    "apms_ops.cli.invariants",
    "apms_ops.cli.audit", "apms_ops.cli.report", "apms_ops.cli.acceptances", "apms_ops.cli.signoff", "apms_ops.cli.history",
    "apms_ops.cli.migrations", "apms_ops.cli.lint", "apms_ops.cli.drift", "apms_ops.cli.remediate",
)


class _Parser(argparse.ArgumentParser):
    """argparse that reports a usage error in one line (exit 2) instead of a usage block."""

    def error(self, message: str):  # noqa: D401
        self.exit(2, f"apms-ops: error: {message} (see --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m apms_ops", description="Review a PostgreSQL database against its intended design before a deploy.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser, metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except OpsError as exc:
        print(f"apms-ops: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("apms-ops: interrupted", file=sys.stderr)
        return 2
    except Exception as exc:  # noqa: BLE001 - the contract is one line, even for our own bugs
        print(f"apms-ops: internal error: {type(exc).__name__}: {' '.join(str(exc).split())}", file=sys.stderr)
        return 2
