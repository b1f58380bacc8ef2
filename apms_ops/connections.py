"""Environments, read-only sessions and password masking.

A database to review is an *environment*: a name, a URL and a few settings. It
comes from ``--dsn``, from ``DATABASE_URL`` or from ``[connections.<name>]``
tables in Streamlit's ``.streamlit/secrets.toml`` (the format ``st.connection``
reads), so one file configures the CLI and the dashboard. With none of them the
embedded demo server provides ``demo-staging`` and ``demo-fixed``.

Every read runs in a READ ONLY, REPEATABLE READ transaction with
``statement_timeout`` and ``lock_timeout`` set for the session at connect time,
so no statement of the tool can write to, or wait long on, a reviewed database.
"""

from __future__ import annotations

import os
import re
import threading
import tomllib
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Iterator, Mapping

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine, URL, make_url

from apms_ops.errors import ConfigError, DatabaseError

DEFAULT_STATEMENT_TIMEOUT_MS = 30_000
DEFAULT_LOCK_TIMEOUT_MS = 2_000
DEFAULT_CONNECT_TIMEOUT_S = 5
DEMO_ENVIRONMENTS = {"demo-staging": "apms_staging", "demo-fixed": "apms_fixed"}

# Keys of a [connections.<name>] table that build the URL, as st.connection reads them.
_URL_KEYS = {"url", "dialect", "driver", "username", "password", "host", "port", "database", "query"}
# Keys apms-ops adds beside them.
_SETTING_KEYS = {
    "protected", "allow_invariants", "statement_timeout", "lock_timeout", "connect_timeout",
    "schema", "profile", "health_url", "label", "create_engine_kwargs",
}


@dataclass(frozen=True)
class Environment:
    """One database to review. ``url`` holds the password: never print it, use ``masked_url``."""

    name: str
    url: str = field(repr=False)
    source: str = "dsn"  # dsn | DATABASE_URL | secrets | demo
    protected: bool = False
    allow_invariants: bool = False
    statement_timeout_ms: int = DEFAULT_STATEMENT_TIMEOUT_MS
    lock_timeout_ms: int = DEFAULT_LOCK_TIMEOUT_MS
    connect_timeout_s: int = DEFAULT_CONNECT_TIMEOUT_S
    schema: str | None = None
    profile: str | None = None
    health_url: str | None = None

    @property
    def masked_url(self) -> str:
        return mask_url(self.url)

    @property
    def is_demo(self) -> bool:
        return self.source == "demo"

    def with_timeouts(self, statement_ms: int | None = None, lock_ms: int | None = None) -> "Environment":
        return replace(
            self,
            # `is None`, not `or`: 0 is a real setting (no timeout), not "unset".
            statement_timeout_ms=self.statement_timeout_ms if statement_ms is None else statement_ms,
            lock_timeout_ms=self.lock_timeout_ms if lock_ms is None else lock_ms,
        )


# ---------------------------------------------------------------- URLs and masking


def normalize_url(dsn: str) -> URL:
    """A SQLAlchemy URL using psycopg 3, from a postgres URL or a libpq ``key=value`` string."""
    dsn = (dsn or "").strip()
    if not dsn:
        raise ConfigError("empty database URL")
    try:
        if "://" not in dsn:
            from psycopg.conninfo import conninfo_to_dict

            parts = conninfo_to_dict(dsn)
            url = URL.create(
                "postgresql+psycopg",
                username=parts.pop("user", None),
                password=parts.pop("password", None),
                host=parts.pop("host", None),
                port=int(parts.pop("port")) if "port" in parts else None,
                database=parts.pop("dbname", None),
                query={k: str(v) for k, v in parts.items()},
            )
        else:
            url = make_url(dsn)
    except Exception as exc:  # noqa: BLE001 - any parse failure is the user's input
        raise ConfigError(f"cannot parse database URL {mask_url(dsn)!s}: {type(exc).__name__}") from None
    if url.get_backend_name() not in ("postgresql", "postgres"):
        raise ConfigError(f"not a PostgreSQL URL: {mask_url(dsn)} (use postgresql://user@host:port/database)")
    return url.set(drivername="postgresql+psycopg")


_PASSWORD_IN_URL = re.compile(r"(?P<head>[a-z][a-z0-9+.\-]*://[^:/@\s]*:)(?P<pw>[^@\s]*)(?P<tail>@)", re.I)
_PASSWORD_KV = re.compile(r"(?P<head>\bpassword\s*=\s*)(?P<pw>'(?:[^'\\]|\\.)*'|\S+)", re.I)


def mask_url(url: str | URL) -> str:
    """The URL with its password replaced by ``***`` (also for key=value DSNs)."""
    text = url.render_as_string(hide_password=False) if isinstance(url, URL) else str(url)
    text = _PASSWORD_IN_URL.sub(lambda m: f"{m['head']}***{m['tail']}", text)
    text = _PASSWORD_KV.sub(lambda m: f"{m['head']}***", text)
    return text.replace("postgresql+psycopg://", "postgresql://")


def mask_secrets(text: str, *secrets: str | None) -> str:
    """``text`` with every given secret and every URL password replaced by ``***``."""
    out = mask_url(str(text))
    for secret in secrets:
        if secret and len(secret) >= 3:
            out = out.replace(secret, "***")
    return out


def password_of(env: Environment) -> str | None:
    try:
        return normalize_url(env.url).password
    except ConfigError:
        return None


# ---------------------------------------------------------------- configuration sources


def parse_duration_ms(value, key: str, where: str) -> int:
    """Milliseconds from 30000, "30s", "500ms", "2min"."""
    if isinstance(value, bool):
        raise ConfigError(f"{where}: {key} must be a duration like '30s', not {value!r}")
    if isinstance(value, (int, float)):
        return int(value)
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*(ms|s|min)?\s*", str(value))
    if not m:
        raise ConfigError(f"{where}: {key} must be a duration like '30s' or '500ms', not {value!r}")
    number, unit = float(m[1]), m[2] or "ms"
    return int(number * {"ms": 1, "s": 1000, "min": 60_000}[unit])


def secrets_paths() -> list[Path]:
    """Where secrets are read from: global first, then the project's (which wins)."""
    override = os.environ.get("APMS_OPS_SECRETS")
    if override:
        return [Path(override)]
    return [Path.home() / ".streamlit" / "secrets.toml", Path.cwd() / ".streamlit" / "secrets.toml"]


def read_secrets(paths: list[Path] | None = None) -> dict:
    """The merged secrets TOML (later files override earlier ones, table by table)."""
    merged: dict = {}
    for path in paths if paths is not None else secrets_paths():
        if not path.is_file():
            continue
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{path}: not valid TOML: {exc}") from None
        except OSError as exc:
            raise ConfigError(f"{path}: cannot read: {exc.strerror}") from None
        for key, value in data.items():
            if isinstance(value, dict) and isinstance(merged.get(key), dict):
                merged[key] = {**merged[key], **value}
            else:
                merged[key] = value
    return merged


def _environment_from_table(name: str, table: Mapping, where: str) -> Environment:
    unknown = set(table) - _URL_KEYS - _SETTING_KEYS
    if unknown:
        raise ConfigError(f"{where}: [connections.{name}] has unknown key {sorted(unknown)[0]!r}")
    if "url" in table:
        url = str(table["url"])
    elif "host" in table or "database" in table:
        url = URL.create(
            "postgresql+psycopg",
            username=table.get("username"),
            password=table.get("password"),
            host=table.get("host"),
            port=int(table["port"]) if table.get("port") else None,
            database=table.get("database"),
            query=table.get("query") or {},
        ).render_as_string(hide_password=False)
    else:
        raise ConfigError(f"{where}: [connections.{name}] needs url, or host and database")
    dialect = str(table.get("dialect", "postgresql"))
    if not dialect.startswith("postgres"):
        raise ConfigError(f"{where}: [connections.{name}] dialect {dialect!r} is not PostgreSQL")
    normalize_url(url)  # fail early, with the file named
    return Environment(
        name=name,
        url=url,
        source="secrets",
        protected=bool(table.get("protected", False)),
        allow_invariants=bool(table.get("allow_invariants", False)),
        statement_timeout_ms=parse_duration_ms(table.get("statement_timeout", DEFAULT_STATEMENT_TIMEOUT_MS), "statement_timeout", where),
        lock_timeout_ms=parse_duration_ms(table.get("lock_timeout", DEFAULT_LOCK_TIMEOUT_MS), "lock_timeout", where),
        connect_timeout_s=int(table.get("connect_timeout", DEFAULT_CONNECT_TIMEOUT_S)),
        schema=table.get("schema"),
        profile=table.get("profile"),
        health_url=table.get("health_url"),
    )


def configured_environments(environ: Mapping[str, str] | None = None, secrets: dict | None = None,
                            errors: dict[str, str] | None = None) -> list[Environment]:
    """Environments from the secrets file and DATABASE_URL, in that order (no demo).

    With ``errors`` (a dict), a broken ``[connections.<name>]`` entry is left out and its
    message stored under its name, so one bad entry disables that environment only.
    """
    environ = os.environ if environ is None else environ
    secrets = read_secrets() if secrets is None else secrets
    envs: list[Environment] = []
    connections = secrets.get("connections", {})
    if not isinstance(connections, dict):
        raise ConfigError("secrets: [connections] must be a table of tables")
    for name, table in connections.items():
        try:
            if not isinstance(table, dict):
                raise ConfigError(f"secrets: [connections.{name}] must be a table")
            envs.append(_environment_from_table(name, table, "secrets"))
        except ConfigError as exc:
            if errors is None:
                raise
            errors[name] = str(exc)
    if environ.get("DATABASE_URL"):
        url = environ["DATABASE_URL"]
        name = environ.get("APMS_OPS_ENV_NAME", "database_url")
        try:
            normalize_url(url)
        except ConfigError as exc:
            if errors is None:
                raise
            errors[name] = f"DATABASE_URL: {exc}"
            return envs
        envs.append(
            Environment(
                name=name,
                url=url,
                source="DATABASE_URL",
                protected=environ.get("APMS_OPS_PROTECTED", "").lower() in ("1", "true", "yes"),
                allow_invariants=environ.get("APMS_OPS_ALLOW_INVARIANTS", "").lower() in ("1", "true", "yes"),
            )
        )
    return envs


def demo_environment(name: str) -> Environment:
    """A demo environment, starting the embedded server if it is not running."""
    from apms_ops.demo_server import DemoError, DemoServer

    try:
        urls = DemoServer().ensure_running()
    except DemoError as exc:
        raise ConfigError(f"embedded demo database unavailable: {exc}") from None
    return Environment(name=name, url=urls[DEMO_ENVIRONMENTS[name]], source="demo", allow_invariants=True)


def resolve_environment(name: str | None = None, dsn: str | None = None) -> Environment:
    """The environment the CLI was asked for: --dsn, else --env NAME, else the only configured one."""
    if dsn:
        normalize_url(dsn)
        return Environment(name=name or "dsn", url=dsn, source="dsn")
    if name in DEMO_ENVIRONMENTS:
        return demo_environment(name)
    envs = configured_environments()
    if name:
        for env in envs:
            if env.name == name:
                return env
        known = ", ".join([e.name for e in envs] + list(DEMO_ENVIRONMENTS)) or "none"
        raise ConfigError(f"unknown environment {name!r} (known: {known})")
    if len(envs) == 1:
        return envs[0]
    if not envs:
        raise ConfigError(
            "no database configured: pass --dsn, set DATABASE_URL, add [connections.<name>] "
            "to .streamlit/secrets.toml, or use --env demo-staging"
        )
    raise ConfigError(f"several environments configured ({', '.join(e.name for e in envs)}): pick one with --env")


# ---------------------------------------------------------------- engines and sessions

_engines: dict[tuple, Engine] = {}
_engines_lock = threading.Lock()


def engine_for(env: Environment, *, read_only: bool = True) -> Engine:
    """A pooled engine for ``env``; read-only engines make every transaction READ ONLY."""
    key = (env.url, read_only, env.statement_timeout_ms, env.lock_timeout_ms, env.connect_timeout_s)
    with _engines_lock:
        engine = _engines.get(key)
        if engine is None:
            # Session settings travel in the startup packet: no extra statement per
            # transaction, and no way for a read to forget them.
            options = f"-c statement_timeout={env.statement_timeout_ms} -c lock_timeout={env.lock_timeout_ms}"
            if read_only:
                options += " -c default_transaction_read_only=on"
            engine = sa.create_engine(
                normalize_url(env.url),
                connect_args={
                    "connect_timeout": env.connect_timeout_s,
                    "application_name": "apms-ops",
                    "options": options,
                },
                pool_size=2,
                max_overflow=3,
                pool_pre_ping=True,
                pool_recycle=600,
            )
            _engines[key] = engine
        return engine


def dispose_engines() -> None:
    with _engines_lock:
        for engine in _engines.values():
            engine.dispose()
        _engines.clear()


@contextmanager
def read_only_session(env: Environment) -> Iterator[Connection]:
    """A connection inside one READ ONLY, REPEATABLE READ transaction, always rolled back.

    REPEATABLE READ gives every query of one review the same snapshot, so the
    catalog and the data audits describe the same moment.
    """
    engine = engine_for(env, read_only=True)
    try:
        with engine.connect() as conn:
            conn = conn.execution_options(isolation_level="REPEATABLE READ")
            trans = conn.begin()
            try:
                yield conn
            finally:
                if trans.is_active:
                    trans.rollback()
    except sa.exc.DBAPIError as exc:
        raise database_error(exc, env) from None


_CONNECT_FAILED = re.compile(r'connection to server at "(?P<host>[^"]*)"(?:\s*\([^)]*\))?, port (?P<port>\d+) failed:\s*(?P<why>.*)', re.S)


def database_error(exc: BaseException, env: Environment | None = None) -> DatabaseError:
    """One masked, readable line for a driver error."""
    orig = getattr(exc, "orig", None) or exc
    sqlstate = getattr(orig, "sqlstate", None)
    diag = getattr(orig, "diag", None)
    primary = getattr(diag, "message_primary", None) if diag is not None else None
    text = primary or str(orig)
    m = _CONNECT_FAILED.search(text)
    if m:
        why = " ".join(m["why"].replace("FATAL:", "").split())
        why = why.split(" Is the server running")[0]
        text = f"cannot connect to {m['host']}:{m['port']}: {why}"
    elif "timeout expired" in text:
        text = "cannot connect: timeout expired"
    else:
        text = " ".join(text.split())
    where = f"{env.name} ({env.masked_url}): " if env else ""
    secret = password_of(env) if env else None
    suffix = f" [SQLSTATE {sqlstate}]" if sqlstate else ""
    return DatabaseError(mask_secrets(f"{where}{text}{suffix}", secret), sqlstate=sqlstate)


def server_identity(conn: Connection) -> dict:
    """Server version, database and user of a connection (one statement)."""
    row = conn.execute(
        sa.text("SELECT current_setting('server_version') AS server_version, current_database() AS database, current_user AS user_name")
    ).mappings().one()
    return dict(row)
