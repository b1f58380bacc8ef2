"""The validation report as a list of blocks, so Markdown and HTML say the same thing.

The shape follows the hand-made staging report (summary tables per group,
critical discoveries, go/no-go criteria met and unmet, hold conditions, next
steps, remediation SQL, invariant tests, sign-off), with one difference that
matters: a check is marked passed only when its status is PASS *and* its figure
meets its target. A FAIL whose findings were accepted stays FAIL; only the
verdict leaves accepted findings out.

Text in blocks may carry two inline marks, ``**bold**`` and `` `code` ``;
everything else is plain text that each renderer escapes for its format.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from apms_ops.checks.base import ERROR, FAIL, INFO, PASS, SKIP, WARN, finding_identity
from apms_ops.checks.docs import all_docs
from apms_ops.checks.registry import BY_ID, GROUPS
from apms_ops.remediation import migration_script
from apms_ops.review import Review
from apms_ops.verdict import GO, HOLD, NO_GO, RULES

VERDICT_WORDS = {GO: "GO", HOLD: "HOLD", NO_GO: "NO-GO"}
VERDICT_MEANING = {
    GO: "no rule holds this deploy back",
    HOLD: "do not deploy to production until the hold conditions are fixed or accepted",
    NO_GO: "do not deploy: at least one blocker is open",
}

# What to do about a check's open findings (the check's detail follows the sentence), and
# what an open finding risks: both written on the check itself (see checks.docs).
ACTIONS = {d.id: d.how for d in all_docs()}
RISKS = {d.id: d.why for d in all_docs()}

STALE_AUDIT = timedelta(days=7)
EXPIRY_WARNING = timedelta(days=14)


@dataclass
class Block:
    """One piece of the report: h (level, text), p (text), ul (items), checklist (items of
    (done, text)), table (headers, rows), code (lang, text)."""

    kind: str
    text: str = ""
    level: int = 2
    items: list | None = None
    headers: list[str] | None = None
    rows: list[list[str]] | None = None
    lang: str = ""


def h(level: int, text: str) -> Block:
    return Block("h", text, level=level)


def p(text: str) -> Block:
    return Block("p", text)


def ul(items: list[str]) -> Block:
    return Block("ul", items=items)


def checklist(items: list[tuple[bool, str]]) -> Block:
    return Block("checklist", items=items)


def table(headers: list[str], rows: list[list[Any]]) -> Block:
    return Block("table", headers=headers, rows=[[_text(v) for v in r] for r in rows])


def code(text: str, lang: str = "") -> Block:
    return Block("code", text, lang=lang)


def _text(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, datetime):
        return when(value)
    return str(value)


def when(value: Any) -> str:
    """A moment as ``YYYY-MM-DD HH:MM UTC``."""
    if value is None:
        return "-"
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return value
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


def mono(value: Any) -> str:
    """Inline code; a backtick inside becomes a quote so the mark stays closed."""
    return f"`{str(value).replace('`', chr(39))}`"


# ---------------------------------------------------------------- honest marks


def _numbers(*values) -> bool:
    return all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values)


def meets_target(check) -> bool | None:
    """True/False when the figure can be compared with the target, None when it cannot."""
    if check.target is None or check.actual is None:
        return None
    if _numbers(check.target, check.actual):
        return check.actual == check.target
    return str(check.actual) == str(check.target)


def status_label(check) -> str:
    """The status cell: PASS only for a PASS whose figure meets its target."""
    accepted = len(check.findings) - len(check.open_findings)
    if check.status == PASS and meets_target(check) is False:
        return "UNVERIFIED: figure misses target"
    label = check.status
    if accepted and check.status in (FAIL, WARN):
        label += f" ({accepted} of {len(check.findings)} findings accepted)"
    return label


def passed(check) -> bool:
    return check.status == PASS and meets_target(check) is not False


# ---------------------------------------------------------------- findings as text


IDENTIFYING = ("table", "column", "references", "type", "referenced_type", "definition", "workspace", "name", "index",
               "extension", "migration", "instance", "config_version", "rule", "status", "constraint", "problem", "url",
               "confidence")
MEASURES = ("orphans", "rows", "active", "version")


def finding_text(f: dict, with_fingerprint: bool = True) -> str:
    parts = [f"{k}: {mono(f[k])}" for k in IDENTIFYING if f.get(k) not in (None, "")]
    parts += [f"{k}: {f[k]}" for k in MEASURES if f.get(k) is not None]
    if f.get("reason"):
        parts.append(f"why: {f['reason']}")
    if f.get("accepted"):
        acc = f.get("acceptance") or {}
        parts.append(f"**ACCEPTED** by {acc.get('accepted_by', '?')} until {when(acc.get('expires_at'))}: {acc.get('reason', '')}")
    if with_fingerprint and f.get("fingerprint"):
        parts.append(f"fingerprint {mono(f['fingerprint'])}")
    return ", ".join(parts) or "(no details)"


def _why_it_matters(check_id: str) -> str:
    if check_id in RISKS:
        return RISKS[check_id]
    check = BY_ID.get(check_id)
    return check.summary if check is not None else ""


def _sentence(text: str) -> str:
    text = text.strip()
    return text if text.endswith((".", "…")) else text + "."


def distinct_open_findings(checks) -> int:
    """Open findings counted once each, however many checks report them."""
    return len({finding_identity(f) for c in checks for f in c.open_findings})


def judged_counts(check) -> str:
    """``46 judged: 45 FAIL, 1 PASS`` from the rows a check judged ('' when it judged none)."""
    if not check.rows:
        return ""
    counts: dict[str, int] = {}
    for r in check.rows:
        counts[r.get("status")] = counts.get(r.get("status"), 0) + 1
    order = [FAIL, ERROR, WARN, SKIP, INFO, PASS]
    return f"{len(check.rows)} judged: " + ", ".join(f"{counts[s]} {s}" for s in order if counts.get(s))


def remediation_script(review: Review) -> str:
    """The review's remediation SQL, each statement once."""
    return migration_script([c.to_dict() for c in review.checks])


def _rules_for(review: Review) -> dict[str, list]:
    """check id -> reasons that fired on it."""
    out: dict[str, list] = {}
    for reason in review.reasons:
        for check_id in reason.checks:
            out.setdefault(check_id, []).append(reason)
    return out


# ---------------------------------------------------------------- the report


def build(review: Review, *, invariant_runs: list[dict] | None = None, sign_off: dict | None = None,
          history: list[dict] | None = None, changes: dict | None = None, acceptances: list[dict] | None = None,
          run_id: int | None = None, max_findings: int = 50, generated_at: datetime | None = None) -> list[Block]:
    """The report's blocks, in reading order. Every argument beyond ``review`` comes from the
    history store (``HistoryStore.report_extras``) and is optional."""
    generated_at = generated_at or datetime.now(timezone.utc)
    word = VERDICT_WORDS.get(review.verdict, review.verdict)
    fired = _rules_for(review)
    blocks: list[Block] = [h(1, f"Validation report: {review.environment} — {word}")]
    if review.partial:
        blocks.append(p(f"**{review.partial_label.capitalize()}** (run with --only): the verdict covers only the checks that ran; "
                        f"not run: {', '.join(mono(c) for c in review.not_run)}."))

    migration = _migration_line(review)
    meta = [f"**Verdict:** **{word}** ({VERDICT_MEANING.get(review.verdict, '')})"]
    if migration:
        meta.append(f"**Migration:** {migration}")
    meta += [
        f"**Environment:** {review.environment}",
        f"**Database:** {mono(review.database)} (PostgreSQL {review.server.get('server_version', '?')})",
        f"**Profile:** {mono(review.profile)}",
        f"**Design:** {review.design.get('description') or 'none'}" + ("" if review.design.get("compared", True) else
                                                                        " (discovery only: nothing says what the database should hold)"),
        f"**Reviewed at:** {when(review.started_at)} ({review.duration_ms:.0f} ms, {review.statements} statements, read-only)"
        + (f", saved as run #{run_id}" if run_id else ""),
    ]
    if sign_off:
        meta.append(f"**Latest sign-off:** {_sign_off_line(sign_off)}")
    blocks.append(ul(meta))

    blocks.append(h(2, "Why"))
    if review.reasons:
        blocks.append(ul([f"**{VERDICT_WORDS[r.verdict]}** ({r.rule}): {r.text}" for r in review.reasons]))
    else:
        blocks.append(p("No rule holds this deploy back: every check passed or does not apply."))
    accepted = [(c, f) for c in review.checks for f in c.findings if f.get("accepted")]
    if accepted:
        blocks.append(p(f"{len(accepted)} accepted finding(s) are left out of the verdict (listed under Accepted findings); "
                        "their checks keep their status."))

    # -- summary tables
    blocks.append(h(2, "Validation summary"))
    for group, title in GROUPS.items():
        checks = [c for c in review.checks if c.group == group]
        if not checks:
            continue
        blocks.append(h(3, f"{group} {title}"))
        blocks.append(table(["Check", "Target", "Actual", "Status"],
                            [[f"{c.title} ({mono(c.id)})", c.target, c.actual, f"**{status_label(c)}**"] for c in checks]))
        blocks.append(ul([f"{mono(c.id)}: {c.detail}" + (f" ({judged_counts(c)})" if c.rows else "") for c in checks]))

    if changes is not None:
        blocks += _changes_blocks(changes)

    # -- critical discoveries
    blocks.append(h(2, "Critical discoveries"))
    discoveries = _discoveries(review, fired, invariant_runs, changes, max_findings)
    if discoveries:
        blocks += discoveries
    else:
        blocks.append(p("None: every check passed or does not apply, and no invariant test failed."))

    # -- go / no-go
    blocks += _criteria_blocks(review, fired)

    # -- accepted findings
    if accepted or acceptances:
        blocks.append(h(2, "Accepted findings"))
        blocks.append(p("Accepted findings stay visible and keep their check's status; the verdict leaves them out until they expire."))
        rows = [[mono(c.id), finding_text({k: v for k, v in f.items() if k not in ("accepted", "acceptance", "fingerprint")}),
                 (f.get("acceptance") or {}).get("accepted_by"), when((f.get("acceptance") or {}).get("expires_at")),
                 (f.get("acceptance") or {}).get("reason")] for c, f in accepted]
        if rows:
            blocks.append(table(["Check", "Finding", "Accepted by", "Expires", "Reason"], rows))
        else:
            blocks.append(p("No finding of this review matches an active acceptance."))

    # -- invariant tests
    blocks.append(h(2, "Invariant tests (latest runs)"))
    if invariant_runs:
        blocks.append(table(["Test", "Outcome", "Detail", "Ran by", "When"],
                            [[r.get("test"), f"**{r.get('outcome')}**", r.get("detail") or "", r.get("run_by"), when(r.get("started_at"))]
                             for r in invariant_runs]))
    else:
        blocks.append(p("No invariant test run is recorded for this environment: freeze by reference and the write "
                        "invariants are unverified."))

    # -- decision
    blocks.append(h(2, "Decision"))
    decision = [f"**Review verdict:** **{word}** — {VERDICT_MEANING.get(review.verdict, '')}."]
    if sign_off:
        decision.append(f"**Sign-off:** {_sign_off_line(sign_off)}")
        signed = sign_off.get("decision")
        if signed and signed != review.verdict:
            said = sign_off.get("review_verdict")
            if said and said != review.verdict:
                why = (f"the database changed since: the sign-off rested on run #{sign_off.get('review_run_id')}, "
                       f"which said {VERDICT_WORDS.get(said, said)}.")
            else:
                why = "the people who signed decided differently from the rules; the comment should say why."
            decision.append(f"The sign-off says **{VERDICT_WORDS.get(signed, signed)}** while this review says **{word}**: {why}")
    else:
        decision.append("**Sign-off:** none recorded for this environment.")
    blocks.append(ul(decision))

    # -- next steps
    blocks.append(h(2, "Next steps"))
    steps = next_steps(review, invariant_runs=invariant_runs, sign_off=sign_off, history=history, acceptances=acceptances,
                       now=generated_at)
    blocks.append(Block("ol", items=steps) if steps else p("Nothing to do before the next scheduled audit."))

    # -- findings
    with_findings = [c for c in review.checks if c.findings]
    if with_findings:
        blocks.append(h(2, "Findings"))
        for c in with_findings:
            blocks.append(h(3, f"{mono(c.id)} {c.title} — {c.status} ({len(c.findings)})"))
            lines = [finding_text(f) for f in c.findings[:max_findings]]
            if len(c.findings) > max_findings:
                lines.append(f"… and {len(c.findings) - max_findings} more (see the JSON report)")
            blocks.append(ul(lines))

    # -- the objects each check judged that did not pass (the same rows the pages and CSVs show)
    judged = [(c, [r for r in c.rows if r.get("status") in (FAIL, ERROR, WARN, SKIP)]) for c in review.checks]
    judged = [(c, rows) for c, rows in judged if rows]
    if judged:
        blocks.append(h(2, "Objects judged"))
        blocks.append(p("Every object a check judged and did not pass, with the status the check gave it; "
                        "the JSON report carries all of them."))
        for c, rows in judged:
            blocks.append(h(3, f"{mono(c.id)} {c.title} — {judged_counts(c)}"))
            shown = [[r.get("object"), f"**{r.get('status')}**", r.get("reason")] for r in rows[:max_findings]]
            if len(rows) > max_findings:
                shown.append([f"… and {len(rows) - max_findings} more", "", "see the JSON report"])
            blocks.append(table(["Object", "Status", "Reason"], shown))

    # -- history
    if history:
        blocks.append(h(2, "Audit history"))
        rows = []
        for r in history[-10:]:
            fk = f"{r['fk_present']} of {r['fk_target']}" if r.get("fk_present") is not None else None
            cc = f"{r['check_constraints']} of {r['check_constraints_target']}" if r.get("check_constraints") is not None else None
            rows.append([f"#{r['run_id']}", when(r["started_at"]), r.get("source"), f"**{VERDICT_WORDS.get(r['verdict'], r['verdict'])}**",
                         fk, r.get("orphans"), cc, r.get("active_violations")])
        blocks.append(table(["Run", "When", "Source", "Verdict", "Foreign keys", "Orphans", "CHECKs", "ACTIVE-per-workspace violations"], rows))

    script = remediation_script(review)
    if script:
        blocks.append(h(2, "Remediation SQL"))
        blocks.append(p("Review before running; fix orphans first, or VALIDATE fails."))
        blocks.append(code(script.rstrip(), "sql"))

    source = (f"saved run #{run_id}, reviewed {when(review.started_at)}" if run_id
              else "the live catalog and data, in a read-only transaction")
    blocks.append(p(f"*Generated by apms-ops at {when(generated_at)} from {source}.*"))
    return blocks


def _migration_line(review: Review) -> str:
    try:
        c = review.check("C1.migrations")
    except StopIteration:
        return ""
    if c.status == SKIP:
        return ""
    if c.target and c.target == c.actual:
        return f"{mono(c.target)} (applied)"
    if c.target:
        return f"expected {mono(c.target)}; latest applied {mono(c.actual) if c.actual else 'none'}"
    return mono(c.actual) if c.actual else ""


def _sign_off_line(s: dict) -> str:
    decision = VERDICT_WORDS.get(s.get("decision"), s.get("decision"))
    line = f"**{decision}** by {s.get('signed_by')} at {when(s.get('signed_at'))}"
    if s.get("migration"):
        line += f" for migration {mono(s['migration'])}"
    if s.get("review_run_id"):
        verdict = s.get("review_verdict")
        line += f" (on saved review #{s['review_run_id']}" + (f", which said {VERDICT_WORDS.get(verdict, verdict)})" if verdict else ")")
    if s.get("comment"):
        line += f": {s['comment']}"
    return line


def _changes_blocks(changes: dict) -> list[Block]:
    base = changes.get("a", {})
    label = f"run #{base['run_id']}" if base.get("run_id") else "the previous run"
    out = [h(2, f"Changes since {label} ({when(base.get('started_at'))})")]
    va, vb = changes["a"]["verdict"], changes["b"]["verdict"]
    lines = [f"Verdict: **{VERDICT_WORDS.get(va, va)}** → **{VERDICT_WORDS.get(vb, vb)}**"
             + ("" if changes["verdict_change"] == "same" else f" ({changes['verdict_change']})")]
    for kind in ("worse", "better", "changed"):
        for c in changes.get(kind, []):
            b, a = c["before"], c["after"]
            lines.append(f"{kind.capitalize()}: {mono(c['check_id'])} {c['title']}: {b['status']} → {a['status']}, "
                         f"actual {_text(b['actual'])} → {_text(a['actual'])} (target {_text(a['target'])}), "
                         f"open findings {b['open_findings']} → {a['open_findings']}")
    for f in changes.get("new_findings", []):
        lines.append(f"New finding in {mono(f['check_id'])}: {finding_text(f['finding'])}")
    for f in changes.get("changed_findings", []):
        measures = ", ".join(f"{k} {v[0]} → {v[1]}" for k, v in f["measures"].items())
        lines.append(f"Changed finding in {mono(f['check_id'])}: {measures}: {finding_text(f['finding'])}")
    for f in changes.get("resolved_findings", []):
        lines.append(f"Resolved finding in {mono(f['check_id'])}: {finding_text(f['finding'])}")
    if len(lines) == 1:
        lines.append("No check and no finding changed.")
    out.append(ul(lines))
    return out


def _discoveries(review: Review, fired: dict, invariant_runs, changes, max_findings: int) -> list[Block]:
    out: list[Block] = []
    order = {FAIL: 0, ERROR: 1, WARN: 2}
    severity = {"blocker": 0, "major": 1, "minor": 2}
    # Open findings first: a check whose findings are all accepted is known and decided.
    notable = sorted([c for c in review.checks if c.status in order],
                     key=lambda c: (not c.open_findings and bool(c.findings), order[c.status], severity.get(c.severity, 3), c.id))
    n = 0
    if changes and (changes.get("worse") or changes.get("new_findings")):
        n += 1
        base = changes["a"]
        label = f"run #{base['run_id']}" if base.get("run_id") else "the previous run"
        worse = ", ".join(mono(c["check_id"]) for c in changes.get("worse", [])) or "none"
        out.append(h(3, f"{n}. Worse since {label}"))
        out.append(p(f"Checks that got worse: {worse}; new findings: {len(changes.get('new_findings', []))} "
                     "(see Changes above)."))
    for c in notable:
        n += 1
        out.append(h(3, f"{n}. {c.title} ({mono(c.id)}): {status_label(c)}"))
        lines = [f"**Found:** {c.detail}"]
        why = _why_it_matters(c.id)
        if why:
            lines.append(f"**Why it matters:** {why}")
        reasons = fired.get(c.id, [])
        if reasons:
            lines.append("**Effect on the verdict:** " + "; ".join(f"{VERDICT_WORDS[r.verdict]} ({r.rule}: {r.text.split(':')[0]})" for r in reasons))
        elif c.findings and not c.open_findings:
            lines.append(f"**Effect on the verdict:** none while accepted: all {len(c.findings)} finding(s) are accepted.")
        else:
            lines.append("**Effect on the verdict:** none (no rule fires on what is open).")
        open_findings = c.open_findings
        if open_findings:
            shown = open_findings[:5]
            lines.append(f"**Open findings ({len(open_findings)}):** " + "; ".join(finding_text(f, False) for f in shown)
                         + (f"; … {len(open_findings) - len(shown)} more under Findings" if len(open_findings) > len(shown) else ""))
        out.append(ul(lines))
    for run in invariant_runs or []:
        if run.get("outcome") in ("PASS", "SKIP"):
            continue
        n += 1
        out.append(h(3, f"{n}. Invariant test {run.get('test')}: {run.get('outcome')}"))
        out.append(ul([f"**Found:** {run.get('detail') or 'no detail recorded'}",
                       f"**Ran:** {when(run.get('started_at'))} by {run.get('run_by')}"]))
    return out


def unverified_because(review: Review, rule) -> str | None:
    """Why a rule that did not fire was not verified either (a check skipped, failed to run, judged nothing, or absent)."""
    if rule.checks == ("*",):
        return None if review.checks else "no check ran"
    present = {c.id: c for c in review.checks}
    why = []
    for check_id in rule.checks:
        c = present.get(check_id)
        if c is None:
            why.append(f"{mono(check_id)} did not run")
        elif c.status in (SKIP, ERROR, INFO):
            why.append(f"{mono(check_id)} {c.status}: {c.detail}")
    return "; ".join(why) or None


def _criteria_blocks(review: Review, fired: dict) -> list[Block]:
    reasons = {r.rule: r for r in review.reasons}
    out = [h(2, "Go / no-go assessment")]
    unmet = [r for r in RULES if r.id in reasons]
    # A criterion is met only when its checks ran and judged something: SKIP, ERROR or nothing expected is not "met".
    unverified = [(r, unverified_because(review, r)) for r in RULES if r.id not in reasons]
    unverified = [(r, why) for r, why in unverified if why]
    met = [r for r in RULES if r.id not in reasons and r.id not in {u.id for u, _ in unverified}]
    out.append(h(3, f"Criteria met ({len(met)} of {len(RULES)})"))
    out.append(checklist([(True, f"{r.id}: no \"{r.title.lower()}\"") for r in met]) if met else p("None."))
    out.append(h(3, f"Criteria not met ({len(unmet)})"))
    out.append(checklist([(False, f"{r.id}: {reasons[r.id].text} — **{VERDICT_WORDS[r.verdict]}**") for r in unmet]) if unmet else p("None."))
    out.append(h(3, f"Criteria not verified ({len(unverified)})"))
    out.append(checklist([(False, f"{r.id}: \"{r.title}\" not verified — {why}") for r, why in unverified]) if unverified
               else p("None: every criterion's checks ran."))

    holds = [reasons[r.id] for r in RULES if r.id in reasons and r.verdict == HOLD]
    out.append(h(3, "HOLD conditions"))
    if holds:
        for i, reason in enumerate(holds, 1):
            checks = [review.check(cid) for cid in reason.checks if any(c.id == cid for c in review.checks)]
            # Distinct findings: a missing critical key is reported by two checks but is one finding.
            open_n = distinct_open_findings(checks)
            acc_n = len({finding_identity(f) for c in checks for f in c.findings if f.get("accepted")})
            out.append(h(4, f"{i}. {reason.text.split(':')[0]} ({reason.rule})"))
            lines = [f"**Issue:** {reason.text}",
                     "**Checks:** " + ", ".join(f"{mono(c.id)} {c.status}" for c in checks),
                     f"**Open findings:** {open_n}" + (f" ({acc_n} accepted)" if acc_n else ""),
                     "**Clears when:** the findings are fixed, or each is accepted with a reason and an expiry by an operator."]
            out.append(ul(lines))
    else:
        out.append(p("None."))

    no_go = [reasons[r.id] for r in RULES if r.id in reasons and r.verdict == NO_GO]
    out.append(h(3, "NO-GO criteria"))
    if no_go:
        out.append(ul([f"**{r.rule}:** {r.text}" for r in no_go]))
    else:
        out.append(p("None fired: no blocker is open."))
    return out


def next_steps(review: Review, *, invariant_runs=None, sign_off=None, history=None, acceptances=None,
               now: datetime | None = None) -> list[str]:
    """What to do next, most urgent first, generated from the open findings and the history."""
    now = now or datetime.now(timezone.utc)
    fired = _rules_for(review)
    steps: list[tuple[int, str]] = []
    for c in review.checks:
        reasons = fired.get(c.id, [])
        if c.status == ERROR:
            steps.append((1, f"**Re-run** {mono(c.id)} once it can run: {c.detail}"))
            continue
        if c.status not in (FAIL, WARN):
            continue
        if not c.open_findings and c.findings:
            soonest = min(((f.get("acceptance") or {}).get("expires_at") or "") for f in c.findings)
            steps.append((3, f"**Revisit** the accepted findings of {mono(c.id)} before they expire ({when(soonest) if soonest else '-'})."))
            continue
        worst = max((r.verdict for r in reasons), key=lambda v: {GO: 0, HOLD: 1, NO_GO: 2}[v], default=None)
        rank, tag = {NO_GO: (0, "Must fix (NO-GO)"), HOLD: (1, "Fix or accept (HOLD)")}.get(worst, (2, "Follow up"))
        action = ACTIONS.get(c.id, "Resolve the findings, or accept them with a reason and an expiry.")
        steps.append((rank, f"**{tag}:** {mono(c.id)} — {action} {_sentence(c.detail)}"))
    if not invariant_runs:
        steps.append((2, "**Run the invariant tests** (freeze by reference, second ACTIVE, illegal status, cross-workspace "
                         "reference) against this environment and record them."))
    else:
        for run in invariant_runs:
            outcome = run.get("outcome")
            if outcome == "NOT_ENFORCED":
                steps.append((2, f"**Enforce in the database** the rule invariant test {mono(run.get('test'))} probed: "
                                 "today only application code keeps it."))
            elif outcome == "ERROR":
                steps.append((1, f"**Re-run** invariant test {mono(run.get('test'))}: it could not run ({run.get('detail') or 'no detail'})."))
            elif outcome not in ("PASS", "SKIP"):
                steps.append((1, f"**Investigate** invariant test {mono(run.get('test'))}: {outcome}."))
    if history is not None:
        latest = max((r["started_at"] for r in history), default=None)
        if latest is None or now - latest > STALE_AUDIT:
            steps.append((2, f"**Schedule the audit** weekly (`python -m apms_ops audit --env {review.environment}`): "
                             + ("no saved audit yet." if latest is None else f"the latest saved run is from {when(latest)}.")))
    for acc in acceptances or []:
        expires = acc.get("expires_at")
        if acc.get("state", "active") == "active" and expires and expires - now <= EXPIRY_WARNING:
            steps.append((2, f"**Acceptance expiring** {when(expires)}: {mono(acc['check_id'])} {mono(acc['fingerprint'])} "
                             f"({acc.get('reason')}); renew it with a reason or fix the finding."))
    if not sign_off:
        steps.append((3, f"**Record the decision** of this review meeting: `python -m apms_ops signoff --env {review.environment} "
                         "--decision GO|HOLD|NO_GO --migration NAME --comment TEXT`."))
    elif sign_off.get("decision") != review.verdict:
        steps.append((1, f"**Confirm the sign-off:** it says {VERDICT_WORDS.get(sign_off.get('decision'), sign_off.get('decision'))}, "
                         f"this review says {VERDICT_WORDS.get(review.verdict, review.verdict)}."))
    steps.sort(key=lambda s: s[0])
    return [text for _, text in steps]

