"""Environments, read-only sessions and password masking.

A database to review is an *environment*: a name, a URL and a few settings. It
comes from ``--dsn``, from ``DATABASE_URL`` or from ``[connections.<name>]``
tables in Streamlit's ``.streamlit/secrets.toml`` (the format ``st.connection``
reads), so one file configures the CLI and the dashboard. With none of them the
embedded demo server provides ``demo-staging`` and ``demo-fixed``.

Every read runs in a READ ONLY, REPEATABLE READ transaction with
``statement_timeout`` and ``lock_timeout`` set for the session at connect time,
so no statement of the tool can write to, or wait long on, a reviewed database.
Every session also pins ``search_path`` to ``pg_catalog, pg_temp`` in its
startup packet: a database owner may create operators and functions in
``public`` or ``ALTER DATABASE ... SET search_path``, but neither reaches a
name the tool sends (a client setting wins over database and role settings).
"""

from __future__ import annotations

import math
import os
import re
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Iterator, Mapping
from urllib.parse import quote, quote_plus

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine, URL, make_url

from apms_ops.errors import ConfigError, DatabaseError
from apms_ops.tomlfiles import read_toml

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

# Query parameters of a URL (or keys of a key=value DSN) that hold secrets.
SECRET_PARAMETERS = ("password", "sslpassword")


def _parse_url(dsn: str) -> URL:
    """A SQLAlchemy URL from a postgres URL or a libpq ``key=value`` string (errors unmasked: callers mask)."""
    if "://" not in dsn:
        from psycopg.conninfo import conninfo_to_dict

        parts = conninfo_to_dict(dsn)
        return URL.create(
            "postgresql+psycopg",
            username=parts.pop("user", None),
            password=parts.pop("password", None),
            host=parts.pop("host", None),
            port=int(parts.pop("port")) if "port" in parts else None,
            database=parts.pop("dbname", None),
            query={k: str(v) for k, v in parts.items()},
        )
    return make_url(dsn)


def normalize_url(dsn: str) -> URL:
    """A SQLAlchemy URL using psycopg 3, from a postgres URL or a libpq ``key=value`` string."""
    dsn = (dsn or "").strip()
    if not dsn:
        raise ConfigError("empty database URL")
    try:
        url = _parse_url(dsn)
    except Exception as exc:  # noqa: BLE001 - any parse failure is the user's input
        raise ConfigError(f"cannot parse database URL {mask_url(dsn)!s}: {type(exc).__name__}") from None
    if url.get_backend_name() not in ("postgresql", "postgres"):
        raise ConfigError(f"not a PostgreSQL URL: {mask_url(dsn)} (use postgresql://user@host:port/database)")
    if url.host and "@" in url.host:
        # The URL parser stops the password at the first '@': the rest of it would become the host
        # name, and the driver's "could not translate host name" would print it.
        raise ConfigError(f"database URL {mask_url(dsn)}: the user or password contains an unencoded '@'; "
                          "percent-encode it as %40 (or use the password key of [connections.<name>])")
    return url.set(drivername="postgresql+psycopg")


# The password of a URL runs from "user:" to the LAST '@' before the next blank (an unencoded '@'
# in a password must not leave its tail visible); in key=value form, to the end of its value.
_PASSWORD_IN_URL = re.compile(r"(?P<head>[a-z][a-z0-9+.\-]*://[^:/@\s]*:)(?P<pw>\S*)(?P<tail>@)", re.I)
_URL_START = re.compile(r"[a-z][a-z0-9+.\-]*://", re.I)
_PASSWORD_KV = re.compile(r"(?P<head>\b(?:ssl)?password\s*=\s*)(?P<pw>'(?:[^'\\]|\\.)*'|[^\s&]+)", re.I)


def mask_url(url: str | URL) -> str:
    """The URL with its password (and ``sslpassword``) replaced by ``***`` (also for key=value DSNs and free text)."""
    if isinstance(url, URL):
        return _render_masked(url)
    text = str(url)
    if _URL_START.match(text.strip()):
        # One URL (a password may hold blanks): masked from its parsed parts, not by pattern.
        try:
            return _render_masked(_parse_url(text.strip()))
        except Exception:  # noqa: BLE001 - not one URL: mask it as text below
            pass
    text = _PASSWORD_IN_URL.sub(lambda m: f"{m['head']}***{m['tail']}", text)
    text = _PASSWORD_KV.sub(lambda m: f"{m['head']}***", text)
    return text.replace("postgresql+psycopg://", "postgresql://")


def _render_masked(url: URL) -> str:
    # A placeholder SQLAlchemy leaves as it is (it percent-encodes "*"), then the mask.
    hidden = "APMSOPSMASKED"
    query = {k: (hidden if k.lower() in SECRET_PARAMETERS else v) for k, v in url.query.items()}
    masked = url.set(password=hidden if url.password else None, query=query)
    text = masked.render_as_string(hide_password=False).replace(hidden, "***")
    return text.replace("postgresql+psycopg://", "postgresql://")


def secret_spellings(secret: str) -> set[str]:
    """Every way ``secret`` may be written in text the tool prints: as typed, percent-encoded
    (``%40`` and ``+`` for a space, any case), as SQLAlchemy renders it, escaped for JSON and HTML."""
    import html
    import json

    spellings = {secret, quote(secret, safe=""), quote_plus(secret, safe=""), quote(secret, safe="!$&'()*+,;=~"),
                 html.escape(secret), html.escape(secret, quote=False), json.dumps(secret)[1:-1],
                 json.dumps(secret, ensure_ascii=False)[1:-1]}
    try:
        rendered = URL.create("postgresql", username="u", password=secret, host="h").render_as_string(hide_password=False)
        spellings.add(rendered[len("postgresql://u:"):rendered.rindex("@h")])
    except Exception:  # noqa: BLE001 - one spelling fewer
        pass
    return {s for s in spellings if s}


def mask_secrets(text: str, *secrets: str | None) -> str:
    """``text`` with every URL password and every spelling of every given secret replaced by ``***``.

    Secrets shorter than 3 characters are only masked where they stand in a URL or
    ``password=``: replacing every ``a`` of a text would hide the message, not the secret.
    """
    out = mask_url(str(text))
    for secret in secrets:
        if not secret or len(secret) < 3:
            continue
        for spelling in sorted(secret_spellings(secret), key=len, reverse=True):
            # Percent-encodings come in either case (%2f, %2F).
            out = re.sub(re.escape(spelling), "***", out, flags=re.I if "%" in spelling else 0)
    return out


def secrets_of(env: Environment | None) -> tuple[str, ...]:
    """The password and ``sslpassword`` of ``env``'s URL (as parsed), for ``mask_secrets``."""
    if env is None:
        return ()
    try:
        url = _parse_url(str(env.url).strip())
    except Exception:  # noqa: BLE001 - an unparseable URL has no parsed secrets; mask_url still masks it as text
        return ()
    values = [url.password] + [v for k, v in url.query.items() if k.lower() in SECRET_PARAMETERS]
    return tuple(str(v) for v in values if v)


def password_of(env: Environment) -> str | None:
    try:
        return normalize_url(env.url).password
    except ConfigError:
        return None


# ---------------------------------------------------------------- configuration sources


def parse_duration_ms(value, key: str, where: str) -> int:
    """Milliseconds from 30000, "30s", "500ms", "2min" (0 means no limit, as in PostgreSQL)."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise ConfigError(f"{where}: {key} must be a duration like '30s', not {value!r}")
    if isinstance(value, (int, float)):
        if not math.isfinite(value) or value < 0 or value > 2**31 - 1:
            raise ConfigError(f"{where}: {key} must be a duration between 0 and 2147483647 ms, not {value!r}")
        return int(value)
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*(ms|s|min)?\s*", value)
    if not m:
        raise ConfigError(f"{where}: {key} must be a duration like '30s' or '500ms', not {value!r}")
    number = float(m[1]) * {"ms": 1, "s": 1000, "min": 60_000}[m[2] or "ms"]
    if number > 2**31 - 1:
        raise ConfigError(f"{where}: {key} must be a duration of at most 2147483647 ms, not {value!r}")
    return int(number)


def secrets_paths() -> list[Path]:
    """Where secrets are read from: global first, then the project's (which wins)."""
    override = os.environ.get("APMS_OPS_SECRETS")
    if override:
        return [Path(override)]
    return [Path.home() / ".streamlit" / "secrets.toml", Path.cwd() / ".streamlit" / "secrets.toml"]


def secret_files(paths: list[Path] | None = None) -> list[tuple[Path, dict]]:
    """Each secrets file that exists, parsed, in reading order."""
    return [(path, read_toml(path)) for path in (paths if paths is not None else secrets_paths()) if path.is_file()]


def merge_secrets(files: list[tuple[Path, dict]]) -> dict:
    """Later files override earlier ones, table by table."""
    merged: dict = {}
    for _, data in files:
        for key, value in data.items():
            if isinstance(value, dict) and isinstance(merged.get(key), dict):
                merged[key] = {**merged[key], **value}
            else:
                merged[key] = value
    return merged


def read_secrets(paths: list[Path] | None = None) -> dict:
    """The merged secrets TOML (later files override earlier ones, table by table)."""
    return merge_secrets(secret_files(paths))


def secrets_origin(table: str, key: str | None = None, paths: list[Path] | None = None) -> str:
    """The file that defines ``[table]`` (or ``[table.key]``) last, for error messages; "secrets" when none does."""
    origin = "secrets"
    for path, data in secret_files(paths):
        value = data.get(table)
        if isinstance(value, dict) and (key is None or key in value):
            origin = str(path)
    return origin


class _Settings:
    """Typed values of one TOML table; every error names the file, the table and the key."""

    def __init__(self, where: str, table_name: str, table: Mapping):
        self.where, self.table_name, self.table = where, table_name, table

    def fail(self, key: str, message: str):
        raise ConfigError(f"{self.where}: [{self.table_name}] key '{key}': {message}")

    @staticmethod
    def _shown(value) -> str:
        kind = "the string" if isinstance(value, str) else type(value).__name__
        return f"{kind} {value!r}"

    def string(self, key: str) -> str | None:
        value = self.table.get(key)
        if value is None:
            return None
        if not isinstance(value, str):
            self.fail(key, f"must be a string, not {self._shown(value)}")
        return value

    def boolean(self, key: str, default: bool = False) -> bool:
        value = self.table.get(key, default)
        if not isinstance(value, bool):
            # "false" in quotes is a string, and a non-empty string is true in Python: never guess.
            self.fail(key, f"must be true or false (a TOML boolean, without quotes), not {self._shown(value)}")
        return value

    def port(self, key: str) -> int | None:
        value = self.table.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 65535:
            self.fail(key, f"must be a port number from 1 to 65535, not {self._shown(value)}")
        return value

    def duration_ms(self, key: str, default: int) -> int:
        try:
            return parse_duration_ms(self.table.get(key, default), key, self.where)
        except ConfigError:
            self.fail(key, f"must be a duration like '30s', '500ms' or a number of milliseconds, not {self._shown(self.table[key])}")

    def seconds(self, key: str, default: int) -> int:
        value = self.table.get(key, default)
        if isinstance(value, str):
            try:
                return max(1, math.ceil(parse_duration_ms(value, key, self.where) / 1000))
            except ConfigError:
                pass
        elif isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value) and 0 < value <= 86_400:
            return max(1, math.ceil(value))
        self.fail(key, f"must be a number of seconds (1 to 86400) or a duration like '5s', not {self._shown(value)}")


def _environment_from_table(name: str, table: Mapping, where: str) -> Environment:
    if name in DEMO_ENVIRONMENTS:
        raise ConfigError(f"{where}: [connections.{name}]: the name {name!r} is reserved for the embedded demo database; "
                          "name this environment differently")
    unknown = set(table) - _URL_KEYS - _SETTING_KEYS
    if unknown:
        raise ConfigError(f"{where}: [connections.{name}] has unknown key {sorted(unknown)[0]!r}")
    s = _Settings(where, f"connections.{name}", table)
    if "url" in table:
        url = s.string("url")
    elif "host" in table or "database" in table:
        query = table.get("query") or {}
        if not isinstance(query, dict) or not all(isinstance(v, str) for v in query.values()):
            s.fail("query", "must be a table of string values, like { sslmode = \"require\" }")
        url = URL.create(
            "postgresql+psycopg",
            username=s.string("username"),
            password=s.string("password"),
            host=s.string("host"),
            port=s.port("port"),
            database=s.string("database"),
            query=query,
        ).render_as_string(hide_password=False)
    else:
        raise ConfigError(f"{where}: [connections.{name}] needs url, or host and database")
    dialect = s.string("dialect") or "postgresql"
    if not dialect.startswith("postgres"):
        raise ConfigError(f"{where}: [connections.{name}] dialect {dialect!r} is not PostgreSQL")
    try:
        normalize_url(url)  # fail early, with the file named
    except ConfigError as exc:
        raise ConfigError(f"{where}: [connections.{name}]: {exc}") from None
    return Environment(
        name=name,
        url=url,
        source="secrets",
        protected=s.boolean("protected"),
        allow_invariants=s.boolean("allow_invariants"),
        statement_timeout_ms=s.duration_ms("statement_timeout", DEFAULT_STATEMENT_TIMEOUT_MS),
        lock_timeout_ms=s.duration_ms("lock_timeout", DEFAULT_LOCK_TIMEOUT_MS),
        connect_timeout_s=s.seconds("connect_timeout", DEFAULT_CONNECT_TIMEOUT_S),
        schema=s.string("schema"),
        profile=s.string("profile"),
        health_url=s.string("health_url"),
    )


_TRUE_WORDS, _FALSE_WORDS = ("1", "true", "yes", "on"), ("", "0", "false", "no", "off")


def environment_flag(environ: Mapping[str, str], name: str) -> bool:
    """A yes/no environment variable; anything but a yes or a no is an error, not a silent no."""
    value = environ.get(name, "").strip().lower()
    if value in _TRUE_WORDS:
        return True
    if value in _FALSE_WORDS:
        return False
    raise ConfigError(f"environment variable {name}: must be true or false (1/0, yes/no, on/off), not {environ[name]!r}")


def configured_environments(environ: Mapping[str, str] | None = None, secrets: dict | None = None,
                            errors: dict[str, str] | None = None) -> list[Environment]:
    """Environments from the secrets file and DATABASE_URL, in that order (no demo).

    With ``errors`` (a dict), a broken ``[connections.<name>]`` entry (or DATABASE_URL) is
    left out and its message stored under its name, so one bad entry disables that
    environment only.
    """
    environ = os.environ if environ is None else environ
    origins: dict[str, str] = {}
    if secrets is None:
        files = secret_files()
        secrets = merge_secrets(files)
        for path, data in files:
            if isinstance(data.get("connections"), dict):
                origins.update({name: str(path) for name in data["connections"]})
    envs: list[Environment] = []
    connections = secrets.get("connections", {})
    if not isinstance(connections, dict):
        raise ConfigError(f"{secrets_origin('connections') if origins else 'secrets'}: [connections] must be a table of tables")
    for name, table in connections.items():
        where = origins.get(name, "secrets")
        try:
            if not isinstance(table, dict):
                raise ConfigError(f"{where}: [connections.{name}] must be a table")
            envs.append(_environment_from_table(name, table, where))
        except ConfigError as exc:
            if errors is None:
                raise
            errors[name] = str(exc)
    if environ.get("DATABASE_URL"):
        url = environ["DATABASE_URL"]
        name = environ.get("APMS_OPS_ENV_NAME", "database_url")
        try:
            try:
                normalize_url(url)
            except ConfigError as exc:
                raise ConfigError(f"environment variable DATABASE_URL: {exc}") from None
            if name in DEMO_ENVIRONMENTS:
                raise ConfigError(f"environment variable APMS_OPS_ENV_NAME: {name!r} is reserved for the embedded demo database")
            protected = environment_flag(environ, "APMS_OPS_PROTECTED")
            allow_invariants = environment_flag(environ, "APMS_OPS_ALLOW_INVARIANTS")
        except ConfigError as exc:
            if errors is None:
                raise
            errors[name] = str(exc)
            return envs
        envs.append(Environment(name=name, url=url, source="DATABASE_URL", protected=protected, allow_invariants=allow_invariants))
    return envs


def demo_environment(name: str) -> Environment:
    """A demo environment, starting the embedded server if it is not running."""
    from apms_ops.demo_server import DemoError, DemoServer

    try:
        urls = DemoServer().ensure_running()
    except DemoError as exc:
        raise ConfigError(f"embedded demo database unavailable: {exc}") from None
    return Environment(name=name, url=urls[DEMO_ENVIRONMENTS[name]], source="demo", allow_invariants=True)


def dsn_environment_name(url: URL) -> str:
    """The name a ``--dsn`` run is filed under: ``host:port/database`` (never the user or password),
    so runs of two databases never share a history."""
    host = url.host or url.query.get("host") or "localhost"
    if isinstance(host, tuple):
        host = ",".join(host)
    return f"{host}:{url.port or 5432}/{url.database or url.username or 'postgres'}"


def resolve_environment(name: str | None = None, dsn: str | None = None) -> Environment:
    """The environment the CLI was asked for: --dsn, else --env NAME, else the only configured one."""
    if dsn:
        url = normalize_url(dsn)
        if name in DEMO_ENVIRONMENTS:
            raise ConfigError(f"--env {name} names the embedded demo database: it cannot be given to a --dsn")
        return Environment(name=name or dsn_environment_name(url), url=dsn, source="dsn")
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


# What every session of the tool pins in its startup packet, whatever the database or role says:
# names resolve in pg_catalog only (pg_temp last, so a temporary table cannot shadow a catalog
# name; PostgreSQL never looks up functions or operators there), row-level security policies
# (code of the database's owner) raise an error instead of silently filtering the rows counted,
# and string literals mean what the driver that quoted them meant.
PINNED_SEARCH_PATH = "pg_catalog,pg_temp"
PINNED_SETTINGS = (("search_path", PINNED_SEARCH_PATH), ("row_security", "off"), ("standard_conforming_strings", "on"))


def session_options(env: Environment, *, read_only: bool) -> str:
    """The libpq ``options`` of every session the tool opens on ``env``."""
    settings = [("statement_timeout", env.statement_timeout_ms), ("lock_timeout", env.lock_timeout_ms), *PINNED_SETTINGS]
    if read_only:
        settings.append(("default_transaction_read_only", "on"))
    return " ".join(f"-c {name}={value}" for name, value in settings)


def engine_for(env: Environment, *, read_only: bool = True) -> Engine:
    """A pooled engine for ``env``; read-only engines make every transaction READ ONLY."""
    key = (env.url, read_only, env.statement_timeout_ms, env.lock_timeout_ms, env.connect_timeout_s)
    with _engines_lock:
        engine = _engines.get(key)
        if engine is None:
            # Session settings travel in the startup packet: no extra statement per
            # transaction, and no way for a read to forget them.
            engine = sa.create_engine(
                normalize_url(env.url),
                connect_args={
                    "connect_timeout": env.connect_timeout_s,
                    "application_name": "apms-ops",
                    "options": session_options(env, read_only=read_only),
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
    suffix = f" [SQLSTATE {sqlstate}]" if sqlstate else ""
    return DatabaseError(mask_secrets(f"{where}{text}{suffix}", *secrets_of(env)), sqlstate=sqlstate)


def server_identity(conn: Connection) -> dict:
    """Server version, database and user of a connection (one statement)."""
    row = conn.execute(
        sa.text("SELECT pg_catalog.current_setting('server_version') AS server_version, "
                "pg_catalog.current_database() AS database, current_user AS user_name")
    ).mappings().one()
    return dict(row)
