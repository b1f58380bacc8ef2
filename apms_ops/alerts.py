"""Alerts: after an audit saves a run, post to a webhook (Slack-compatible JSON) when the
environment's verdict changed or an acceptance expired.

Configured per environment in the secrets file (the one ``[connections.*]`` lives in)::

    [alerts.staging]
    webhook_url = "https://hooks.slack.com/services/T000/B000/XXXX"  # a secret: only its host is printed
    on = ["verdict", "acceptance_expired"]                           # default: both
    dashboard_url = "https://apms-ops.example.com"                   # optional: links in the message
    timeout = "5s"                                                    # default 5s

What fires, for saved run N of an environment (edge-triggered, so no state is kept):

- ``verdict``: run N's verdict differs from the verdict of the saved run before it
  (the first saved run has nothing to differ from);
- ``acceptance_expired``: an acceptance of that environment (or of every environment)
  expired after the previous saved run started and by the time run N started; the
  finding counts in the verdict again.

A failed post never changes the audit's outcome: the run is saved, the failure is one line.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from datetime import datetime, timezone

from apms_ops.briefing import as_utc, finding_label, verdict_word, when
from apms_ops.connections import parse_duration_ms, read_secrets
from apms_ops.errors import ConfigError

VERDICT, ACCEPTANCE_EXPIRED = "verdict", "acceptance_expired"
EVENTS = (VERDICT, ACCEPTANCE_EXPIRED)
_KEYS = {"webhook_url", "on", "dashboard_url", "timeout"}


@dataclass(frozen=True)
class AlertSettings:
    environment: str
    webhook_url: str = ""
    events: tuple[str, ...] = EVENTS
    dashboard_url: str | None = None
    timeout_ms: int = 5000

    @property
    def host(self) -> str:
        """Where alerts go, without the secret part of the URL."""
        return urllib.parse.urlsplit(self.webhook_url).hostname or "?"


@dataclass(frozen=True)
class Event:
    kind: str
    title: str
    lines: tuple[str, ...]
    link: str | None = None


class AlertError(Exception):
    """A post that did not arrive (the message names the host, never the URL)."""


def alert_settings(environment: str, secrets: dict | None = None) -> AlertSettings | None:
    """The alert settings of ``environment`` (``[alerts.<environment>]``), or None when it has none."""
    secrets = read_secrets() if secrets is None else secrets
    section = secrets.get("alerts", {})
    if not isinstance(section, dict):
        raise ConfigError("secrets: [alerts] must be a table of tables ([alerts.<environment>])")
    table = section.get(environment)
    if table is None:
        return None
    where = f"secrets: [alerts.{environment}]"
    if not isinstance(table, dict):
        raise ConfigError(f"{where} must be a table")
    unknown = set(table) - _KEYS
    if unknown:
        raise ConfigError(f"{where} has unknown key {sorted(unknown)[0]!r} (known: {', '.join(sorted(_KEYS))})")
    url = str(table.get("webhook_url") or "")
    if urllib.parse.urlsplit(url).scheme not in ("http", "https") or not urllib.parse.urlsplit(url).hostname:
        raise ConfigError(f"{where}: webhook_url must be an http(s) URL")
    events = table.get("on", list(EVENTS))
    if isinstance(events, str):
        events = [events]
    if not isinstance(events, list) or any(e not in EVENTS for e in events):
        raise ConfigError(f"{where}: on must list some of {', '.join(EVENTS)}")
    dashboard = table.get("dashboard_url")
    if dashboard is not None and urllib.parse.urlsplit(str(dashboard)).scheme not in ("http", "https"):
        raise ConfigError(f"{where}: dashboard_url must be an http(s) URL")
    timeout = parse_duration_ms(table.get("timeout", "5s"), "timeout", where)
    return AlertSettings(environment, url, tuple(events), str(dashboard).rstrip("/") if dashboard else None, timeout)


def _link(settings: AlertSettings, page: str = "", **params) -> str | None:
    if not settings.dashboard_url:
        return None
    query = urllib.parse.urlencode({"env": settings.environment, **{k: v for k, v in params.items() if v}})
    return f"{settings.dashboard_url}/{page}?{query}"


def alert_events(store, review, run_id: int, settings: AlertSettings, now: datetime | None = None) -> list[Event]:
    """What happened with saved run ``run_id`` (the review ``review``) that ``settings`` asks to hear about."""
    now = now or datetime.now(timezone.utc)
    previous_id = store.latest_review_id(review.environment, before=run_id)
    if previous_id is None:
        return []  # a first run has nothing to change from, and no window for expiries
    previous = store.get_review(previous_id)
    events = []
    if VERDICT in settings.events and previous.verdict != review.verdict:
        lines = tuple(f"{verdict_word(r.verdict)} · {r.text} ({r.rule})" for r in review.reasons) or (
            "No verdict rule fires any more.",)
        events.append(Event(VERDICT, f"Verdict {verdict_word(previous.verdict)} → {verdict_word(review.verdict)} "
                                     f"(run #{previous_id} → run #{run_id})", lines, _link(settings)))
    if ACCEPTANCE_EXPIRED in settings.events:
        # Windows between consecutive runs' start times tile the timeline: each expiry falls in
        # exactly one, so it is posted once (runs are timed to the second; a run that starts in
        # the same second as the one before has an empty window, and the next run posts it).
        since, until = as_utc(previous.started_at), as_utc(review.started_at) or now
        for acc in store.list_acceptances(review.environment, include_inactive=True, at=until):
            expires = as_utc(acc["expires_at"])
            if acc["state"] != "expired" or not (since < expires <= until):
                continue
            what = finding_label(acc["finding"]) if acc.get("finding") else acc["fingerprint"]
            events.append(Event(
                ACCEPTANCE_EXPIRED, f"Acceptance expired: {acc['check_id']} · {what}",
                (f"Accepted by {acc['accepted_by']} until {when(expires)}: {acc['reason']}",
                 "The finding counts in the verdict again."),
                _link(settings, "findings", check=acc["check_id"], finding=acc["fingerprint"]),
            ))
    return events


def _mrkdwn(text: str) -> str:
    """Slack's three escapes; everything else is text."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def slack_payload(review, run_id: int, events: list[Event]) -> dict:
    """Slack-compatible JSON: ``text`` for any webhook, ``blocks`` for Slack itself."""
    headline = f"apms-ops · {review.environment}: {verdict_word(review.verdict)}"
    blocks: list[dict] = [{"type": "header", "text": {"type": "plain_text", "text": headline[:150]}}]
    for e in events:
        body = f"*{_mrkdwn(e.title)}*\n" + "\n".join(f"• {_mrkdwn(line)}" for line in e.lines)
        if e.link:
            body += f"\n<{e.link}|Open in apms-ops>"
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": body[:3000]}})
    blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": _mrkdwn(
        f"run #{run_id} · {when(review.started_at)} · profile {review.profile} · {review.database}")}]})
    text = headline + " — " + "; ".join(e.title for e in events)
    return {"text": text, "blocks": blocks}


def post(settings: AlertSettings, payload: dict) -> None:
    """POST ``payload`` as JSON; raises ``AlertError`` naming the host when it does not arrive."""
    request = urllib.request.Request(settings.webhook_url, data=json.dumps(payload).encode("utf-8"), method="POST",
                                     headers={"Content-Type": "application/json", "User-Agent": "apms-ops"})
    try:
        with urllib.request.urlopen(request, timeout=settings.timeout_ms / 1000) as resp:  # noqa: S310 - configured URL
            status = resp.status
    except urllib.error.HTTPError as exc:
        raise AlertError(f"{settings.host}: HTTP {exc.code}") from None
    except (urllib.error.URLError, OSError, ValueError) as exc:
        raise AlertError(f"{settings.host}: {getattr(exc, 'reason', exc)}") from None
    if not 200 <= status < 300:
        raise AlertError(f"{settings.host}: HTTP {status}")


def send_alerts(store, review, run_id: int, settings: AlertSettings | None) -> list[str]:
    """Post the events of saved run ``run_id``, if any; returns the lines to print. Raises ``AlertError``."""
    if settings is None:
        return []
    events = alert_events(store, review, run_id, settings)
    if not events:
        return []
    post(settings, slack_payload(review, run_id, events))
    return [f"  alert posted to {settings.host}: " + "; ".join(e.title for e in events)]
