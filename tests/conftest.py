"""Shared fixtures: real PostgreSQL databases built from the project's own seeds.

Tests talk to the PostgreSQL server at $APMS_OPS_TEST_ADMIN_URL (default
postgresql://postgres@127.0.0.1:5432/postgres). Every database a test run
creates carries the run's process id in its name, so parallel runs do not
collide, and is dropped at the end.
"""

from __future__ import annotations

import os
import uuid
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from apms_ops.connections import Environment, dispose_engines

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "sql" / "seeds"
ADMIN_URL = os.environ.get("APMS_OPS_TEST_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
RUN_TAG = f"apmsops_t{os.getpid()}"
# An acceptance expiry the default acceptance policy allows (at most 90 days ahead).
SOON = (date.today() + timedelta(days=60)).isoformat()

SEED_FILES = {
    "staging": ["apms_schema.sql", "apms_staging_constraints.sql", "apms_data.sql"],
    "fixed": ["apms_schema.sql", "apms_fixed_constraints.sql", "apms_data.sql"],
}


def db_url(name: str) -> str:
    base = ADMIN_URL.rsplit("/", 1)[0]
    return f"{base}/{name}"


_templates: dict[str, str] = {}


def _template_for(seed: str) -> str:
    """A seeded database nobody connects to, copied by CREATE DATABASE ... TEMPLATE (a file copy, ~0.1 s)."""
    if seed not in _templates:
        name = f"{RUN_TAG}_tpl_{seed}"
        create_database(name, seed)
        _templates[seed] = name
    return _templates[seed]


def create_database(name: str, seed: str | None = None, sql_text: str | None = None, *, from_template: bool = False) -> str:
    """Create database ``name`` (dropping an old one), load a seed set and/or SQL; return its URL."""
    template = _template_for(seed) if seed and from_template else None
    with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        if template:
            admin.execute(sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(sql.Identifier(name), sql.Identifier(template)))
        else:
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    url = db_url(name)
    with psycopg.connect(url) as conn:
        for f in SEED_FILES.get(seed, []) if seed and not template else []:
            conn.execute((SEEDS / f).read_text())
        if sql_text:
            conn.execute(sql_text)
    return url


@pytest.fixture(scope="session", autouse=True)
def _own_history_store(tmp_path_factory):
    """Tests never write to a developer's history store; a test may still point at its own."""
    previous = os.environ.get("APMS_OPS_HISTORY_URL")
    os.environ["APMS_OPS_HISTORY_URL"] = f"sqlite:///{tmp_path_factory.mktemp('history') / 'history.sqlite3'}"
    yield
    if previous is None:
        os.environ.pop("APMS_OPS_HISTORY_URL", None)
    else:
        os.environ["APMS_OPS_HISTORY_URL"] = previous


@pytest.fixture(autouse=True)
def _fresh_passcode_throttle():
    """Wrong passcodes are counted per process: one test's guesses must not lock the next test out."""
    from apms_ops.operators import PASSCODE_THROTTLE

    PASSCODE_THROTTLE.reset()
    yield
    PASSCODE_THROTTLE.reset()


@pytest.fixture(scope="session", autouse=True)
def _drop_templates():
    yield
    for name in _templates.values():
        drop_database(name)


def drop_database(name: str) -> None:
    dispose_engines()  # pooled connections would block DROP DATABASE
    with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


@pytest.fixture(scope="session")
def staging_url():
    """The reported staging state (1 FK, 21 CHECKs), seeded once per run. Do not modify it."""
    name = f"{RUN_TAG}_staging"
    url = create_database(name, "staging")
    yield url
    drop_database(name)


@pytest.fixture(scope="session")
def fixed_url():
    """The intended design (46 FKs, 22 CHECKs), seeded once per run. Do not modify it."""
    name = f"{RUN_TAG}_fixed"
    url = create_database(name, "fixed")
    yield url
    drop_database(name)


@pytest.fixture
def staging_env(staging_url) -> Environment:
    return Environment("staging", staging_url, source="secrets", allow_invariants=True)


@pytest.fixture
def fixed_env(fixed_url) -> Environment:
    return Environment("fixed", fixed_url, source="secrets", allow_invariants=True)


class ScratchDatabases:
    """Factory for throw-away databases: ``make(seed="staging", sql="...")`` -> Environment."""

    def __init__(self):
        self.names: list[str] = []

    def make(self, seed: str | None = None, sql_text: str | None = None, name: str | None = None) -> Environment:
        db = name or f"{RUN_TAG}_{uuid.uuid4().hex[:8]}"
        url = create_database(db, seed, sql_text, from_template=True)
        self.names.append(db)
        return Environment(db, url, source="dsn", allow_invariants=True)

    def cleanup(self):
        for db in self.names:
            drop_database(db)


@pytest.fixture
def scratch():
    factory = ScratchDatabases()
    yield factory
    factory.cleanup()


@contextmanager
def admin_connection(url: str, autocommit: bool = True):
    """A writable psycopg connection for arranging test data (never used by the code under test)."""
    with psycopg.connect(url, autocommit=autocommit) as conn:
        yield conn


@pytest.fixture(scope="session")
def password_server():
    """The port of a real server that asks for passwords (the shared test server trusts everyone).

    ``postgres`` has the password ``right-password``; tests add roles of their own.
    """
    import shutil
    import tempfile

    from apms_ops.demo_server import DEMO_DATABASES, DemoServer

    root = Path(tempfile.mkdtemp(prefix="apmsops-pw-", dir="/var/tmp"))
    root.chmod(0o755)  # the server may run as an unprivileged user that must reach it
    seeds = root / "seeds"
    seeds.mkdir()
    for files in DEMO_DATABASES.values():
        for name in files:
            (seeds / name).write_text("SELECT 1;\n")
    server = DemoServer(root=root / "server", seeds_dir=seeds)
    try:
        port = int(server.ensure_running()["apms_staging"].rsplit(":", 1)[1].split("/")[0])
        with psycopg.connect(f"postgresql://postgres@127.0.0.1:{port}/postgres", autocommit=True) as conn:
            conn.execute("ALTER ROLE postgres PASSWORD 'right-password'")
            hba = server.data_dir / "pg_hba.conf"
            hba.write_text("host all all 127.0.0.1/32 scram-sha-256\n")
            conn.execute("SELECT pg_reload_conf()")
        yield port
    finally:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)
