"""Running invariant tests safely: one transaction each, always rolled back, then proven gone.

For every test: refuse a protected environment unless it allows invariant tests;
open ONE transaction on the write-capable engine (never autocommit) with
``SET LOCAL`` statement, lock and idle timeouts and an application name that
carries the run's tag; wait for any other invariant run on the same database
(a transaction-scoped advisory lock); let the test work through a ``Probe``; roll back, also
on error, timeout, interruption or a dropped connection (PostgreSQL discards
an unfinished transaction of a lost session); then, on a fresh read-only
connection, prove that no row with the tag and no created key remains in any
table the test touched, and that every existing row it updated reads as
before. Every run is recorded in the history store.
"""

from __future__ import annotations

import time
import uuid
from datetime import datetime, timezone
from typing import Callable, Iterable

import sqlalchemy as sa
from psycopg import sql
from sqlalchemy import event
from sqlalchemy.pool import NullPool

from apms_ops.catalog import Snapshot, read_snapshot
from apms_ops.connections import Environment, database_error, engine_for, normalize_url, read_only_session, session_options
from apms_ops.errors import ConfigError
from apms_ops.identity import read_identity
from apms_ops.invariants.base import ERROR, FAIL, SAFETY, SETUP, SKIP, Abort, InvariantRun, Invariant, Skip, Step, combine
from apms_ops.invariants.probe import Probe, StepEvent, error_parts
from apms_ops.invariants.registry import BY_NAME, REGISTRY
from apms_ops.profiles import Profile
from apms_ops.review import choose_profile

TAG_PREFIX = "apmsops-"
APPLICATION_NAME = "apms-ops invariant"
# One transaction-scoped advisory lock per database serializes invariant runs: two
# operators pressing buttons at once would otherwise race for the same version
# numbers and the same ACTIVE slot, and PostgreSQL would end one with a deadlock.
# It is released by the rollback (or the end of the session), so it leaves nothing.
ADVISORY_LOCK_KEY = 0x61706D736F7073  # "apmsops"
# A client that stalls mid-test (a paused process, a frozen page, a dead laptop) must not keep the
# application waiting on the rows the test locked: the server ends a session idle inside its
# transaction after this long, whatever the statement timeout (which bounds a statement, not a pause).
IDLE_IN_TRANSACTION_TIMEOUT_MS = 5_000
# How often, during a long statement, the server checks that the client is still connected.
CLIENT_CHECK_INTERVAL_MS = 1_000


class InvariantsRefused(ConfigError):
    """The environment may not run invariant tests (protected without allow_invariants)."""


def new_tag() -> str:
    """A run's unique tag, written into every row the run creates: ``apmsops-`` and 12 hex digits."""
    return f"{TAG_PREFIX}{uuid.uuid4().hex[:12]}"


def tag_pattern(tag: str) -> str:
    """An ILIKE pattern matching the tag and its code-shaped form (``APMSOPS_...``)."""
    return f"%{tag.replace('-', '_')}%"  # '_' matches '-' and '_'


def refusal(env: Environment) -> str | None:
    """Why ``env`` may not run invariant tests, or None."""
    if env.protected and not env.allow_invariants:
        return (f"environment {env.name} is protected: invariant tests never run there unless its "
                f"[connections.{env.name}] table sets allow_invariants = true")
    return None


def ensure_allowed(env: Environment) -> None:
    why = refusal(env)
    if why:
        raise InvariantsRefused(why)


def select_invariants(only: Iterable[str] | None = None) -> list[Invariant]:
    """Invariants by name, in registry order; all of them when ``only`` is empty."""
    if not only:
        return list(REGISTRY)
    unknown = [n for n in only if n not in BY_NAME]
    if unknown:
        raise ConfigError(f"unknown invariant test {unknown[0]!r} (known: {', '.join(BY_NAME)})")
    wanted = set(only)
    return [inv for inv in REGISTRY if inv.name in wanted]


def read_target(env: Environment, profile: str | Profile | None = None) -> tuple[Snapshot, Profile]:
    """The catalog snapshot (read-only) and the profile the tests use."""
    with read_only_session(env) as conn:
        snapshot = read_snapshot(conn)
        snapshot.identity = read_identity(conn, env).to_dict()
    requested = profile if profile not in (None, "", "auto") else (env.profile or "auto")
    return snapshot, choose_profile(requested, snapshot, env.schema)


# ---------------------------------------------------------------- one run


def run_invariant(env: Environment, name: str, *, profile: str | Profile | None = None,
                  target: tuple[Snapshot, Profile] | None = None, run_by: str | None = None, record: bool = True,
                  store=None, on_step: Callable[[StepEvent], None] | None = None) -> InvariantRun:
    """Run invariant test ``name`` on ``env`` and record it.

    Raises ``InvariantsRefused`` for a protected environment and ``DatabaseError``
    when the database cannot be reached (nothing ran); everything that happens
    once the test's transaction is open is in the returned run (ERROR included).
    ``on_step`` is called before every step (a benchmark watches locks there).
    """
    from apms_ops.history import current_user

    inv = select_invariants([name])[0]
    ensure_allowed(env)
    started_at = datetime.now(timezone.utc)
    t0 = time.perf_counter()
    tag = new_tag()
    snapshot, chosen = target or read_target(env, profile)
    run = InvariantRun(
        test=inv.name, title=inv.title, outcome=SKIP, detail="", environment=env.name, database=env.masked_url,
        tag=tag, started_at=started_at, duration_ms=0.0, run_by=run_by or current_user(), profile=chosen.name,
        identity=snapshot.identity or {},
    )
    why = inv.needs(chosen, snapshot)
    if why:
        run.steps = [Step("requirements", SKIP, detail=why, kind=SETUP)]
        run.outcome, run.detail = SKIP, why
    else:
        probe = Probe(None, env, chosen, snapshot, tag=tag, test=inv.name, on_step=on_step)  # type: ignore[arg-type]
        try:
            _execute(env, inv, probe)
        except Exception as exc:
            if not probe.steps:
                raise  # could not connect: nothing ran, nothing to record
            run.steps = probe.steps
            run.outcome, run.detail = ERROR, f"{type(exc).__name__}: {' '.join(str(exc).split())}"
        except BaseException:
            # Interrupted (Ctrl-C, a page rerun): the transaction is already rolled back; say so, then stop.
            run.steps = probe.steps
            run.outcome, run.detail = ERROR, "interrupted before the test finished; its transaction was rolled back"
            run.duration_ms = (time.perf_counter() - t0) * 1000
            if record:
                _record(run, store)
            raise
        else:
            run.steps = probe.steps
            run.outcome, run.detail = combine(probe.steps, probe.skip_reason, probe.summaries)
    run.duration_ms = (time.perf_counter() - t0) * 1000
    if record:
        _record(run, store)
    return run


def run_invariants(env: Environment, only: Iterable[str] | None = None, *, profile: str | Profile | None = None,
                   run_by: str | None = None, record: bool = True, store=None,
                   on_step: Callable[[StepEvent], None] | None = None,
                   on_result: Callable[[int, int, InvariantRun], None] | None = None) -> list[InvariantRun]:
    """Run several invariant tests one after the other (each in its own transaction); the catalog is read once."""
    chosen = select_invariants(only)
    ensure_allowed(env)
    target = read_target(env, profile)
    if record and store is None:
        from apms_ops.history import HistoryStore

        try:
            store = HistoryStore()
        except Exception as exc:  # noqa: BLE001 - the tests still run; each run says it was not recorded
            store = _StoreUnavailable(exc)
    runs = []
    for i, inv in enumerate(chosen, 1):
        run = run_invariant(env, inv.name, target=target, run_by=run_by, record=record, store=store, on_step=on_step)
        runs.append(run)
        if on_result is not None:
            on_result(i, len(chosen), run)
    return runs


def _refuse_commit(conn) -> None:
    # The test transaction must never commit; this makes a bug in a test loud instead of permanent.
    raise RuntimeError("an invariant test tried to COMMIT; its transaction is rolled back instead")


def _execute(env: Environment, inv: Invariant, probe: Probe) -> None:
    engine = engine_for(env, read_only=False)
    try:
        conn = engine.connect()
    except sa.exc.DBAPIError as exc:
        raise database_error(exc, env) from None
    probe.conn = conn
    event.listen(conn, "commit", _refuse_commit)
    try:
        conn.begin()
        try:
            with probe.step("open one transaction (rolled back at the end)") as s:
                # The server checks that the client is still there during a long statement (PostgreSQL 14+).
                check_client = int(probe.snapshot.server.get("server_version_num") or 0) >= 140000
                row = probe.one(sql.SQL(
                    "SELECT pg_catalog.set_config('statement_timeout', %(st)s, true) AS statement_timeout, "
                    "pg_catalog.set_config('lock_timeout', %(lt)s, true) AS lock_timeout, "
                    "pg_catalog.set_config('idle_in_transaction_session_timeout', %(it)s, true) AS idle_timeout, "
                    + ("pg_catalog.set_config('client_connection_check_interval', %(cc)s, true) AS client_check, " if check_client else "")
                    + "pg_catalog.set_config('application_name', %(app)s, true) AS application_name, "
                    "pg_catalog.pg_backend_pid() AS pid, pg_catalog.current_setting('transaction_isolation') AS isolation, "
                    "pg_catalog.current_setting('transaction_read_only') AS read_only"
                ), {
                    "st": str(env.statement_timeout_ms), "lt": str(env.lock_timeout_ms),
                    "it": str(IDLE_IN_TRANSACTION_TIMEOUT_MS), "cc": str(CLIENT_CHECK_INTERVAL_MS),
                    "app": f"{APPLICATION_NAME} {probe.tag}"[:63],
                })
                probe.pid = int(row["pid"])
                if row["read_only"] == "on":
                    raise Skip(f"environment {env.name} only allows read-only transactions")
                waited = time.perf_counter()
                probe.execute(sql.SQL("SELECT pg_catalog.pg_advisory_xact_lock(%(key)s)"), {"key": ADVISORY_LOCK_KEY})
                waited = (time.perf_counter() - waited) * 1000
                s.detail = (f"backend pid {probe.pid}, {row['isolation']}, SET LOCAL statement_timeout {env.statement_timeout_ms} ms, "
                            f"lock_timeout {env.lock_timeout_ms} ms, idle_in_transaction_session_timeout "
                            f"{IDLE_IN_TRANSACTION_TIMEOUT_MS} ms"
                            + (f", client_connection_check_interval {CLIENT_CHECK_INTERVAL_MS} ms" if check_client else "")
                            + f"; tag {probe.tag}; "
                            + (f"waited {waited:.0f} ms for another invariant run on this database"
                               if waited >= 5 else "no other invariant run on this database"))
            inv.run(probe)
        except (Skip, Abort):
            pass
        finally:
            _rollback(probe, conn)
    finally:
        try:
            event.remove(conn, "commit", _refuse_commit)
            conn.close()
        except Exception:  # noqa: BLE001 - a dead connection is closed either way
            pass
    _after_check(env, probe)


def _rollback(probe: Probe, conn) -> None:
    record = Step("roll back the test transaction", kind=SAFETY)
    started = time.perf_counter()
    try:
        probe.notify(record.name)
    except Exception:  # noqa: BLE001 - a watcher's failure must not stop the rollback
        pass
    try:
        if conn.invalidated:
            record.outcome = SKIP
            record.detail = "the connection was lost: PostgreSQL discarded the unfinished transaction, nothing was committed"
        else:
            conn.rollback()
            record.detail = "ROLLBACK: everything the test wrote is undone"
    except sa.exc.DBAPIError as exc:
        record.outcome = SKIP
        record.sqlstate, _, message = error_parts(exc, probe.env)
        record.detail = f"the connection was lost ({message}): PostgreSQL discarded the unfinished transaction"
    finally:
        record.duration_ms = (time.perf_counter() - started) * 1000
        probe.steps.append(record)


def fresh_read_only_engine(env: Environment) -> sa.Engine:
    """An engine whose one connection is new (no pool) and read-only: another session than the test's."""
    return sa.create_engine(normalize_url(env.url), poolclass=NullPool, connect_args={
        "connect_timeout": env.connect_timeout_s, "application_name": "apms-ops after-check",
        "options": session_options(env, read_only=True)})


def _after_check(env: Environment, probe: Probe) -> None:
    record = Step("after-check on a fresh read-only connection", kind=SAFETY)
    started = time.perf_counter()
    tables = sorted(set(probe.touched) | set(probe.before))
    try:
        probe.notify(record.name)
        if not tables:
            record.detail = "the test wrote nothing"
            return
        leftovers, changed = remaining(env, probe.profile, probe.snapshot, probe.tag, probe.touched, probe.before)
        updated = sum(len(v) for v in probe.before.values())
        if leftovers or changed:
            record.outcome = FAIL
            record.detail = "; ".join(
                [f"{t}: {n} row(s) with tag {probe.tag} remain" for t, n in leftovers.items()]
                + [f"{t}: row {k} differs from before the test" for t, k in changed])
        else:
            record.detail = (f"nothing tagged {probe.tag} and none of the {sum(len(v) for v in probe.touched.values())} created keys "
                             f"remains in {len(tables)} table(s) ({', '.join(tables)}); {updated} updated row(s) read as before")
    except sa.exc.DBAPIError as exc:
        record.outcome = ERROR
        record.sqlstate, _, message = error_parts(exc, env)
        record.detail = f"could not prove that nothing remains: {message}"
    except Exception as exc:  # noqa: BLE001
        record.outcome = ERROR
        record.detail = f"could not prove that nothing remains: {type(exc).__name__}: {exc}"
    finally:
        record.duration_ms = (time.perf_counter() - started) * 1000
        probe.steps.append(record)


def remaining(env: Environment, profile: Profile, snapshot: Snapshot, tag: str, created: dict[str, set[str]],
              before: dict[str, dict[str, str]]) -> tuple[dict[str, int], list[tuple[str, str]]]:
    """What a run left behind, read on a fresh read-only connection.

    Returns ``({table: rows carrying the tag or a created key}, [(table, key) of
    an updated row whose checksum differs from its before-image]})``.
    """
    schema = profile.schema
    params: dict = {"pattern": tag_pattern(tag)}
    parts = []
    for i, table in enumerate(sorted(set(created) | set(before))):
        key = snapshot.primary_key(schema, table)[0]
        key_type = snapshot.column(schema, table, key).type
        params[f"k{i}"] = sorted(created.get(table, ()))
        parts.append(sql.SQL(
            "SELECT {label} AS tbl, pg_catalog.count(*) AS n FROM {tbl} AS t "
            "WHERE CAST(ROW(t.*) AS text) ILIKE %(pattern)s OR t.{key} = ANY(CAST({keys} AS {type}[]))"
        ).format(label=sql.Literal(table), tbl=sql.Identifier(schema, table), key=sql.Identifier(key),
                 keys=sql.SQL(f"%(k{i})s"), type=sql.SQL(key_type)))
    checks = []
    for i, (table, images) in enumerate(sorted(before.items())):
        if not images:
            continue
        key = snapshot.primary_key(schema, table)[0]
        key_type = snapshot.column(schema, table, key).type
        params[f"b{i}"] = sorted(images)
        checks.append(sql.SQL(
            "SELECT {label} AS tbl, CAST(t.{key} AS text) AS k, pg_catalog.md5(CAST(ROW(t.*) AS text)) AS h FROM {tbl} AS t "
            "WHERE t.{key} = ANY(CAST({keys} AS {type}[]))"
        ).format(label=sql.Literal(table), tbl=sql.Identifier(schema, table), key=sql.Identifier(key),
                 keys=sql.SQL(f"%(b{i})s"), type=sql.SQL(key_type)))
    engine = fresh_read_only_engine(env)
    try:
        with engine.connect() as conn, conn.begin():
            leftovers = {r["tbl"]: int(r["n"]) for r in conn.exec_driver_sql(
                sql.SQL(" UNION ALL ").join(parts).as_string(None), params).mappings() if r["n"]}
            now = {}
            if checks:
                for r in conn.exec_driver_sql(sql.SQL(" UNION ALL ").join(checks).as_string(None), params).mappings():
                    now[(r["tbl"], r["k"])] = r["h"]
    finally:
        engine.dispose()
    changed = [(t, k) for t, images in sorted(before.items()) for k, h in sorted(images.items()) if now.get((t, k)) != h]
    return leftovers, changed


class _StoreUnavailable:
    """A history store that would not open: every save says why, at once (no second wait on a locked store)."""

    def __init__(self, error: Exception):
        self.error = error

    def save_invariant_run(self, run: dict) -> int:
        raise self.error


def _record(run: InvariantRun, store) -> None:
    """Save the run; a history store that fails leaves a note on the run, never loses the result."""
    try:
        if store is None:
            from apms_ops.history import HistoryStore

            store = HistoryStore()
        run.record_id = store.save_invariant_run(run.to_record())
    except Exception as exc:  # noqa: BLE001
        run.record_error = f"not recorded in the history: {' '.join(str(exc).split())}"


__all__ = [
    "InvariantsRefused", "ensure_allowed", "fresh_read_only_engine", "new_tag", "read_target", "refusal",
    "remaining", "run_invariant", "run_invariants", "select_invariants", "tag_pattern",
]
