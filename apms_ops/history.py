"""The history store: saved reviews, invariant runs, accepted findings and sign-offs.

A SQLite file by default (``$XDG_DATA_HOME/apms-ops/history.sqlite3``); any
SQLAlchemy URL by configuration: ``APMS_OPS_HISTORY_URL``, or ``history_url``
in the ``[apms_ops]`` table of ``.streamlit/secrets.toml``. The store creates
and migrates its own schema (``schema_version`` holds the applied version).
This is the tool's own database, never a reviewed one.
"""

from __future__ import annotations

import json
import os
import threading
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from apms_ops.connections import mask_url, read_secrets
from apms_ops.errors import ConfigError

metadata = sa.MetaData()

schema_version = sa.Table(
    "schema_version", metadata,
    sa.Column("version", sa.Integer, nullable=False),
)

review_runs = sa.Table(
    "review_runs", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("environment", sa.String(200), nullable=False, index=True),
    sa.Column("database", sa.String(500), nullable=False),  # masked
    sa.Column("profile", sa.String(200), nullable=False),
    sa.Column("verdict", sa.String(10), nullable=False),
    sa.Column("started_at", sa.DateTime(timezone=True), nullable=False, index=True),
    sa.Column("duration_ms", sa.Float, nullable=False),
    sa.Column("run_by", sa.String(200), nullable=False),
    sa.Column("source", sa.String(40), nullable=False),  # cli | audit | dashboard
    sa.Column("payload", sa.JSON, nullable=False),  # Review.to_dict() without facts
)

review_checks = sa.Table(
    "review_checks", metadata,
    sa.Column("run_id", sa.Integer, sa.ForeignKey("review_runs.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("check_id", sa.String(100), primary_key=True),
    sa.Column("status", sa.String(10), nullable=False),
    sa.Column("target", sa.JSON),
    sa.Column("actual", sa.JSON),
    sa.Column("findings", sa.Integer, nullable=False),
)

review_findings = sa.Table(
    "review_findings", metadata,
    sa.Column("run_id", sa.Integer, sa.ForeignKey("review_runs.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("check_id", sa.String(100), primary_key=True),
    sa.Column("fingerprint", sa.String(64), primary_key=True),
    sa.Column("finding", sa.JSON, nullable=False),
)

invariant_runs = sa.Table(
    "invariant_runs", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("tag", sa.String(64), nullable=False, index=True),  # the unique tag in every row the test created
    sa.Column("environment", sa.String(200), nullable=False, index=True),
    sa.Column("database", sa.String(500), nullable=False),  # masked
    sa.Column("test", sa.String(100), nullable=False, index=True),
    sa.Column("outcome", sa.String(20), nullable=False),  # PASS | FAIL | NOT_ENFORCED | ERROR | SKIP
    sa.Column("detail", sa.Text, nullable=False, default=""),
    sa.Column("started_at", sa.DateTime(timezone=True), nullable=False, index=True),
    sa.Column("duration_ms", sa.Float, nullable=False),
    sa.Column("run_by", sa.String(200), nullable=False),
    sa.Column("steps", sa.JSON, nullable=False),  # [{name, outcome, sqlstate, duration_ms, detail}]
)

acceptances = sa.Table(
    "acceptances", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("fingerprint", sa.String(64), nullable=False, index=True),
    sa.Column("check_id", sa.String(100), nullable=False),
    sa.Column("environment", sa.String(200)),  # None: every environment
    sa.Column("finding", sa.JSON),  # the finding as it was when accepted, for people reading the list
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("accepted_by", sa.String(200), nullable=False),
    sa.Column("accepted_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("revoked_at", sa.DateTime(timezone=True)),
)

sign_offs = sa.Table(
    "sign_offs", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("environment", sa.String(200), nullable=False, index=True),
    sa.Column("migration", sa.String(300)),
    sa.Column("decision", sa.String(10), nullable=False),  # GO | HOLD | NO_GO
    sa.Column("comment", sa.Text, nullable=False, default=""),
    sa.Column("signed_by", sa.String(200), nullable=False),
    sa.Column("signed_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("review_run_id", sa.Integer, sa.ForeignKey("review_runs.id", ondelete="SET NULL")),
)


def _v1(conn: Connection) -> None:
    metadata.create_all(conn, tables=[review_runs, review_checks, review_findings, invariant_runs, acceptances, sign_offs])


# Ordered schema migrations: append, never edit. MIGRATIONS[i] brings the schema to version i + 1.
MIGRATIONS: list[Callable[[Connection], None]] = [_v1]


def default_history_url() -> str:
    """APMS_OPS_HISTORY_URL, else [apms_ops] history_url in secrets, else a SQLite file in the user's data folder."""
    url = os.environ.get("APMS_OPS_HISTORY_URL")
    if url:
        return url
    settings = read_secrets().get("apms_ops", {})
    if isinstance(settings, dict) and settings.get("history_url"):
        return str(settings["history_url"])
    base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share") / "apms-ops"
    return f"sqlite:///{base / 'history.sqlite3'}"


def utc(value: Any) -> datetime | None:
    """A timezone-aware UTC datetime (SQLite gives naive ones back)."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)


def now() -> datetime:
    return datetime.now(timezone.utc)


def current_user() -> str:
    """Who runs the CLI: APMS_OPS_USER, else the login name."""
    import getpass

    try:
        return os.environ.get("APMS_OPS_USER") or getpass.getuser()
    except Exception:  # noqa: BLE001 - no login name in some containers
        return "unknown"


class HistoryStore:
    """Read and write the history; ``HistoryStore()`` uses the configured default URL."""

    _migrated: set[str] = set()
    _lock = threading.Lock()

    def __init__(self, url: str | None = None):
        self.url = url or default_history_url()
        if self.url.startswith("sqlite:///"):
            path = Path(self.url[len("sqlite:///"):])
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise ConfigError(f"history store {path}: cannot create folder: {exc.strerror}") from None
        try:
            self.engine: Engine = sa.create_engine(self.url, **self._engine_options())
        except Exception as exc:  # noqa: BLE001
            raise ConfigError(f"history store {mask_url(self.url)}: {type(exc).__name__}: {exc}") from None
        self.migrate()

    def _engine_options(self) -> dict:
        if self.url.startswith("sqlite"):
            return {"connect_args": {"timeout": 30}}
        return {"pool_pre_ping": True}

    @property
    def masked_url(self) -> str:
        return mask_url(self.url)

    def migrate(self) -> int:
        """Bring the store's schema to the latest version; returns it."""
        with HistoryStore._lock:
            if self.url in HistoryStore._migrated:
                return len(MIGRATIONS)
            try:
                with self.engine.begin() as conn:
                    schema_version.create(conn, checkfirst=True)
                    current = conn.execute(sa.select(sa.func.max(schema_version.c.version))).scalar() or 0
                    for version in range(current, len(MIGRATIONS)):
                        MIGRATIONS[version](conn)
                        conn.execute(schema_version.insert().values(version=version + 1))
            except sa.exc.SQLAlchemyError as exc:
                raise ConfigError(f"history store {self.masked_url}: {' '.join(str(getattr(exc, 'orig', exc)).split())}") from None
            HistoryStore._migrated.add(self.url)
        return len(MIGRATIONS)

    # ------------------------------------------------------------ reviews

    def save_review(self, review, *, run_by: str | None = None, source: str = "cli") -> int:
        """Store a review (without its facts): verdict, every check's figures and findings."""
        payload = review.to_dict(include_facts=False)
        with self.engine.begin() as conn:
            run_id = conn.execute(
                review_runs.insert().values(
                    environment=review.environment, database=review.database, profile=review.profile,
                    verdict=review.verdict, started_at=utc(review.started_at), duration_ms=review.duration_ms,
                    run_by=run_by or current_user(), source=source, payload=json.loads(json.dumps(payload, default=str)),
                )
            ).inserted_primary_key[0]
            if review.checks:
                conn.execute(review_checks.insert(), [
                    {"run_id": run_id, "check_id": c.id, "status": c.status, "target": _json(c.target),
                     "actual": _json(c.actual), "findings": len(c.findings)} for c in review.checks
                ])
            rows = {(c.id, f["fingerprint"]): f for c in review.checks for f in c.findings if f.get("fingerprint")}
            if rows:
                conn.execute(review_findings.insert(), [
                    {"run_id": run_id, "check_id": cid, "fingerprint": fp, "finding": _json(f)} for (cid, fp), f in rows.items()
                ])
        return run_id

    def list_reviews(self, environment: str | None = None, limit: int = 200) -> list[dict]:
        """Saved reviews, newest first (without payloads)."""
        q = sa.select(*[c for c in review_runs.c if c.name != "payload"]).order_by(review_runs.c.started_at.desc(), review_runs.c.id.desc()).limit(limit)
        if environment:
            q = q.where(review_runs.c.environment == environment)
        with self.engine.connect() as conn:
            return [{**dict(r), "started_at": utc(r.started_at)} for r in conn.execute(q).mappings()]

    def get_review(self, run_id: int):
        """The saved review ``run_id`` as a ``Review``."""
        from apms_ops.review import Review

        with self.engine.connect() as conn:
            payload = conn.execute(sa.select(review_runs.c.payload).where(review_runs.c.id == run_id)).scalar()
        if payload is None:
            raise ConfigError(f"no saved review with id {run_id}")
        return Review.from_dict(payload)

    # ------------------------------------------------------------ invariant runs

    def save_invariant_run(self, run: dict) -> int:
        """Store one invariant test run: keys of ``invariant_runs`` (steps as a list of dicts)."""
        values = {c.name: run.get(c.name) for c in invariant_runs.c if c.name != "id"}
        values["started_at"] = utc(values["started_at"]) or now()
        values["steps"] = _json(values.get("steps") or [])
        values["detail"] = values.get("detail") or ""
        with self.engine.begin() as conn:
            return conn.execute(invariant_runs.insert().values(**values)).inserted_primary_key[0]

    def list_invariant_runs(self, environment: str | None = None, test: str | None = None, limit: int = 200) -> list[dict]:
        """Invariant runs, newest first."""
        q = sa.select(invariant_runs).order_by(invariant_runs.c.started_at.desc(), invariant_runs.c.id.desc()).limit(limit)
        if environment:
            q = q.where(invariant_runs.c.environment == environment)
        if test:
            q = q.where(invariant_runs.c.test == test)
        with self.engine.connect() as conn:
            return [{**dict(r), "started_at": utc(r.started_at)} for r in conn.execute(q).mappings()]


def _json(value: Any) -> Any:
    """A JSON-safe copy (dates and decimals as text) for JSON columns."""
    return json.loads(json.dumps(value, default=str))
