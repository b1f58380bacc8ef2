"""Options and helpers shared by the commands."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from apms_ops.connections import Environment, parse_duration_ms, resolve_environment
from apms_ops.errors import ConfigError
from apms_ops.verdict import HOLD, NO_GO


def add_target_options(parser: argparse.ArgumentParser) -> None:
    """--env / --dsn and the session limits: which database, and how gently."""
    parser.add_argument("--env", metavar="NAME", help="environment from .streamlit/secrets.toml [connections.NAME], or demo-staging / demo-fixed")
    parser.add_argument("--dsn", metavar="DSN", help="postgresql://user:password@host:port/database (overrides --env and DATABASE_URL)")
    parser.add_argument("--statement-timeout", metavar="DURATION", help="per statement, e.g. 30s (default 30s)")
    parser.add_argument("--lock-timeout", metavar="DURATION", help="per lock wait, e.g. 2s (default 2s)")


def add_profile_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--profile", default="auto", metavar="NAME|PATH",
                        help="built-in profile name (apms), a .toml file, 'none' for discovery only, or 'auto' (default)")


def add_migrations_dir_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--migrations-dir", metavar="PATH",
                        help="the app's prisma/migrations folder: compare it with _prisma_migrations (pending, drift, missing locally)")


def migrations_folder_from_args(args):
    """The folder ``--migrations-dir`` names, read before any connection (a bad path exits 2 at once); None without it."""
    if not getattr(args, "migrations_dir", None):
        return None
    from apms_ops.migrations.folder import read_folder

    return read_folder(args.migrations_dir)


def add_output_options(parser: argparse.ArgumentParser, formats: tuple[str, ...], default: str) -> None:
    parser.add_argument("--format", choices=formats, default=default)
    parser.add_argument("--output", metavar="FILE", help="write the result to FILE instead of standard output")


def environment_from_args(args) -> Environment:
    env = resolve_environment(getattr(args, "env", None), getattr(args, "dsn", None))
    statement = parse_duration_ms(args.statement_timeout, "--statement-timeout", "arguments") if getattr(args, "statement_timeout", None) else None
    lock = parse_duration_ms(args.lock_timeout, "--lock-timeout", "arguments") if getattr(args, "lock_timeout", None) else None
    return env.with_timeouts(statement, lock)


def write_output(text: str, output: str | None) -> None:
    if not output:
        sys.stdout.write(text)
        return
    try:
        Path(output).write_text(text, encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot write {output}: {exc.strerror}") from None


def gate_exit_code(verdict: str, fail_on: str | None) -> int:
    """0 to pass the gate, 1 to stop it: NO_GO always stops; HOLD only with --fail-on hold."""
    if verdict == NO_GO:
        return 1
    if verdict == HOLD and fail_on == "hold":
        return 1
    return 0
