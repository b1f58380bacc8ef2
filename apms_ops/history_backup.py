"""Backups of the history store, and restoring one: runs, invariant runs, acceptances and sign-offs.

A backup is a SQLite file with the store's tables and rows, whatever database the
store lives in, so a PostgreSQL store can be backed up to a file and a file
restored into a new PostgreSQL store. A restore writes only into a store that is
missing, empty or unreadable (a broken SQLite file is moved aside, never
deleted); a store that holds data is refused, so a restore cannot lose anything.
"""

from __future__ import annotations

import os
import sqlite3
from datetime import datetime, timezone
from pathlib import Path

import sqlalchemy as sa

from apms_ops import history
from apms_ops.errors import ConfigError, HistoryError

# Parents before children: the foreign keys hold at every step of a copy.
TABLES = (history.review_runs, history.review_checks, history.review_findings, history.invariant_runs,
          history.acceptances, history.sign_offs)
CHUNK = 500


def backup(store: history.HistoryStore, target: Path) -> dict[str, int]:
    """Write every row of ``store`` to the new SQLite file ``target``; returns rows per table."""
    target = Path(target)
    if target.exists():
        raise ConfigError(f"{target} exists: a backup never overwrites a file")
    partial = target.with_name(f"{target.name}.partial-{os.getpid()}")
    try:
        partial.parent.mkdir(parents=True, exist_ok=True)
        copy = _open_file_store(partial)
        try:
            counts = _copy(store.engine, copy.engine)
        finally:
            copy.engine.dispose()
            history.HistoryStore._migrated.discard(copy.url)
        os.replace(partial, target)
    except OSError as exc:
        raise ConfigError(f"cannot write the backup {target}: {exc.strerror or exc}") from None
    finally:
        partial.unlink(missing_ok=True)
        history.marker_path(f"sqlite:///{partial}").unlink(missing_ok=True)
    return counts


def restore(url: str, source: Path) -> dict[str, int]:
    """Bring the backup ``source`` into the store at ``url`` (missing, empty or unreadable); returns rows per table."""
    source = Path(source)
    _check_backup(source)
    url = history._with_driver(url)
    backup_engine = sa.create_engine(f"sqlite:///{source}", connect_args={"timeout": history.BUSY_TIMEOUT_S})
    try:
        if history.sqlite_path(url) is not None:
            return _restore_file(url, backup_engine)
        return _restore_server(url, backup_engine)
    finally:
        backup_engine.dispose()


# ---------------------------------------------------------------- helpers


def _open_file_store(path: Path) -> history.HistoryStore:
    url = f"sqlite:///{path}"
    history.HistoryStore._migrated.discard(url)
    return history.HistoryStore(url)


def _check_backup(source: Path) -> None:
    """A readable SQLite file with the store's tables, or a ``ConfigError`` naming it."""
    if not source.is_file():
        raise ConfigError(f"{source}: no such backup file")
    try:
        with sqlite3.connect(f"file:{source}?mode=ro", uri=True) as conn:
            names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            if conn.execute("PRAGMA quick_check").fetchone()[0] != "ok":
                raise ConfigError(f"{source}: the backup file is damaged (SQLite quick_check failed)")
    except sqlite3.DatabaseError as exc:
        raise ConfigError(f"{source}: not a history backup ({exc})") from None
    missing = [t.name for t in TABLES if t.name not in names] + (["schema_version"] if "schema_version" not in names else [])
    if missing:
        raise ConfigError(f"{source}: not a history backup (no table {missing[0]})")


def _restore_file(url: str, backup_engine: sa.Engine) -> dict[str, int]:
    path = history.sqlite_path(url)
    if path.exists() and path.stat().st_size > 0:
        if _holds_data(url):
            raise ConfigError(f"history store {path} holds runs: restore writes only into a missing, empty or unreadable "
                              "store (move this one aside first)")
        # Empty or unreadable: kept beside, under another name, never deleted.
        stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
        os.replace(path, path.with_name(f"{path.name}.replaced-{stamp}"))
    partial = path.with_name(f"{path.name}.restoring-{os.getpid()}")
    partial.unlink(missing_ok=True)
    copy = _open_file_store(partial)
    try:
        counts = _copy(backup_engine, copy.engine)
    finally:
        copy.engine.dispose()
        history.HistoryStore._migrated.discard(copy.url)
        history.marker_path(copy.url).unlink(missing_ok=True)
    os.replace(partial, path)
    _mark(url)
    return counts


def _restore_server(url: str, backup_engine: sa.Engine) -> dict[str, int]:
    marker = history.marker_path(url)
    held = marker.exists()
    if held:
        marker.rename(marker.with_name(marker.name + ".restoring"))  # let the store open, empty as it is
    try:
        history.HistoryStore._migrated.discard(url)
        store = history.HistoryStore(url)
        if store.holds_data():
            raise ConfigError(f"history store {store.masked_url} holds runs: restore writes only into an empty store")
        counts = _copy(backup_engine, store.engine)
        if store.engine.dialect.name == "postgresql":
            _reset_sequences(store.engine)
    except BaseException:
        if held:
            marker.with_name(marker.name + ".restoring").rename(marker)
        raise
    marker.with_name(marker.name + ".restoring").unlink(missing_ok=True)
    _mark(url)
    return counts


def _holds_data(url: str) -> bool:
    try:
        engine = sa.create_engine(url, connect_args={"timeout": history.BUSY_TIMEOUT_S})
        try:
            with engine.connect() as conn:
                return any(conn.execute(sa.select(sa.literal(1)).select_from(t).limit(1)).first() for t in history.DATA_TABLES)
        finally:
            engine.dispose()
    except sa.exc.SQLAlchemyError:
        return False  # unreadable or without tables: nothing in it to lose by restoring


def _copy(source: sa.Engine, target: sa.Engine) -> dict[str, int]:
    """Every row of the store's tables from ``source`` to ``target`` (same ids), in one target transaction."""
    counts = {}
    try:
        with source.connect() as src, target.begin() as dst:
            for table in TABLES:
                present = {c["name"] for c in sa.inspect(src).get_columns(table.name)} if source.dialect.name == "sqlite" \
                    else {c.name for c in table.c}
                columns = [c for c in table.c if c.name in present]  # an older backup lacks newer columns
                rows = src.execute(sa.select(*columns).order_by(*table.primary_key.columns)).mappings()
                n = 0
                while batch := rows.fetchmany(CHUNK):
                    dst.execute(table.insert(), [dict(r) for r in batch])
                    n += len(batch)
                counts[table.name] = n
    except sa.exc.SQLAlchemyError as exc:
        raise HistoryError(f"history copy failed: {history._reason(exc)}") from None
    return counts


def _reset_sequences(engine: sa.Engine) -> None:
    """Rows came with their ids: the next insert must not reuse one."""
    with engine.begin() as conn:
        schema = history._store_schema(conn)
        for table in (history.review_runs, history.invariant_runs, history.acceptances, history.sign_offs):
            name = history._table_name(conn, table.name)
            conn.exec_driver_sql(
                f"SELECT pg_catalog.setval(pg_catalog.pg_get_serial_sequence(%(t)s, 'id'), "
                f"COALESCE((SELECT pg_catalog.max(id) FROM {name}), 0) + 1, false)",
                {"t": f"{schema}.{table.name}" if schema else table.name})


def _mark(url: str) -> None:
    """The restored store holds data: it gets its marker, so losing it again is noticed."""
    history.HistoryStore._migrated.discard(url)
    store = history.HistoryStore(url)
    try:
        if store.holds_data():
            store._mark_held()
    finally:
        store.engine.dispose()
