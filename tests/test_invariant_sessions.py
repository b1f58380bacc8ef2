"""A stalled client cannot keep the application waiting on the rows an invariant test locked.

The test's transaction sets ``idle_in_transaction_session_timeout`` to a few
seconds whatever the statement timeout, and ``client_connection_check_interval``;
here the client stalls right after the test archived a configuration version (so
it holds that row's lock) while the application updates the table.
"""

from __future__ import annotations

import threading
import time

import psycopg

from apms_ops.invariants import ERROR, run_invariant
from apms_ops.invariants.runner import IDLE_IN_TRANSACTION_TIMEOUT_MS
from test_invariants import content_checksums

STALL_S = 10


def test_a_stalled_test_releases_its_locks_after_a_few_seconds(scratch):
    env = scratch.make("staging")
    assert env.statement_timeout_ms == 30_000 and IDLE_IN_TRANSACTION_TIMEOUT_MS <= 5_000
    before = content_checksums(env.url)
    waited: dict[str, float] = {}

    def application_update():
        with psycopg.connect(env.url) as conn:
            conn.execute("SET lock_timeout = 0")  # the application waits as long as it must
            started = time.perf_counter()
            conn.execute("UPDATE config_versions SET created_by = created_by")
            waited["s"] = time.perf_counter() - started
            conn.rollback()

    app = threading.Thread(target=application_update)

    def stall(event):
        if event.phase == "start" and event.step.startswith("activate version") and not app.is_alive() and not waited:
            app.start()
            time.sleep(STALL_S)  # the client stops answering, mid-transaction, holding the archived row

    run = run_invariant(env, "freeze_by_reference", record=False, on_step=stall)
    app.join(60)
    # The application waited for the server to end the stalled session, not for the client to come back.
    assert 2 < waited["s"] < STALL_S - 2, waited
    assert "idle_in_transaction_session_timeout 5000 ms, client_connection_check_interval 1000 ms" in run.steps[0].detail
    assert run.outcome == ERROR  # the test could not finish: its session was ended
    assert content_checksums(env.url) == before
