"""Load the SQL kept in ``sql/`` and compose templates with driver-quoted identifiers."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from psycopg import sql

SQL_DIR = Path(__file__).resolve().parent.parent / "sql"


@lru_cache(maxsize=None)
def load(relative: str) -> str:
    """The text of ``sql/<relative>``."""
    return (SQL_DIR / relative).read_text(encoding="utf-8")


def compose(relative: str, **parts: sql.Composable) -> str:
    """A template from ``sql/`` with ``{name}`` placeholders filled by psycopg.

    Identifiers must be passed as ``sql.Identifier`` and values as ``sql.Literal``,
    so quoting is always the driver's. The result is a plain string that goes
    through SQLAlchemy (and its statement events) like any other query.
    """
    return sql.SQL(load(relative)).format(**parts).as_string(None)


@lru_cache(maxsize=65536)
def quote(*names: str) -> str:
    """``"schema"."table"`` quoted by the driver, as text (cached: audits of 2,000 tables quote a lot)."""
    return sql.Identifier(*names).as_string(None)
