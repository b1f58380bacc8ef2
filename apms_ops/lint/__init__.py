"""Data-aware lint of the migrations about to run: each statement parsed by PostgreSQL's own
parser (pglast) and judged against the target database's catalog, sizes and data.

``lint_paths(env, paths)`` is what the CLI and the Migration lint page call.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import sqlalchemy as sa
from psycopg import sql

from apms_ops.catalog import read_snapshot
from apms_ops.connections import Environment, read_only_session
from apms_ops.errors import ConfigError
from apms_ops.lint.judge import Finding, Target, judge
from apms_ops.lint.rules import BLOCKER, BY_ID, MAJOR, RULES
from apms_ops.migrations.folder import NON_TRANSACTIONAL_MARK, SCRIPT_NAME, FolderMigration, read_folder
from apms_ops.migrations.statements import ScriptSyntaxError, parse_script

LINT_FORMAT_VERSION = 1


@dataclass(frozen=True)
class Script:
    """One migration to lint: its name (the folder's, or the file's), where it is, and its text."""

    migration: str
    file: str
    text: str
    sent_whole: bool = True  # sent as one query string (Prisma), so several statements share one transaction


@dataclass
class LintReport:
    verdict: str
    environment: str
    database: str
    started_at: str
    duration_ms: float
    migrations: list[dict]
    findings: list[Finding]
    statements: list[dict]
    notes: list[str] = field(default_factory=list)

    @property
    def rules_fired(self) -> list[str]:
        return list(dict.fromkeys(f.rule for f in self.findings))

    def to_dict(self) -> dict:
        return {
            "format": LINT_FORMAT_VERSION,
            "verdict": self.verdict,
            "environment": self.environment,
            "database": self.database,
            "started_at": self.started_at,
            "duration_ms": round(self.duration_ms, 1),
            "migrations": self.migrations,
            "findings": [f.to_dict() for f in self.findings],
            "statements": self.statements,
            "notes": self.notes,
            "rules": [{"id": r.id, "title": r.title, "severity": r.severity} for r in RULES],
        }


def verdict_of(findings: list[Finding]) -> str:
    """NO_GO when a statement will fail (a blocker), HOLD when one locks or loses data (major), else GO."""
    severities = {f.severity for f in findings}
    return "NO_GO" if BLOCKER in severities else "HOLD" if MAJOR in severities else "GO"


def scripts_from_folder_migrations(migrations: list[FolderMigration]) -> list[Script]:
    return [Script(m.name, str(m.script_path), m.text, not m.non_transactional) for m in migrations]


def collect_scripts(paths: list[str], pending_of=None, *, sent_whole: bool = True) -> list[Script]:
    """The scripts ``paths`` name: a ``migration.sql`` (or any .sql file), a migration folder, or a
    whole migrations folder, whose pending migrations ``pending_of(folder)`` picks.

    ``sent_whole``: each script reaches the server as one query string, as Prisma sends it
    (False: statement by statement, as ``psql -f`` runs it).
    """
    scripts: list[Script] = []
    for raw in paths:
        path = Path(raw).expanduser()
        if path.is_file():
            try:
                text = path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                raise ConfigError(f"{path}: cannot read: {exc}") from None
            name = path.parent.name if path.name == SCRIPT_NAME else path.name
            scripts.append(Script(name, str(path), text, sent_whole and not text.lstrip().startswith(NON_TRANSACTIONAL_MARK)))
        elif (path / SCRIPT_NAME).is_file():
            scripts.extend(collect_scripts([str(path / SCRIPT_NAME)], sent_whole=sent_whole))
        elif path.is_dir():
            folder = read_folder(path)
            chosen = pending_of(folder) if pending_of else list(folder.migrations)
            scripts.extend(Script(s.migration, s.file, s.text, s.sent_whole and sent_whole) for s in scripts_from_folder_migrations(chosen))
        else:
            raise ConfigError(f"{path}: no such file or folder")
    return scripts


def lint_scripts(env: Environment, scripts: list[Script], *, sample: int = 10, schema: str | None = None) -> LintReport:
    """Judge every statement of ``scripts``, in order, against ``env`` in one read-only snapshot."""
    started = datetime.now(timezone.utc)
    t0 = time.perf_counter()
    findings: list[Finding] = []
    statements: list[dict] = []
    migrations: list[dict] = []
    notes: list[str] = []
    with read_only_session(env) as conn:
        snapshot = read_snapshot(conn)
        target = Target(conn, snapshot, schema or env.schema or "public", sample=sample)
        # Names in a migration's expressions resolve as the app sees them, built-ins first (nothing can shadow them).
        conn.execute(sa.text("SELECT pg_catalog.set_config('search_path', :path, true)"),
                     {"path": f"pg_catalog, {sql.Identifier(target.schema).as_string(None)}"})
        for script in scripts:
            entry = {"migration": script.migration, "file": script.file, "statements": 0, "error": None}
            migrations.append(entry)
            try:
                parsed = parse_script(script.text, whole_script_is_one_transaction=script.sent_whole)
            except ScriptSyntaxError as exc:
                entry["error"] = str(exc)
                rule = BY_ID["L0.syntax_error"]
                findings.append(Finding(rule.id, rule.severity, rule.title, script.migration, script.file, exc.line, "",
                                        f"PostgreSQL's parser stops at line {exc.line}: {exc.message}", fix=rule.fix))
                continue
            entry["statements"] = len(parsed)
            for stmt in parsed:
                judged = judge(stmt, script.migration, script.file, target)
                findings.extend(judged.findings)
                strongest = max(judged.locks, key=lambda lk: (lk.estimated_seconds or 0), default=None)
                statements.append({
                    "migration": script.migration, "line": stmt.line, "kind": stmt.kind, "statement": stmt.first_line,
                    "in_transaction": stmt.in_transaction,
                    "locks": [lk.to_dict() for lk in judged.locks],
                    "estimated_lock_seconds": strongest.estimated_seconds if strongest else 0.0,
                    "notes": judged.notes,
                    "findings": [f.rule for f in judged.findings],
                })
    if not scripts:
        notes.append("no migration to lint (nothing pending)")
    return LintReport(verdict_of(findings), env.name, env.masked_url, started.isoformat(timespec="seconds"),
                      (time.perf_counter() - t0) * 1000, migrations, findings, statements, notes)


def pending_migrations(env: Environment, folder, *, schema: str = "public", table: str = "_prisma_migrations") -> list[FolderMigration]:
    """The folder's migrations ``prisma migrate deploy`` would apply to ``env``, in order."""
    from apms_ops.migrations.status import load_status

    statuses, _ = load_status(env, folder, schema=schema, table=table)
    return [folder.get(s.name) for s in statuses if s.pending]


def lint_paths(env: Environment, paths: list[str], *, sample: int = 10, sent_whole: bool = True) -> LintReport:
    """Lint files, migration folders, or the pending migrations of a migrations folder, against ``env``."""
    schema = env.schema or "public"
    scripts = collect_scripts(paths, pending_of=lambda folder: pending_migrations(env, folder, schema=schema), sent_whole=sent_whole)
    return lint_scripts(env, scripts, sample=sample)
