"""Alerts: ``audit`` posts Slack-compatible JSON to a webhook when the verdict changes or an acceptance
expires, tested end to end (a real subprocess, a real database) against a local HTTP server."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import sqlalchemy as sa
import tomli_w

from apms_ops.alerts import AlertSettings, Event, alert_events, alert_settings, slack_payload
from apms_ops.errors import ConfigError
from apms_ops.history import HistoryStore, acceptances, review_runs
from apms_ops.review import run_review
from conftest import ROOT, SOON, admin_connection

SECRET_PATH = "/services/T000/B000/s3cr3t-token"
ORPHANS = ("INSERT INTO master_roles (id, workspace_id, config_version_id, code, name) "
           "SELECT 'orphan-role', workspace_id, 'no-such-version', 'GHOST', 'Ghost' FROM config_versions LIMIT 1")


class Webhook:
    """A local HTTP server that records what is posted and answers ``status``."""

    def __init__(self):
        self.posts: list[dict] = []
        self.status = 200
        hook = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - the stdlib's name
                body = self.rfile.read(int(self.headers["Content-Length"]))
                hook.posts.append({"path": self.path, "type": self.headers["Content-Type"], "json": json.loads(body)})
                self.send_response(hook.status)
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}{SECRET_PATH}"

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def webhook():
    hook = Webhook()
    yield hook
    hook.close()


@pytest.fixture
def setup(scratch, tmp_path, webhook):
    """A staging copy as environment "staging", its alerts going to the local webhook; ``audit()`` runs the CLI."""
    env = scratch.make(seed="staging")
    history = f"sqlite:///{tmp_path / 'history.sqlite3'}"
    secrets = tmp_path / "secrets.toml"

    def configure(**alerts):
        secrets.write_text(tomli_w.dumps({
            "connections": {"staging": {"url": env.url}},
            "alerts": {"staging": {"webhook_url": webhook.url, "dashboard_url": "https://ops.example/apms", **alerts}},
        }))

    def audit():
        run_env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
        run_env.update(APMS_OPS_SECRETS=str(secrets), APMS_OPS_HISTORY_URL=history, APMS_OPS_USER="scheduler", PYTHONPATH=str(ROOT))
        return subprocess.run([sys.executable, "-m", "apms_ops", "audit", "--env", "staging"], capture_output=True, text=True,
                              env=run_env, cwd=tmp_path, timeout=120)

    configure()
    store = HistoryStore(history)
    yield env, configure, audit, store
    store.engine.dispose()


def test_a_changed_verdict_is_posted_once(setup, webhook):
    env, _, audit, _ = setup
    first = audit()
    assert first.returncode == 0, first.stderr
    assert webhook.posts == [], "a first run has nothing to change from"
    assert audit().returncode == 0 and webhook.posts == [], "same verdict: no alert"

    with admin_connection(env.url) as conn:
        conn.execute(ORPHANS)
    third = audit()
    assert third.returncode == 1  # NO-GO
    [post] = webhook.posts
    assert post["path"] == SECRET_PATH and post["type"] == "application/json"
    payload = post["json"]
    assert payload["text"].startswith("apms-ops · staging: NO-GO — Verdict HOLD → NO-GO (run #2 → run #3)")
    header, section, context = payload["blocks"]
    assert header == {"type": "header", "text": {"type": "plain_text", "text": "apms-ops · staging: NO-GO"}}
    assert section["type"] == "section" and section["text"]["type"] == "mrkdwn"
    assert "• NO-GO · Orphaned rows exist: 1 orphaned rows" in section["text"]["text"]
    assert "<https://ops.example/apms/?env=staging|Open in apms-ops>" in section["text"]["text"]
    assert context["elements"][0]["text"].startswith("run #3 · ")
    assert "alert posted to 127.0.0.1: Verdict HOLD → NO-GO" in third.stdout
    assert "s3cr3t" not in third.stdout + third.stderr, "the webhook URL is a secret"

    assert audit().returncode == 1 and len(webhook.posts) == 1, "still NO-GO: no second alert"


def test_an_expired_acceptance_is_posted_with_a_link_to_its_finding(setup, webhook):
    env, configure, audit, store = setup
    configure(on=["acceptance_expired"])
    assert audit().returncode == 0
    finding = run_review(env).check("C1.check_constraints").findings[0]
    acc_id = store.accept(finding["fingerprint"], "C1.check_constraints", "next release", SOON, environment="staging",
                          finding=finding, accepted_by="alice")
    # The previous run was a minute ago, and the acceptance expired just after it started.
    [previous] = store.list_reviews("staging")
    earlier = previous["started_at"] - timedelta(minutes=1)
    payload = store.get_review(previous["id"]).to_dict()
    with store.engine.begin() as conn:
        conn.execute(sa.update(review_runs).where(review_runs.c.id == previous["id"])
                     .values(started_at=earlier, payload={**payload, "started_at": earlier.isoformat()}))
        conn.execute(sa.update(acceptances).where(acceptances.c.id == acc_id)
                     .values(expires_at=earlier + timedelta(milliseconds=1)))
    proc = audit()
    assert proc.returncode == 0, proc.stderr
    [post] = webhook.posts
    text = post["json"]["blocks"][1]["text"]["text"]
    assert text.startswith("*Acceptance expired: C1.check_constraints · config_versions: status &lt;&gt; 'ACTIVE'")
    assert "Accepted by alice until " in text and "The finding counts in the verdict again." in text
    assert f"<https://ops.example/apms/findings?env=staging&check=C1.check_constraints&finding={finding['fingerprint']}|" in text
    assert audit().returncode == 0 and len(webhook.posts) == 1, "an expiry is posted once"


def test_a_webhook_that_fails_does_not_change_the_outcome(setup, webhook):
    env, _, audit, _ = setup
    audit()
    with admin_connection(env.url) as conn:
        conn.execute(ORPHANS)
    webhook.status = 500
    proc = audit()
    assert proc.returncode == 1  # the gate, as without alerts
    assert "run #2 saved" in proc.stdout
    assert proc.stderr.strip() == "apms-ops: alert for staging not delivered (127.0.0.1: HTTP 500); run #2 was saved"


def test_a_broken_alerts_table_stops_before_anything_is_saved(setup):
    _, configure, audit, store = setup
    configure(channel="#ops")
    proc = audit()
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.strip() == ("apms-ops: secrets: [alerts.staging] has unknown key 'channel' "
                                   "(known: dashboard_url, on, timeout, webhook_url)")
    assert store.list_reviews() == []


@pytest.mark.parametrize("table, message", [
    ({"webhook_url": "ftp://x/y"}, r"\[alerts.staging\]: webhook_url must be an http\(s\) URL"),
    ({"webhook_url": "https://h/x", "on": ["everything"]}, "on must list some of verdict, acceptance_expired"),
    ({"webhook_url": "https://h/x", "dashboard_url": "ops.example"}, r"dashboard_url must be an http\(s\) URL"),
    ({"webhook_url": "https://h/x", "timeout": "soon"}, "timeout must be a duration"),
])
def test_alert_settings_are_validated(table, message):
    with pytest.raises(ConfigError, match=message):
        alert_settings("staging", {"alerts": {"staging": table}})


def test_alert_settings_default_and_absent():
    settings = alert_settings("prod", {"alerts": {"prod": {"webhook_url": "https://hooks.example/x/y", "on": "verdict"}}})
    assert settings == AlertSettings("prod", "https://hooks.example/x/y", ("verdict",), None, 5000)
    assert settings.host == "hooks.example"
    assert alert_settings("staging", {"alerts": {"prod": {"webhook_url": "https://h/x"}}}) is None
    assert alert_settings("staging", {}) is None


def test_slack_text_is_escaped(staging_env):
    review = run_review(staging_env)
    payload = slack_payload(review, 7, [Event("verdict", "a <b> & c", ("x < y",), None)])
    assert payload["blocks"][1]["text"]["text"] == "*a &lt;b&gt; &amp; c*\n• x &lt; y"


def test_each_expiry_falls_in_one_window_even_for_runs_in_the_same_second(staging_env, tmp_path):
    store = HistoryStore(f"sqlite:///{tmp_path / 'history.sqlite3'}")
    review = run_review(staging_env)
    finding = review.check("C1.check_constraints").findings[0]
    acc_id = store.accept(finding["fingerprint"], "C1.check_constraints", "r", SOON, environment="staging",
                          finding=finding, accepted_by="alice")
    t0 = datetime.fromisoformat(review.started_at) - timedelta(minutes=5)
    runs = []
    for offset in (0, 0, 5):  # the second run starts in the same second as the first
        review.started_at = (t0 + timedelta(seconds=offset)).isoformat(timespec="seconds")
        runs.append((store.save_review(review, run_by="scheduler", source="audit"), review.started_at))
    with store.engine.begin() as conn:
        conn.execute(sa.update(acceptances).where(acceptances.c.id == acc_id).values(expires_at=t0 + timedelta(milliseconds=1)))
    settings = AlertSettings("staging", "https://hooks.example/x", ("acceptance_expired",))
    posted = []
    for run_id, started_at in runs:
        review.started_at = started_at
        posted += [(run_id, e.kind) for e in alert_events(store, review, run_id, settings)]
    assert posted == [(runs[2][0], "acceptance_expired")]
    store.engine.dispose()
