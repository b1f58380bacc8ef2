"""The history store: saved reviews, invariant runs, accepted findings and sign-offs.

A SQLite file by default (``$XDG_DATA_HOME/apms-ops/history.sqlite3``); any
SQLAlchemy URL by configuration: ``APMS_OPS_HISTORY_URL``, or ``history_url``
in the ``[apms_ops]`` table of ``.streamlit/secrets.toml``. The store creates
and migrates its own schema (``schema_version`` holds the applied version).
This is the tool's own database, never a reviewed one.

Accepted findings are keyed by the finding's fingerprint (stable across runs,
see ``apms_ops.checks.base.fingerprint``) and always expire. Trends and diffs
are read from saved runs, so the CLI's ``audit`` and the dashboard's "Save this
run" feed the same timeline.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import threading
from contextlib import contextmanager
from datetime import date, datetime, time, timezone
from pathlib import Path
from typing import Any, Callable, Iterator

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from apms_ops.connections import mask_url, read_secrets
from apms_ops.errors import ConfigError, HistoryError
from apms_ops.identity import identity_label
from apms_ops.tomlfiles import parse_toml

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
    sa.Column("database_key", sa.String(200), index=True),  # apms_ops.identity key (v3; None before)
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
    sa.Column("database_key", sa.String(200), index=True),  # v3
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
    sa.Column("revoked_by", sa.String(200)),  # added by v2
    sa.Column("database_key", sa.String(200)),  # v3: only this database (None: any database of the environment)
    sa.Column("database", sa.String(500)),  # v3: the database's label, for people reading the list
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
    sa.Column("database_key", sa.String(200)),  # v3: the database the decision was made on
)


def _v1(conn: Connection) -> None:
    metadata.create_all(conn, tables=[review_runs, review_checks, review_findings, invariant_runs, acceptances, sign_offs])


def _store_schema(conn: Connection) -> str | None:
    """The schema the store's tables live in on PostgreSQL (None on SQLite)."""
    return (conn.get_execution_options().get("schema_translate_map") or {}).get(None)


def _table_name(conn: Connection, name: str) -> str:
    """``name`` qualified with the store's schema where there is one, quoted by the dialect."""
    schema, quote = _store_schema(conn), conn.dialect.identifier_preparer.quote
    return f"{quote(schema)}.{quote(name)}" if schema else quote(name)


def _add_missing_columns(conn: Connection, table: str, columns: dict[str, str]) -> None:
    # v1 builds tables from the live Table objects, so a store created after a migration was
    # written already has its columns: add only those that are missing.
    present = {c["name"] for c in sa.inspect(conn).get_columns(table, schema=_store_schema(conn))}
    for name, ddl in columns.items():
        if name not in present:
            conn.execute(sa.text(f"ALTER TABLE {_table_name(conn, table)} ADD COLUMN {name} {ddl}"))


def _v2(conn: Connection) -> None:
    """Who revoked an acceptance, and the lookups the history page makes per environment."""
    _add_missing_columns(conn, "acceptances", {"revoked_by": "VARCHAR(200)"})
    existing = {i["name"] for i in sa.inspect(conn).get_indexes("review_findings", schema=_store_schema(conn))}
    if "ix_review_findings_fingerprint" not in existing:
        conn.execute(sa.text(f"CREATE INDEX ix_review_findings_fingerprint ON {_table_name(conn, 'review_findings')} (fingerprint)"))


def _v3(conn: Connection) -> None:
    """The identity of the database each run, acceptance and sign-off is about."""
    for table in ("review_runs", "invariant_runs", "sign_offs"):
        _add_missing_columns(conn, table, {"database_key": "VARCHAR(200)"})
    _add_missing_columns(conn, "acceptances", {"database_key": "VARCHAR(200)", "database": "VARCHAR(500)"})
    for table in ("review_runs", "invariant_runs"):
        existing = {i["name"] for i in sa.inspect(conn).get_indexes(table, schema=_store_schema(conn))}
        if f"ix_{table}_database_key" not in existing:
            conn.execute(sa.text(f"CREATE INDEX ix_{table}_database_key ON {_table_name(conn, table)} (database_key)"))


# Ordered schema migrations: append, never edit. MIGRATIONS[i] brings the schema to version i + 1.
MIGRATIONS: list[Callable[[Connection], None]] = [_v1, _v2, _v3]
DATA_TABLES = (review_runs, invariant_runs, acceptances, sign_offs)

# Checks whose figures the trends follow (ids are stable for ever, see the registry).
FK_CHECK = "C1.foreign_keys"
CHECKS_CHECK = "C1.check_constraints"
ORPHANS_CHECK = "C1.orphans"
ACTIVE_CHECK = "C4.one_active_per_workspace"
TREND_CHECKS = (FK_CHECK, CHECKS_CHECK, ORPHANS_CHECK, ACTIVE_CHECK)

DECISIONS = ("GO", "HOLD", "NO_GO")

# Worse is higher. SKIP sits above PASS: a check that stopped running verifies less.
STATUS_RANK = {"PASS": 0, "INFO": 0, "SKIP": 1, "WARN": 2, "ERROR": 3, "FAIL": 4}


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


def marker_path(url: str) -> Path:
    """Where the note that a store has held data is kept: beside a SQLite file, else in the user's data folder."""
    path = sqlite_path(url)
    if path is not None:
        return path.with_name(path.name + ".apms-ops-held")
    base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share") / "apms-ops" / "history-markers"
    return base / f"{hashlib.sha256(mask_url(url).encode()).hexdigest()[:16]}.json"


def sqlite_path(url: str) -> Path | None:
    """The file of a SQLite store (``sqlite:///path``, also ``sqlite:///file:path?mode=ro&uri=true``), else None."""
    if not url.startswith("sqlite:///") or url == "sqlite:///:memory:":
        return None
    database = url[len("sqlite:///"):].split("?", 1)[0]
    return Path(database[len("file:"):] if database.startswith("file:") else database)


def read_marker(path: Path) -> dict | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {} if path.exists() else None
    return data if isinstance(data, dict) else {}


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


# A store locked by another process must cost seconds, not the review: commands report
# the failure and go on (SQLite's busy timeout; PostgreSQL's lock and connect timeouts).
BUSY_TIMEOUT_S = 2
PG_OPTIONS = f"-c search_path=pg_catalog,pg_temp -c lock_timeout={BUSY_TIMEOUT_S * 1000} -c statement_timeout=30000"


def _store_errors(method):
    """Database errors of a store method become one ``HistoryError`` line naming the store."""

    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except sa.exc.SQLAlchemyError as exc:
            raise HistoryError(f"history store {self.masked_url}: {_reason(exc)}") from None

    return wrapper


def _reason(exc: BaseException) -> str:
    return " ".join(str(getattr(exc, "orig", None) or exc).split()) or type(exc).__name__


class HistoryStore:
    """Read and write the history; ``HistoryStore()`` uses the configured default URL.

    A store that has held runs keeps a marker beside it (``marker_path``); a store
    found missing, empty or unreadable while its marker exists is refused, never
    silently recreated: ``history restore`` brings a backup back.
    """

    _migrated: set[str] = set()
    _lock = threading.Lock()

    def __init__(self, url: str | None = None):
        self.url = _with_driver(url or default_history_url())
        self.marker = marker_path(self.url)
        path = sqlite_path(self.url)
        if path is not None:
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise HistoryError(f"history store {path}: cannot create folder: {exc.strerror}") from None
            self._refuse_lost_file(path)
        try:
            self.engine: Engine = sa.create_engine(self.url, **self._engine_options())
            if self.engine.dialect.name == "postgresql":
                self.engine = self.engine.execution_options(schema_translate_map={None: self._postgres_schema()})
        except HistoryError:
            raise
        except Exception as exc:  # noqa: BLE001
            raise HistoryError(f"history store {mask_url(self.url)}: {type(exc).__name__}: {_reason(exc)}") from None
        self.migrate()
        self._check_marker()

    def _engine_options(self) -> dict:
        if self.url.startswith("sqlite"):
            return {"connect_args": {"timeout": BUSY_TIMEOUT_S}}
        if self.url.startswith("postgresql"):
            return {"pool_pre_ping": True, "connect_args": {"connect_timeout": 5, "options": PG_OPTIONS,
                                                            "application_name": "apms-ops history"}}
        return {"pool_pre_ping": True}

    def _postgres_schema(self) -> str:
        """Where the tables live: the user's own schema if there is one, else public (PostgreSQL's
        default search_path), named explicitly because every session pins search_path to pg_catalog."""
        with self.engine.connect() as conn:
            schema = conn.exec_driver_sql(
                "SELECT n.nspname FROM pg_catalog.pg_namespace AS n "
                "WHERE n.nspname OPERATOR(pg_catalog.=) ANY (ARRAY[CAST(current_user AS pg_catalog.text), 'public']) "
                "ORDER BY n.nspname OPERATOR(pg_catalog.=) 'public' LIMIT 1").scalar()
        if schema is None:
            raise HistoryError(f"history store {self.masked_url}: no schema named like the user or public to keep its tables in")
        return schema

    @property
    def masked_url(self) -> str:
        return mask_url(self.url)

    # ------------------------------------------------------------ never lose a store silently

    def _lost(self, what: str) -> HistoryError:
        held = read_marker(self.marker)
        since = f", last written {held.get('last_write', '?')}" if held else ""
        return HistoryError(
            f"history store {self.masked_url} {what}, but it has held runs{since} (marker {self.marker}): refusing to start "
            f"an empty one in its place; restore a backup with 'python -m apms_ops history restore FILE', "
            f"or delete the marker to start afresh")

    def _refuse_lost_file(self, path: Path) -> None:
        if not self.marker.exists():
            return
        if not path.exists():
            raise self._lost("is missing")
        if path.stat().st_size == 0:
            raise self._lost("is empty (0 bytes)")

    def _check_marker(self) -> None:
        """A store that held runs must still hold some; one that holds runs gets its marker."""
        try:
            held = self.holds_data()
        except HistoryError:
            if self.marker.exists():
                raise self._lost("cannot be read") from None
            raise
        if held:
            if not self.marker.exists():
                self._mark_held()
        elif self.marker.exists():
            raise self._lost("holds no runs, acceptances or sign-offs")

    @_store_errors
    def holds_data(self) -> bool:
        with self.engine.connect() as conn:
            return any(conn.execute(sa.select(sa.literal(1)).select_from(t).limit(1)).first() for t in DATA_TABLES)

    def _mark_held(self) -> None:
        """Note beside the store that it holds data (a failure to note is not worth losing a write over)."""
        held = read_marker(self.marker) or {"store": self.masked_url, "held_since": now().isoformat(timespec="seconds")}
        held["last_write"] = now().isoformat(timespec="seconds")
        try:
            self.marker.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.marker.with_name(f"{self.marker.name}.{os.getpid()}.tmp")
            tmp.write_text(json.dumps(held, indent=2) + "\n", encoding="utf-8")
            os.replace(tmp, self.marker)
        except OSError:
            pass

    @contextmanager
    def _writing(self) -> Iterator[Connection]:
        """One write transaction; a failure is one ``HistoryError`` line, a success refreshes the marker."""
        try:
            with self.engine.begin() as conn:
                yield conn
        except sa.exc.SQLAlchemyError as exc:
            raise HistoryError(f"history store {self.masked_url}: {_reason(exc)}") from None
        self._mark_held()

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
                if self.marker.exists():
                    raise self._lost(f"cannot be read ({_reason(exc)})") from None
                raise HistoryError(f"history store {self.masked_url}: {_reason(exc)}") from None
            HistoryStore._migrated.add(self.url)
        return len(MIGRATIONS)

    # ------------------------------------------------------------ reviews

    @_store_errors
    def save_review(self, review, *, run_by: str | None = None, source: str = "cli") -> int:
        """Store a review (without its facts): verdict, every check's figures and findings."""
        payload = review.to_dict(include_facts=False)
        with self._writing() as conn:
            run_id = conn.execute(
                review_runs.insert().values(
                    environment=review.environment, database=review.database, profile=review.profile,
                    verdict=review.verdict, started_at=utc(review.started_at), duration_ms=review.duration_ms,
                    run_by=run_by or current_user(), source=source, payload=json.loads(json.dumps(payload, default=str)),
                    database_key=review.database_key,
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

    @_store_errors
    def list_reviews(self, environment: str | None = None, limit: int = 200) -> list[dict]:
        """Saved reviews, newest first (without payloads)."""
        # A run limited by --only says so in its payload; read it there, so old stores need no migration.
        partial = review_runs.c.payload["partial"].as_boolean().label("partial")
        q = sa.select(*[c for c in review_runs.c if c.name != "payload"], partial).order_by(
            review_runs.c.started_at.desc(), review_runs.c.id.desc()).limit(limit)
        if environment:
            q = q.where(review_runs.c.environment == environment)
        with self.engine.connect() as conn:
            return [{**dict(r), "partial": bool(r.partial), "started_at": utc(r.started_at)} for r in conn.execute(q).mappings()]

    @_store_errors
    def get_review(self, run_id: int):
        """The saved review ``run_id`` as a ``Review``."""
        from apms_ops.review import Review

        with self.engine.connect() as conn:
            payload = conn.execute(sa.select(review_runs.c.payload).where(review_runs.c.id == run_id)).scalar()
        if payload is None:
            raise ConfigError(f"no saved review with id {run_id}")
        return Review.from_dict(payload)

    # ------------------------------------------------------------ invariant runs

    @_store_errors
    def save_invariant_run(self, run: dict) -> int:
        """Store one invariant test run: keys of ``invariant_runs`` (steps as a list of dicts)."""
        values = {c.name: run.get(c.name) for c in invariant_runs.c if c.name != "id"}
        values["started_at"] = utc(values["started_at"]) or now()
        values["steps"] = _json(values.get("steps") or [])
        values["detail"] = values.get("detail") or ""
        with self._writing() as conn:
            return conn.execute(invariant_runs.insert().values(**values)).inserted_primary_key[0]

    @_store_errors
    def list_invariant_runs(self, environment: str | None = None, test: str | None = None, limit: int = 200,
                            database_key: str | None = None) -> list[dict]:
        """Invariant runs, newest first (with ``database_key``: of that database only)."""
        q = sa.select(invariant_runs).order_by(invariant_runs.c.started_at.desc(), invariant_runs.c.id.desc()).limit(limit)
        if environment:
            q = q.where(invariant_runs.c.environment == environment)
        if database_key:
            q = q.where(invariant_runs.c.database_key == database_key)
        if test:
            q = q.where(invariant_runs.c.test == test)
        with self.engine.connect() as conn:
            return [{**dict(r), "started_at": utc(r.started_at)} for r in conn.execute(q).mappings()]

    @_store_errors
    def latest_invariant_runs(self, environment: str, database_key: str | None = None) -> list[dict]:
        """The newest run of each invariant test for ``environment`` (and, with ``database_key``,
        of that database: a report never shows another database's results), by test name."""
        latest: dict[str, dict] = {}
        for run in self.list_invariant_runs(environment, limit=1000, database_key=database_key):
            latest.setdefault(run["test"], run)
        return [latest[t] for t in sorted(latest)]

    # ------------------------------------------------------------ saved runs, looked up

    @_store_errors
    def latest_review_id(self, environment: str, before: int | None = None, database_key: str | None = None) -> int | None:
        """The id of the newest saved review of ``environment`` (older than run ``before`` if given;
        of the database ``database_key`` if given)."""
        q = sa.select(review_runs.c.id, review_runs.c.started_at).where(review_runs.c.environment == environment)
        if database_key:
            q = q.where(review_runs.c.database_key == database_key)
        if before is not None:
            with self.engine.connect() as conn:
                ref = conn.execute(sa.select(review_runs.c.started_at).where(review_runs.c.id == before)).scalar()
            if ref is None:
                raise ConfigError(f"no saved review with id {before}")
            q = q.where(sa.or_(review_runs.c.started_at < ref, sa.and_(review_runs.c.started_at == ref, review_runs.c.id < before)))
        q = q.order_by(review_runs.c.started_at.desc(), review_runs.c.id.desc()).limit(1)
        with self.engine.connect() as conn:
            return conn.execute(q).scalar()

    @_store_errors
    def environments(self) -> list[str]:
        """Every environment with a saved review, an acceptance or a sign-off, sorted."""
        with self.engine.connect() as conn:
            names = set(conn.execute(sa.select(review_runs.c.environment).distinct()).scalars())
            names |= set(conn.execute(sa.select(sign_offs.c.environment).distinct()).scalars())
            names |= {n for n in conn.execute(sa.select(acceptances.c.environment).distinct()).scalars() if n}
        return sorted(names)

    @_store_errors
    def find_finding(self, fingerprint: str, environment: str | None = None) -> dict | None:
        """The newest saved finding with ``fingerprint`` (``{"check_id", "finding", "run_id", "environment", "database_key", "database"}``)."""
        q = (sa.select(review_findings.c.check_id, review_findings.c.finding, review_runs.c.id, review_runs.c.environment,
                       review_runs.c.database_key, review_runs.c.payload["database_identity"].label("identity"))
             .join(review_runs, review_runs.c.id == review_findings.c.run_id)
             .where(review_findings.c.fingerprint == fingerprint)
             .order_by(review_runs.c.started_at.desc(), review_runs.c.id.desc()).limit(1))
        if environment:
            q = q.where(review_runs.c.environment == environment)
        with self.engine.connect() as conn:
            row = conn.execute(q).first()
        if row is None:
            return None
        return {"check_id": row.check_id, "finding": row.finding, "run_id": row.id, "environment": row.environment,
                "database_key": row.database_key, "database": identity_label(row.identity)}

    # ------------------------------------------------------------ acceptances

    @_store_errors
    def accept(self, fingerprint: str, check_id: str, reason: str, expires_at: datetime | date | str, *,
               environment: str | None = None, finding: dict | None = None, accepted_by: str | None = None,
               accepted_at: datetime | None = None, database_key: str | None = None, database: str | None = None,
               policy=None) -> int:
        """Accept one finding until ``expires_at``; returns the acceptance id.

        A new acceptance of the same fingerprint for the same environment replaces
        the active one (which is revoked), so there is one answer per finding.
        ``database_key`` binds it to one database (``apms_ops.identity``); the
        acceptance policy (``[apms_ops]`` in the secrets, see
        ``apms_ops.operators.acceptance_policy``) bounds the expiry and refuses
        critical findings unless it allows them.
        """
        from apms_ops.operators import DEMO_USER, acceptance_policy

        policy = policy or acceptance_policy()
        fingerprint, check_id, reason = (fingerprint or "").strip(), (check_id or "").strip(), (reason or "").strip()
        if not fingerprint:
            raise ConfigError("an acceptance needs the finding's fingerprint")
        if not check_id:
            raise ConfigError("an acceptance needs the check id")
        if not reason:
            raise ConfigError("an acceptance needs a reason")
        expires = expiry(expires_at)
        accepted_at = utc(accepted_at) or now()
        if expires <= now():
            raise ConfigError(f"expiry {expires:%Y-%m-%d %H:%M} UTC is in the past: an acceptance must expire in the future")
        refusal = policy.refusal(check_id, finding, expires, accepted_at)
        if refusal:
            raise ConfigError(refusal)
        if environment is None and (accepted_by or "").strip() == DEMO_USER:
            raise ConfigError("an anonymous demo visitor can accept a finding for a demo environment only, not for every environment")
        who = (accepted_by or current_user()).strip() or "unknown"
        snapshot = {k: v for k, v in (finding or {}).items() if k not in ("accepted", "acceptance")} or None
        with self._writing() as conn:
            self._revoke_active(conn, fingerprint, environment, who)
            return conn.execute(acceptances.insert().values(
                fingerprint=fingerprint, check_id=check_id, environment=environment or None, finding=_json(snapshot),
                reason=reason, accepted_by=who, accepted_at=accepted_at, expires_at=expires,
                database_key=database_key or None, database=database if database_key else None,
            )).inserted_primary_key[0]

    def _revoke_active(self, conn: Connection, fingerprint: str, environment: str | None, who: str) -> None:
        env_match = acceptances.c.environment.is_(None) if not environment else acceptances.c.environment == environment
        conn.execute(acceptances.update()
                     .where(acceptances.c.fingerprint == fingerprint, env_match, acceptances.c.revoked_at.is_(None),
                            acceptances.c.expires_at > now())
                     .values(revoked_at=now(), revoked_by=who))

    @_store_errors
    def revoke(self, acceptance_id: int, *, revoked_by: str | None = None) -> dict:
        """Revoke an acceptance: its finding counts in the verdict again from the next run."""
        with self._writing() as conn:
            row = conn.execute(sa.select(acceptances).where(acceptances.c.id == acceptance_id)).mappings().first()
            if row is None:
                raise ConfigError(f"no acceptance with id {acceptance_id}")
            if row["revoked_at"] is not None:
                raise ConfigError(f"acceptance {acceptance_id} was already revoked at {utc(row['revoked_at']):%Y-%m-%d %H:%M} UTC")
            conn.execute(acceptances.update().where(acceptances.c.id == acceptance_id)
                         .values(revoked_at=now(), revoked_by=(revoked_by or current_user())))
        return self.get_acceptance(acceptance_id)

    @_store_errors
    def get_acceptance(self, acceptance_id: int) -> dict:
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(acceptances).where(acceptances.c.id == acceptance_id)).mappings().first()
        if row is None:
            raise ConfigError(f"no acceptance with id {acceptance_id}")
        return _acceptance_row(row)

    @_store_errors
    def list_acceptances(self, environment: str | None = None, *, include_inactive: bool = False,
                         at: datetime | None = None) -> list[dict]:
        """Acceptances, newest first, each with ``state`` (active, expired or revoked).

        With ``environment``: those for that environment and those for every environment.
        """
        q = sa.select(acceptances).order_by(acceptances.c.accepted_at.desc(), acceptances.c.id.desc())
        if environment:
            q = q.where(sa.or_(acceptances.c.environment == environment, acceptances.c.environment.is_(None)))
        with self.engine.connect() as conn:
            rows = [_acceptance_row(r, at) for r in conn.execute(q).mappings()]
        return rows if include_inactive else [r for r in rows if r["state"] == "active"]

    @_store_errors
    def active_acceptances(self, environment: str | None, now: datetime | None = None,
                           database_key: str | None = None) -> dict[str, dict]:
        """``{fingerprint: acceptance}`` for ``apply_acceptances``: unexpired, unrevoked, for this
        environment or for every environment (the environment's own one wins), and, with
        ``database_key``, not bound to another database."""
        out: dict[str, dict] = {}
        rows = [a for a in self.list_acceptances(environment, at=now)
                if not (database_key and a.get("database_key") and a["database_key"] != database_key)]
        for acc in sorted(rows, key=lambda a: (a["environment"] is not None, a["accepted_at"])):
            out[acc["fingerprint"]] = {k: acc.get(k) for k in ("id", "check_id", "environment", "reason", "accepted_by",
                                                                "accepted_at", "expires_at", "database_key")}
        return out

    def apply_acceptances(self, review):
        """A copy of ``review`` with the acceptances valid for its environment and database applied
        and its verdict decided again (``review`` itself is not changed)."""
        from apms_ops.review import with_acceptances

        return with_acceptances(review, self.active_acceptances(review.environment, database_key=review.database_key))

    @_store_errors
    def export_acceptances(self, environment: str | None = None) -> str:
        """The active acceptances as TOML (``[[acceptance]]`` tables), for version control."""
        import tomli_w

        entries = []
        for acc in sorted(self.list_acceptances(environment), key=lambda a: (a["check_id"], a["fingerprint"], a["environment"] or "")):
            entry = {"fingerprint": acc["fingerprint"], "check": acc["check_id"]}
            if acc["environment"]:
                entry["environment"] = acc["environment"]
            if acc.get("database_key"):
                entry.update(database_key=acc["database_key"], database=acc.get("database") or "")
            entry.update(reason=acc["reason"], accepted_by=acc["accepted_by"],
                         accepted_at=acc["accepted_at"].replace(microsecond=0), expires_at=acc["expires_at"].replace(microsecond=0))
            finding = _toml_safe({k: v for k, v in (acc.get("finding") or {}).items() if k not in ("sql", "fingerprint")})
            if finding:
                entry["finding"] = finding
            entries.append(entry)
        head = ("# Accepted findings (apms-ops). Import with: python -m apms_ops acceptances import FILE\n"
                "# Each entry leaves one finding out of the verdict until expires_at.\n")
        return head + tomli_w.dumps({"acceptance": entries}) if entries else head

    @_store_errors
    def import_acceptances(self, text: str, *, source: str = "TOML") -> dict:
        """Load acceptances from TOML text; returns counts ``{"added", "unchanged", "expired"}``.

        Entries already present with the same reason and expiry are left alone, so
        importing the same file twice changes nothing. Expired entries are skipped.
        """
        from apms_ops.operators import acceptance_policy

        policy = acceptance_policy()
        data = parse_toml(text, source)
        entries = data.get("acceptance", [])
        if not isinstance(entries, list):
            raise ConfigError(f"{source}: 'acceptance' must be an array of tables ([[acceptance]])")
        parsed = []
        for i, entry in enumerate(entries, 1):
            where = f"{source}: acceptance {i}"
            if not isinstance(entry, dict):
                raise ConfigError(f"{where}: must be a table")
            unknown = set(entry) - {"fingerprint", "check", "environment", "reason", "accepted_by", "accepted_at", "expires_at", "finding",
                                    "database_key", "database"}
            if unknown:
                raise ConfigError(f"{where}: unknown key {sorted(unknown)[0]!r}")
            for key in ("fingerprint", "check", "reason", "expires_at"):
                if not entry.get(key):
                    raise ConfigError(f"{where}: missing {key}")
            try:
                expires = expiry(entry["expires_at"])
                accepted_at = utc(entry["accepted_at"]) if entry.get("accepted_at") else None
            except (ValueError, TypeError) as exc:
                raise ConfigError(f"{where}: {exc}") from None
            refusal = policy.refusal(str(entry["check"]), entry.get("finding"), expires, accepted_at or now())
            if refusal and expires > now():
                raise ConfigError(f"{where}: {refusal}")
            parsed.append((entry, expires, accepted_at))
        counts = {"added": 0, "unchanged": 0, "expired": 0}
        for entry, expires, accepted_at in parsed:  # validated all first: a bad file imports nothing
            if expires <= now():
                counts["expired"] += 1
                continue
            env = entry.get("environment") or None
            same = [a for a in self.list_acceptances(env) if a["fingerprint"] == entry["fingerprint"]
                    and a["environment"] == env and a["reason"] == entry["reason"].strip() and a["expires_at"] == expires]
            if same:
                counts["unchanged"] += 1
                continue
            self.accept(entry["fingerprint"], entry["check"], entry["reason"], expires, environment=env,
                        finding=entry.get("finding"), accepted_by=entry.get("accepted_by"), accepted_at=accepted_at,
                        database_key=entry.get("database_key"), database=entry.get("database"))
            counts["added"] += 1
        return counts

    # ------------------------------------------------------------ sign-offs

    @_store_errors
    def sign_off(self, environment: str, decision: str, *, migration: str | None = None, comment: str = "",
                 signed_by: str | None = None, review_run_id: int | None = None) -> int:
        """Record a person's decision for an environment (and migration); returns its id.

        ``review_run_id`` defaults to the newest saved review of the environment, so
        the sign-off says which evidence it was made on.
        """
        decision = normalize_decision(decision)
        if not (environment or "").strip():
            raise ConfigError("a sign-off needs an environment")
        if review_run_id is None:
            review_run_id = self.latest_review_id(environment)
        database_key = None
        if review_run_id is not None:
            with self.engine.connect() as conn:
                run = conn.execute(sa.select(review_runs.c.environment, review_runs.c.database_key)
                                   .where(review_runs.c.id == review_run_id)).first()
            if run is None:
                raise ConfigError(f"no saved review with id {review_run_id}")
            if run.environment != environment:
                raise ConfigError(f"saved review {review_run_id} is of environment {run.environment!r}, not {environment!r}")
            database_key = run.database_key  # the decision is about the database that run reviewed
        if not (comment or "").strip():
            raise ConfigError("a sign-off needs a comment: the conditions, the reasons, who decided")
        with self._writing() as conn:
            return conn.execute(sign_offs.insert().values(
                environment=environment, migration=(migration or "").strip() or None, decision=decision,
                comment=(comment or "").strip(), signed_by=(signed_by or current_user()), signed_at=now(),
                review_run_id=review_run_id, database_key=database_key,
            )).inserted_primary_key[0]

    @_store_errors
    def list_sign_offs(self, environment: str | None = None, limit: int = 100, database_key: str | None = None) -> list[dict]:
        """Sign-offs, newest first, each with the verdict of the review it was made on (with
        ``database_key``: those made on that database, or on no recorded run)."""
        q = (sa.select(sign_offs, review_runs.c.verdict.label("review_verdict"), review_runs.c.started_at.label("review_started_at"))
             .select_from(sign_offs.outerjoin(review_runs, review_runs.c.id == sign_offs.c.review_run_id))
             .order_by(sign_offs.c.signed_at.desc(), sign_offs.c.id.desc()).limit(limit))
        if environment:
            q = q.where(sign_offs.c.environment == environment)
        if database_key:
            q = q.where(sa.or_(sign_offs.c.database_key == database_key, sign_offs.c.database_key.is_(None)))
        with self.engine.connect() as conn:
            return [{**dict(r), "signed_at": utc(r.signed_at), "review_started_at": utc(r.review_started_at)}
                    for r in conn.execute(q).mappings()]

    @_store_errors
    def latest_sign_off(self, environment: str, database_key: str | None = None) -> dict | None:
        """The newest sign-off for ``environment`` (made on the database ``database_key``, if given), or None."""
        rows = self.list_sign_offs(environment, limit=1, database_key=database_key)
        return rows[0] if rows else None

    @_store_errors
    def identity_changes(self, environment: str, limit: int = 500) -> list[dict]:
        """Saved runs of ``environment`` whose database differs from the run before it, newest first:
        ``{"run_id", "started_at", "database", "previous_run_id", "previous_database"}``."""
        runs = list(reversed(self.list_reviews(environment, limit=limit)))
        with self.engine.connect() as conn:
            labels = dict(conn.execute(sa.select(review_runs.c.id, review_runs.c.payload["database_identity"])
                                       .where(review_runs.c.id.in_([r["id"] for r in runs]))).all()) if runs else {}
        out = []
        for before, after in zip(runs, runs[1:]):
            if before["database_key"] and after["database_key"] and before["database_key"] != after["database_key"]:
                out.append({"run_id": after["id"], "started_at": after["started_at"], "database": identity_label(labels.get(after["id"])),
                            "previous_run_id": before["id"], "previous_database": identity_label(labels.get(before["id"]))})
        return list(reversed(out))

    def identity_change(self, environment: str, review, run_id: int | None = None) -> dict | None:
        """How the database of ``review`` differs from the environment's previous saved run, or None."""
        previous_id = self.latest_review_id(environment, before=run_id) if run_id is not None else self.latest_review_id(environment)
        if previous_id is None or previous_id == run_id:
            return None
        previous = self.get_review(previous_id)
        if previous.database_key and review.database_key and previous.database_key != review.database_key:
            return {"previous_run_id": previous_id, "previous_database": identity_label(previous.identity),
                    "database": identity_label(review.identity)}
        return None

    # ------------------------------------------------------------ trends and diffs

    @_store_errors
    def trends(self, environment: str, limit: int = 200) -> list[dict]:
        """One row per saved review of ``environment``, oldest first, with the figures the
        history page charts.

        ``fk_present``/``fk_target``/``fk_coverage`` from C1.foreign_keys,
        ``orphans`` (total) and ``orphans_by_reference`` from C1.orphans (a reference
        seen in any run counts 0 in the runs where it had none), ``check_constraints``
        from C1.check_constraints, ``active_violations`` = C4 findings. A figure is None
        when its check did not run or could not run in that review.
        """
        runs = list(reversed(self.list_reviews(environment, limit=limit)))
        if not runs:
            return []
        ids = [r["id"] for r in runs]
        with self.engine.connect() as conn:
            checks = conn.execute(sa.select(review_checks).where(review_checks.c.run_id.in_(ids), review_checks.c.check_id.in_(TREND_CHECKS))).mappings().all()
            orphan_rows = conn.execute(sa.select(review_findings.c.run_id, review_findings.c.finding)
                                       .where(review_findings.c.run_id.in_(ids), review_findings.c.check_id == ORPHANS_CHECK)).all()
        by_run: dict[int, dict[str, Any]] = {i: {} for i in ids}
        for c in checks:
            by_run[c["run_id"]][c["check_id"]] = c
        orphans: dict[int, dict[str, int]] = {i: {} for i in ids}
        for run_id, finding in orphan_rows:
            orphans[run_id][reference_label(finding)] = int(finding.get("orphans") or 0)
        references = sorted({ref for per_run in orphans.values() for ref in per_run})
        out = []
        for run in runs:
            figures = by_run[run["id"]]
            fk, cc, orph, act = (figures.get(k) for k in TREND_CHECKS)
            fk_present, fk_target = _number(fk, "actual"), _number(fk, "target")
            orphans_ran = orph is not None and orph["status"] not in ("ERROR", "SKIP")
            out.append({
                "run_id": run["id"], "started_at": run["started_at"], "verdict": run["verdict"], "source": run["source"],
                "run_by": run["run_by"], "partial": run["partial"],
                "fk_present": fk_present, "fk_target": fk_target,
                "fk_coverage": (fk_present / fk_target) if fk_present is not None and fk_target else None,
                "orphans": _number(orph, "actual") if orphans_ran else None,
                "orphans_by_reference": {ref: orphans[run["id"]].get(ref, 0) for ref in references} if orphans_ran else {},
                "check_constraints": _number(cc, "actual"), "check_constraints_target": _number(cc, "target"),
                "active_violations": act["findings"] if act is not None and act["status"] not in ("ERROR", "SKIP") else None,
            })
        return out

    @_store_errors
    def diff(self, run_a: int, run_b: int, *, across_databases: bool = False) -> dict:
        """What changed from saved run ``run_a`` to ``run_b``: see :func:`diff_reviews`.

        Two runs of different databases are refused unless ``across_databases``; the
        result says ``same_database`` either way."""
        a, b = self.get_review(run_a), self.get_review(run_b)
        if not across_databases and a.database_key and b.database_key and a.database_key != b.database_key:
            raise ConfigError(f"run #{run_a} and run #{run_b} are of different databases ({identity_label(a.identity)}; "
                              f"{identity_label(b.identity)}): their differences are not changes; compare them anyway "
                              "with --across-databases")
        out = diff_reviews(a, b)
        out["a"]["run_id"], out["b"]["run_id"] = run_a, run_b
        return out

    @_store_errors
    def save_with_acceptances(self, review, *, run_by: str | None = None, source: str = "dashboard"):
        """Save a review made without acceptances (the dashboard's) as ``audit`` would have:
        a copy with the active acceptances applied and its verdict decided again.
        Returns ``(saved_review, run_id)``; ``review`` itself is not changed."""
        copy = self.apply_acceptances(review)
        copy.facts = None
        return copy, self.save_review(copy, run_by=run_by, source=source)

    @_store_errors
    def report_extras(self, review, *, run_id: int | None = None, since: int | None = None) -> dict:
        """What the report adds to a review from history: the latest invariant runs, the latest
        sign-off, the audit history, the acceptances, and the changes since a baseline run.

        The baseline is ``since`` if given, else the saved run before ``run_id`` (when the
        review is a saved run), else the newest saved run of the environment; always of the
        same database as the review (``identity_change`` says when the environment's
        database changed since its previous saved run). Invariant runs and the sign-off are
        those of the review's database.
        """
        env, key = review.environment, review.database_key
        if since is not None:
            baseline = since
        elif run_id is not None:
            baseline = self.latest_review_id(env, before=run_id, database_key=key)
        else:
            baseline = self.latest_review_id(env, database_key=key)
        changes = None
        if baseline is not None and baseline != run_id:
            before = self.get_review(baseline)
            if key and before.database_key and before.database_key != key:
                raise ConfigError(f"run #{baseline} is of another database ({identity_label(before.identity)}) than this review "
                                  f"({identity_label(review.identity)}): not a baseline for its changes")
            changes = diff_reviews(before, review)
            changes["a"]["run_id"], changes["b"]["run_id"] = baseline, run_id
        return {
            "invariant_runs": self.latest_invariant_runs(env, database_key=key),
            "sign_off": self.latest_sign_off(env, database_key=key),
            "identity_change": self.identity_change(env, review, run_id=run_id),
            "history": self.trends(env, limit=50),
            "changes": changes,
            "acceptances": self.list_acceptances(env),
            "run_id": run_id,
        }


class ReviewNotSaved(HistoryError):
    """The review was made but the history store failed; ``review`` holds it (nothing is lost)."""

    def __init__(self, message: str, review, *, acceptances_applied: bool):
        super().__init__(message)
        self.review = review
        self.acceptances_applied = acceptances_applied


def run_audit(env, store: HistoryStore | None = None, *, profile: str = "auto", only: list[str] | None = None,
              run_by: str | None = None, source: str = "audit", history_url: str | None = None, with_facts: bool = False,
              prisma_schema: str | None = None):
    """Review ``env``, apply the acceptances valid for its database and save the run; returns ``(review, run_id)``.

    The CLI's ``audit``, ``check --save`` and ``report --save`` come through here. The
    database is reviewed first: when it cannot be, the error propagates and nothing is
    saved (a run that did not happen has no figures to remember). When the history
    store fails (locked, read-only, unreadable), ``ReviewNotSaved`` carries the review,
    so the caller still prints it.
    """
    from apms_ops.review import run_review

    review = run_review(env, profile, only=only, with_facts=with_facts, prisma_schema=prisma_schema)
    applied = False
    try:
        store = store or HistoryStore(history_url)
        review = store.apply_acceptances(review)
        applied = True
        run_id = store.save_review(review, run_by=run_by, source=source)
    except HistoryError as exc:
        raise ReviewNotSaved(f"the review was not saved: {exc}"
                             + ("" if applied else " (accepted findings could not be read, so every finding counts in this verdict)"),
                             review, acceptances_applied=applied) from None
    return review, run_id


# ---------------------------------------------------------------- helpers


def expiry(value: datetime | date | str) -> datetime:
    """An expiry as an aware UTC datetime: a date (or ``YYYY-MM-DD``) means 00:00 UTC that day."""
    if isinstance(value, str):
        text = value.strip()
        try:
            value = date.fromisoformat(text) if len(text) == 10 else datetime.fromisoformat(text)
        except ValueError:
            raise ConfigError(f"expiry {text!r} is not a date (YYYY-MM-DD)") from None
    if isinstance(value, datetime):
        return utc(value)
    if isinstance(value, date):
        return datetime.combine(value, time(0, 0), tzinfo=timezone.utc)
    raise ConfigError(f"expiry {value!r} is not a date (YYYY-MM-DD)")


def normalize_decision(decision: str) -> str:
    """GO, HOLD or NO_GO (``NO-GO`` and lower case accepted)."""
    value = (decision or "").strip().upper().replace("-", "_").replace(" ", "_")
    if value not in DECISIONS:
        raise ConfigError(f"decision {decision!r} must be one of GO, HOLD, NO_GO")
    return value


def reference_label(finding: dict) -> str:
    """``table.column -> referenced`` for a reference finding (orphans, foreign keys)."""
    return f"{finding.get('table')}.{finding.get('column')} -> {finding.get('references')}"


def _acceptance_row(row, at: datetime | None = None) -> dict:
    out = dict(row)
    for key in ("accepted_at", "expires_at", "revoked_at"):
        out[key] = utc(out.get(key))
    moment = utc(at) or now()
    out["state"] = "revoked" if out["revoked_at"] is not None else ("expired" if out["expires_at"] <= moment else "active")
    return out


def _number(row, key: str) -> float | int | None:
    if row is None:
        return None
    value = row[key]
    return value if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _toml_safe(value: Any) -> Any:
    """TOML has no null: drop None values (recursively)."""
    if isinstance(value, dict):
        return {str(k): _toml_safe(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_toml_safe(v) for v in value if v is not None]
    return value


def _distance(target: Any, actual: Any) -> float | None:
    numbers = (int, float)
    if isinstance(target, numbers) and isinstance(actual, numbers) and not isinstance(target, bool) and not isinstance(actual, bool):
        return abs(float(target) - float(actual))
    return None


def _check_state(c) -> dict:
    return {"status": c.status, "target": c.target, "actual": c.actual, "findings": len(c.findings),
            "open_findings": len(c.open_findings), "detail": c.detail}


def compare_checks(before, after) -> str:
    """``better``, ``worse``, ``changed`` or ``same`` for one check in two reviews.

    By status first (FAIL > ERROR > WARN > SKIP > PASS/INFO); at the same status, by
    the distance of the figure from its target, then by the number of open findings.
    """
    ra, rb = STATUS_RANK.get(before.status, 2), STATUS_RANK.get(after.status, 2)
    if ra != rb:
        return "better" if rb < ra else "worse"
    da, db = _distance(before.target, before.actual), _distance(after.target, after.actual)
    if da is not None and db is not None and da != db:
        return "better" if db < da else "worse"
    oa, ob = len(before.open_findings), len(after.open_findings)
    if oa != ob:
        return "better" if ob < oa else "worse"
    if (before.target, before.actual) != (after.target, after.actual):
        return "changed"
    return "same"


def diff_reviews(a, b) -> dict:
    """What changed from review ``a`` to review ``b``.

    ``better``/``worse``/``changed``: checks with their state before and after;
    ``new_findings``/``resolved_findings``: by fingerprint; ``changed_findings``:
    same fingerprint, different measures (an orphan count that grew).
    """
    before = {c.id: c for c in a.checks}
    after = {c.id: c for c in b.checks}
    ka, kb = getattr(a, "database_key", None), getattr(b, "database_key", None)
    out: dict[str, Any] = {
        "a": {"verdict": a.verdict, "started_at": a.started_at, "environment": a.environment,
              "database": identity_label(getattr(a, "identity", None))},
        "b": {"verdict": b.verdict, "started_at": b.started_at, "environment": b.environment,
              "database": identity_label(getattr(b, "identity", None))},
        # None: one of them was saved before databases were identified, so nobody can tell.
        "same_database": (ka == kb) if ka and kb else None,
        "verdict_change": "same" if a.verdict == b.verdict else (
            "better" if _VERDICT_RANK.get(b.verdict, 0) < _VERDICT_RANK.get(a.verdict, 0) else "worse"),
        "better": [], "worse": [], "changed": [], "not_compared": [],
        "new_findings": [], "resolved_findings": [], "changed_findings": [], "unchanged_findings": 0,
    }
    for check_id in [c.id for c in b.checks] + [i for i in before if i not in after]:
        ca, cb = before.get(check_id), after.get(check_id)
        if ca is None or cb is None:
            out["not_compared"].append({"check_id": check_id, "title": (ca or cb).title,
                                        "only_in": "a" if cb is None else "b"})
            continue
        change = compare_checks(ca, cb)
        if change != "same":
            out[change].append({"check_id": check_id, "title": cb.title, "before": _check_state(ca), "after": _check_state(cb)})
    found_a = {(c.id, f.get("fingerprint")): f for c in a.checks for f in c.findings}
    found_b = {(c.id, f.get("fingerprint")): f for c in b.checks for f in c.findings}
    for key, f in found_b.items():
        if key not in found_a:
            out["new_findings"].append({"check_id": key[0], "fingerprint": key[1], "finding": f})
        else:
            old = found_a[key]
            measures = {k: (old.get(k), f.get(k)) for k in ("orphans", "rows", "count", "active") if old.get(k) != f.get(k)}
            if measures:
                out["changed_findings"].append({"check_id": key[0], "fingerprint": key[1], "finding": f, "measures": measures})
            else:
                out["unchanged_findings"] += 1
    for key, f in found_a.items():
        if key not in found_b and key[0] in after:
            out["resolved_findings"].append({"check_id": key[0], "fingerprint": key[1], "finding": f})
    return out


_VERDICT_RANK = {"GO": 0, "HOLD": 1, "NO_GO": 2}


def _with_driver(url: str) -> str:
    """``postgresql://`` URLs use psycopg 3, the driver the project ships with."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def _json(value: Any) -> Any:
    """A JSON-safe copy (dates and decimals as text) for JSON columns."""
    return json.loads(json.dumps(value, default=str))
