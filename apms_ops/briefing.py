"""What a review meeting needs on one screen: the verdict and its reasons in words, the caveats
a verdict alone hides, what changed since the last saved run and since the last sign-off, and
the few fixes that clear the verdict, each with its SQL.

Pure: a review and what the history store holds go in (``build_briefing``), a ``Briefing``
comes out; ``briefing_inputs`` reads those from a store. Nothing here decides a verdict: the
reasons are the review's, the levels of ``check_levels`` come from ``verdict.decide``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from apms_ops.checks.base import ERROR, FAIL, SKIP, WARN, CheckResult
from apms_ops.checks.docs import doc_for
from apms_ops.reports.document import when  # the one way a moment is written: YYYY-MM-DD HH:MM UTC
from apms_ops.review import Review
from apms_ops.verdict import GO, HOLD, NO_GO, ORDER, decide

VERDICT_WORDS = {GO: "GO", HOLD: "HOLD", NO_GO: "NO-GO"}
MAX_ACTIONS = 3
EXPIRING_SOON = timedelta(days=14)

# Levels of a check, advisor style: what it does to the verdict now.
BLOCKING, HOLDING, ACCEPTED, NOT_VERIFIED, PASSED = "NO-GO", "HOLD", "Accepted", "Not checked", "Passed"
LEVELS = (BLOCKING, HOLDING, ACCEPTED, NOT_VERIFIED, PASSED)


@dataclass(frozen=True)
class ReasonLine:
    text: str                 # the reason in words
    rule: str                 # R9
    verdict: str
    checks: tuple[str, ...]


@dataclass(frozen=True)
class Caveat:
    """Something the verdict alone does not say. ``level``: ``warn`` (it could change the decision) or ``info``."""

    kind: str                 # invariants | accepted | partial | not_checked | discovery | sign_off
    level: str
    text: str
    check: str | None = None
    fingerprint: str | None = None


@dataclass(frozen=True)
class Action:
    """One fix that clears a reason: its findings, the SQL for them, and where to read more."""

    title: str
    how: str
    rule: str
    verdict: str
    check: str
    findings: int
    fingerprint: str | None   # the one finding, when there is one
    sql: str
    note: str = ""


@dataclass(frozen=True)
class Changes:
    """What changed from a saved run to this review."""

    since: str                # the baseline ("run #12, 2026-01-05 10:00 UTC, HOLD"), or why there is none
    run_id: int | None
    lines: tuple[str, ...] = ()

    @property
    def compared(self) -> bool:
        return self.run_id is not None


@dataclass
class Briefing:
    verdict: str
    reasons: list[ReasonLine]
    caveats: list[Caveat]
    actions: list[Action]
    more_actions: int
    since_run: Changes
    since_sign_off: Changes
    sign_off: dict | None = None
    accepted_findings: int = 0

    @property
    def warnings(self) -> list[Caveat]:
        return [c for c in self.caveats if c.level == "warn"]


# ---------------------------------------------------------------- words


def as_utc(value: Any) -> datetime | None:
    """An aware UTC datetime from a datetime or ISO text (naive ones are UTC); None for nothing."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)


def finding_label(finding: dict) -> str:
    """A finding in a few words: ``master_roles.config_version_id → config_versions.id``, ``config_versions: <check>``..."""
    f = finding
    if f.get("table") and f.get("column") and f.get("references"):
        return f"{f['table']}.{f['column']} → {f['references']}"
    if f.get("table") and f.get("definition"):
        return f"{f['table']}: {f['definition']}"
    if f.get("index"):
        return f"index {f['index']} on {f.get('table', '?')}"
    if f.get("table") and f.get("column"):
        return f"{f['table']}.{f['column']}"
    for key in ("table", "extension", "migration", "workspace", "instance", "url"):
        if f.get(key):
            extra = f.get("problem") or f.get("rule") or f.get("kind") or ""
            return f"{key} {f[key]}" + (f": {extra}" if extra else "")
    return ", ".join(f"{k}: {v}" for k, v in f.items() if k not in ("fingerprint", "sql", "accepted", "acceptance")) or "(no details)"


def verdict_word(verdict: str | None) -> str:
    return VERDICT_WORDS.get(verdict or "", verdict or "—")


# ---------------------------------------------------------------- levels (advisor style)


@dataclass(frozen=True)
class CheckLine:
    """One check, one line: what it does to the verdict now, and its figures."""

    id: str
    title: str
    level: str
    status: str
    figure: str
    open_findings: int
    accepted_findings: int
    rules: tuple[str, ...]
    detail: str


def figure(c: CheckResult) -> str:
    """``1 / 46`` for counts; a name (a migration) once when it is the one expected."""
    if c.status == SKIP or (c.target is None and c.actual is None):
        return "—"
    if c.target is None:
        return str(c.actual)
    numbers = all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in (c.target, c.actual))
    if not numbers and c.actual == c.target:
        return str(c.actual)
    if not numbers:
        return f"{'—' if c.actual is None else c.actual} (expected {c.target})"
    return f"{c.actual} / {c.target}"


def check_level(c: CheckResult) -> tuple[str, tuple[str, ...]]:
    """The level of one check result and the rules it fires, from the verdict rules themselves."""
    verdict, reasons = decide([c])
    rules = tuple(r.rule for r in reasons)
    if verdict == NO_GO:
        return BLOCKING, rules
    if verdict == HOLD:
        return HOLDING, rules
    if c.findings and not c.open_findings and c.status in (FAIL, WARN):
        return ACCEPTED, rules
    if c.status in (SKIP, ERROR):
        return NOT_VERIFIED, rules
    return PASSED, rules


def check_levels(review: Review) -> list[CheckLine]:
    """Every check of ``review`` as one line, worst level first, registry order within a level."""
    lines = []
    for c in review.checks:
        level, rules = check_level(c)
        lines.append(CheckLine(c.id, c.title, level, c.status, figure(c), len(c.open_findings),
                               len(c.findings) - len(c.open_findings), rules, c.detail))
    return sorted(lines, key=lambda line: LEVELS.index(line.level))


# ---------------------------------------------------------------- next actions


def _finding_key(f: dict) -> tuple:
    # The same missing FK is a finding of C1.foreign_keys and of C1.critical_foreign_keys: one fix.
    if f.get("sql"):
        return ("sql", f["sql"])
    return ("fp", f.get("fingerprint"))


def _orphans_by_reference(review: Review) -> dict[tuple, int]:
    try:
        orphans = review.check("C1.orphans")
    except StopIteration:
        return {}
    return {(f.get("table"), f.get("column"), f.get("references")): int(f.get("orphans") or 0) for f in orphans.findings}


def next_actions(review: Review) -> list[Action]:
    """One action per reason, worst first: the open findings behind it, their SQL, where to read more."""
    by_id = {c.id: c for c in review.checks}
    orphaned = _orphans_by_reference(review)
    actions = []
    for reason in review.reasons:
        checks = [by_id[i] for i in reason.checks if i in by_id]
        if not checks:
            continue
        first = checks[0]
        doc = doc_for(first.id)
        if reason.rule == "R15" or all(c.status == ERROR for c in checks):
            names = ", ".join(c.id for c in checks)
            actions.append(Action(f"Make {names} run", f"It could not run: {first.detail}", reason.rule, reason.verdict,
                                  first.id, 0, None, "", "An unverified part of the design holds the deploy until it runs."))
            continue
        seen: dict[tuple, tuple[str, dict]] = {}
        for c in checks:
            for f in c.open_findings:
                seen.setdefault(_finding_key(f), (c.id, f))
        findings = list(seen.values())
        statements = [f["sql"] for _, f in findings if f.get("sql")]
        without_sql = [f for _, f in findings if not f.get("sql")]
        blocked = sum(orphaned.get((f.get("table"), f.get("column"), f.get("references")), 0) for _, f in findings)
        notes = []
        if blocked:
            notes.append(f"Fix the {blocked} orphaned row(s) under these references first: VALIDATE fails while they exist.")
        if without_sql and statements:
            notes.append(f"{len(without_sql)} finding(s) have no SQL: " + "; ".join(finding_label(f) for f in without_sql[:3])
                         + (" ..." if len(without_sql) > 3 else ""))
        n = len(findings)
        single = findings[0] if n == 1 else None
        # The check's title, not the rule's: short enough for a column, and the rule id follows it.
        title = first.title
        if single is not None:
            title += f": {finding_label(single[1])}"
        elif n:
            title += f": {n} to fix"
        actions.append(Action(
            title=title, how=doc.how if doc else "", rule=reason.rule, verdict=reason.verdict,
            check=single[0] if single else first.id, findings=n, fingerprint=single[1].get("fingerprint") if single else None,
            sql="\n\n".join(statements), note=" ".join(notes),
        ))
    return actions


# ---------------------------------------------------------------- caveats


def _invariant_caveats(runs: list[dict], tests: list[str], environment: str) -> list[Caveat]:
    if not runs:
        return [Caveat("invariants", "warn", f"Invariant tests have not run on {environment}: nothing shows yet whether the "
                                             "database itself refuses what the design forbids.")]
    latest: dict[str, dict] = {}
    for run in sorted(runs, key=lambda r: as_utc(r.get("started_at")) or datetime.min.replace(tzinfo=timezone.utc), reverse=True):
        latest.setdefault(run["test"], run)
    out = []
    by_outcome: dict[str, list[dict]] = {}
    for run in latest.values():
        by_outcome.setdefault(run.get("outcome", "?"), []).append(run)
    for outcome, words in (("FAIL", "failed"), ("ERROR", "could not finish")):
        for run in by_outcome.get(outcome, []):
            out.append(Caveat("invariants", "warn", f"Invariant test {run['test']} {words} ({when(run.get('started_at'))}): "
                                                    f"{run.get('detail') or outcome}"))
    enforced_not = by_outcome.get("NOT_ENFORCED", [])
    if enforced_not:
        names = ", ".join(r["test"] for r in enforced_not)
        moment = when(max((as_utc(r.get("started_at")) for r in enforced_not), default=None))
        out.append(Caveat("invariants", "warn", f"NOT_ENFORCED by the database: {names} (invariant tests, {moment}): "
                                                "only application code keeps these rules."))
    missing = [t for t in tests if t not in latest]
    if missing:
        out.append(Caveat("invariants", "info", "Invariant tests not run yet: " + ", ".join(missing) + "."))
    return out


def _accepted_caveats(review: Review, now: datetime) -> list[Caveat]:
    """The accepted findings: who, until when, why, and the reason they keep out of the verdict.

    One line per check and acceptance (same person, expiry and reason): 45 findings
    accepted together are one line, a single finding is named and linked.
    """
    groups: dict[tuple, list[dict]] = {}
    for c in review.checks:
        for f in c.findings:
            if f.get("accepted"):
                acc = f.get("acceptance") or {}
                key = (c.id, acc.get("accepted_by", "?"), str(acc.get("expires_at")), acc.get("reason") or "")
                groups.setdefault(key, []).append(f)
    if not groups:
        return []
    hidden = _hidden_reasons(review)
    out = []
    for (check_id, who, expires_at, reason), findings in groups.items():
        expires = as_utc(expires_at) if expires_at not in ("None", "") else None
        soon = expires is not None and expires - now <= EXPIRING_SOON
        would = hidden.get(check_id)
        what = finding_label(findings[0]) if len(findings) == 1 else f"{len(findings)} findings"
        text = (f"Accepted: {what} ({check_id}) by {who} until {when(expires)}"
                + (f' — "{reason}"' if reason else "")
                + (f"; without {'it' if len(findings) == 1 else 'them'}: {verdict_word(would.verdict)} ({would.rule})" if would else ""))
        out.append(Caveat("accepted", "warn" if soon or would else "info", text + (" — expires soon." if soon else ""),
                          check=check_id, fingerprint=findings[0].get("fingerprint") if len(findings) == 1 else None))
    return out


def _hidden_reasons(review: Review) -> dict[str, Any]:
    """Reasons that fire only without the acceptances: ``{check id: Reason}``."""
    stripped = [CheckResult.from_dict({**c.to_dict(), "findings": [{k: v for k, v in f.items() if k not in ("accepted", "acceptance")}
                                                                     for f in c.findings]}) for c in review.checks]
    _, reasons = decide(stripped)
    shown = {(r.rule, r.checks) for r in review.reasons}
    out = {}
    for r in reasons:
        if (r.rule, r.checks) in shown:
            continue
        for check_id in r.checks:
            if check_id not in out or ORDER[r.verdict] > ORDER[out[check_id].verdict]:
                out[check_id] = r
    return out


def _coverage_caveats(review: Review) -> list[Caveat]:
    out = []
    if review.profile in ("none", "", None):
        out.append(Caveat("discovery", "warn", "Discovery only: no profile describes this database's design, so only declared "
                                               "and name-implied references, their types and orphans were checked."))
    if review.partial:
        out.append(Caveat("partial", "warn", f"{review.partial_label.capitalize()}: the verdict covers only the checks that "
                                             f"ran (not run: {', '.join(review.not_run)})."))
    for c in review.checks:
        if c.status == ERROR:
            out.append(Caveat("partial", "warn", f"Not verified: {c.id} could not run ({c.detail}).", check=c.id))
    skipped = [c for c in review.checks if c.status == SKIP]
    if skipped:
        out.append(Caveat("not_checked", "info", "Not checked here: " + "; ".join(f"{c.id} ({c.detail})" for c in skipped) + "."))
    return out


def _sign_off_caveat(review: Review, sign_off: dict | None) -> list[Caveat]:
    if not sign_off:
        return []
    decision = sign_off.get("decision")
    if decision == review.verdict:
        return []
    return [Caveat("sign_off", "warn", f"The latest sign-off says {verdict_word(decision)} ({sign_off.get('signed_by')}, "
                                       f"{when(sign_off.get('signed_at'))}); this review says {verdict_word(review.verdict)}.")]


# ---------------------------------------------------------------- changes


def changes_since(saved: Review | None, run_id: int | None, review: Review, baseline: str, missing: str) -> Changes:
    """What changed from the saved run ``saved`` (``run_id``) to ``review``, in a few lines;
    ``baseline`` describes it ("{run}" is replaced by "run #12, <when>, <verdict>")."""
    from apms_ops.history import diff_reviews

    if saved is None or run_id is None:
        return Changes(missing, None)
    d = diff_reviews(saved, review)
    since = baseline.replace("{run}", f"run #{run_id}, {when(saved.started_at)}, {verdict_word(saved.verdict)}")
    lines = []
    if d["verdict_change"] != "same":
        lines.append(f"Verdict {verdict_word(saved.verdict)} → {verdict_word(review.verdict)} ({d['verdict_change']}).")
    for kind in ("worse", "better"):
        for c in d[kind]:
            b, a = c["before"], c["after"]
            figures = f"{b['actual']} → {a['actual']}" if b["actual"] != a["actual"] else f"{b['status']} → {a['status']}"
            lines.append(f"{kind.capitalize()}: {c['title']} ({c['check_id']}) {figures}.")
    new, resolved, changed = len(d["new_findings"]), len(d["resolved_findings"]), len(d["changed_findings"])
    if new or resolved or changed:
        lines.append(f"Findings: {new} new, {resolved} resolved, {changed} changed.")
    if not lines:
        lines.append("Nothing changed: same verdict, same figures, same findings.")
    return Changes(since, run_id, tuple(lines))


# ---------------------------------------------------------------- the briefing


def build_briefing(review: Review, *, invariant_runs: list[dict] | None = None, invariant_tests: list[str] | None = None,
                   last_run: Review | None = None, last_run_id: int | None = None,
                   sign_off: dict | None = None, sign_off_run: Review | None = None, store_error: str | None = None,
                   now: datetime | None = None) -> Briefing:
    """The Overview's content for ``review`` and what the history holds about its environment."""
    now = now or datetime.now(timezone.utc)
    if invariant_tests is None:
        from apms_ops.invariants import REGISTRY

        invariant_tests = [i.name for i in REGISTRY]
    actions = next_actions(review)
    caveats: list[Caveat] = []
    caveats += _coverage_caveats(review)
    if store_error:
        caveats.append(Caveat("history", "warn", f"The history store could not be read ({store_error}): invariant runs, "
                                                 "acceptances and sign-offs are not shown."))
    else:
        caveats += _invariant_caveats(invariant_runs or [], invariant_tests, review.environment)
    caveats += _accepted_caveats(review, now)
    caveats += _sign_off_caveat(review, sign_off)
    caveats.sort(key=lambda c: c.level != "warn")
    if store_error:
        since_run = since_sign_off = Changes("history store unavailable", None)
    else:
        since_run = changes_since(last_run, last_run_id, review, "{run}", "No saved run yet to compare with.")
        if not sign_off:
            since_sign_off = Changes("No sign-off recorded yet.", None)
        else:
            signed = f"{verdict_word(sign_off.get('decision'))} by {sign_off.get('signed_by')}, {when(sign_off.get('signed_at'))}"
            since_sign_off = changes_since(sign_off_run, sign_off.get("review_run_id"), review, signed + "; on {run}",
                                           f"{signed}; it names no saved run to compare with.")
    accepted = sum(len(c.findings) - len(c.open_findings) for c in review.checks)
    return Briefing(
        verdict=review.verdict,
        reasons=[ReasonLine(r.text, r.rule, r.verdict, tuple(r.checks)) for r in review.reasons],
        caveats=caveats,
        actions=actions[:MAX_ACTIONS],
        more_actions=max(0, len(actions) - MAX_ACTIONS),
        since_run=since_run,
        since_sign_off=since_sign_off,
        sign_off=sign_off,
        accepted_findings=accepted,
    )


def briefing_inputs(store, environment: str) -> dict:
    """What ``build_briefing`` needs from the history store, as plain data (saved reviews as dicts)."""
    last_id = store.latest_review_id(environment)
    sign_off = store.latest_sign_off(environment)
    sign_off_run = None
    if sign_off and sign_off.get("review_run_id"):
        try:
            sign_off_run = store.get_review(sign_off["review_run_id"]).to_dict()
        except Exception:  # noqa: BLE001 - a sign-off whose run was deleted still shows, without a comparison
            sign_off_run = None
    return {
        "invariant_runs": store.latest_invariant_runs(environment),
        "last_run": store.get_review(last_id).to_dict() if last_id is not None else None,
        "last_run_id": last_id,
        "sign_off": sign_off,
        "sign_off_run": sign_off_run,
    }


def briefing_from_inputs(review: Review, inputs: dict | None, store_error: str | None = None, now: datetime | None = None) -> Briefing:
    """``build_briefing`` from what ``briefing_inputs`` returned (or from nothing, when the store failed)."""
    inputs = inputs or {}
    last = inputs.get("last_run")
    signed = inputs.get("sign_off_run")
    return build_briefing(
        review, invariant_runs=inputs.get("invariant_runs"),
        last_run=Review.from_dict(last) if last else None, last_run_id=inputs.get("last_run_id"),
        sign_off=inputs.get("sign_off"), sign_off_run=Review.from_dict(signed) if signed else None,
        store_error=store_error, now=now,
    )

