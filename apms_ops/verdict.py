"""The verdict rules: GO, HOLD or NO_GO, with reasons. All of them are here.

A rule fires when one of its checks has status FAIL or WARN (or, for R15,
ERROR) with at least one finding nobody accepted (or with no findings at all).
Findings about references discovery only suspects (the *review* band) are
listed for a person to confirm and never fire a rule by themselves.
The verdict is the worst verdict of the rules that fire; GO when none fires.
Every check in the registry is covered by a rule (a test enforces it), so a
new check cannot silently stay out of the verdict.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterable

from apms_ops.checks.base import ERROR, FAIL, WARN, CheckResult

GO, HOLD, NO_GO = "GO", "HOLD", "NO_GO"
ORDER = {GO: 0, HOLD: 1, NO_GO: 2}


@dataclass(frozen=True)
class Rule:
    id: str
    verdict: str
    title: str
    checks: tuple[str, ...]
    statuses: tuple[str, ...] = (FAIL, WARN)
    # Which open findings count (all when None): C4 splits "several ACTIVE" from "none".
    when: Callable[[dict], bool] | None = None


def counts(finding: dict) -> bool:
    """A finding that moves the verdict: not one about a reference discovery only suspects (review band)."""
    return finding.get("confidence") != "review"


RULES: tuple[Rule, ...] = (
    Rule("R1", NO_GO, "Expected tables are missing", ("C1.tables",)),
    Rule("R2", NO_GO, "The partial unique index is missing, invalid or differs from the design", ("C1.partial_unique_index",)),
    Rule("R3", NO_GO, "Orphaned rows exist", ("C1.orphans",), when=counts),
    Rule("R4", NO_GO, "Id or reference types do not match", ("C2.id_types", "C2.reference_types"), when=counts),
    Rule("R5", NO_GO, "Configuration lifecycle is violated", ("C3.lifecycle",)),
    Rule("R6", NO_GO, "A workspace has two or more ACTIVE versions", ("C4.one_active_per_workspace",),
         when=lambda f: (f.get("active") or 0) > 1),
    Rule("R7", NO_GO, "Rows reference another workspace's rows", ("C5.isolation",), when=counts),
    Rule("R8", NO_GO, "Running work is frozen to a DRAFT version", ("C6.runtime",)),
    Rule("R9", HOLD, "Foreign keys are missing, differ from the design or are not validated",
         ("C1.foreign_keys", "C1.critical_foreign_keys"), when=counts),
    Rule("R10", HOLD, "CHECK constraints are missing, differ from the design or are not validated", ("C1.check_constraints",)),
    Rule("R11", HOLD, "A required extension is missing", ("C1.extensions",)),
    Rule("R12", HOLD, "The migration history is incomplete", ("C1.migrations",)),
    Rule("R13", HOLD, "A workspace has no ACTIVE version", ("C4.one_active_per_workspace",),
         when=lambda f: (f.get("active") or 0) == 0),
    Rule("R14", HOLD, "The application's health endpoint does not answer", ("C6.health",)),
    Rule("R15", HOLD, "A check could not run, so its part of the design is unverified", ("*",), statuses=(ERROR,)),
    Rule("R16", NO_GO, "A critical foreign key would delete or detach the rows that depend on it", ("C1.critical_foreign_keys",),
         when=lambda f: bool(f.get("destructive"))),
    # Never a false all-clear: GO means the database was compared with something and matched.
    Rule("R17", HOLD, "Nothing to verify", ("C1.design",)),
    Rule("R18", HOLD, "Reference-like columns resolve to no key, and no design says what they are", ("C1.reference_columns",)),
)


@dataclass(frozen=True)
class Reason:
    rule: str
    verdict: str
    text: str
    checks: tuple[str, ...]

    def to_dict(self) -> dict:
        return {"rule": self.rule, "verdict": self.verdict, "text": self.text, "checks": list(self.checks)}

    def __str__(self) -> str:
        return self.text


def _fires(rule: Rule, result: CheckResult) -> bool:
    if result.status not in rule.statuses:
        return False
    if result.status == ERROR or not result.findings:
        return True
    open_findings = result.open_findings
    if rule.when is not None:
        open_findings = [f for f in open_findings if rule.when(f)]
    return bool(open_findings)


_FK_DEFINITION = ("on delete", "on update", "deferrable", "initially deferred", "match")


def _headline(missing: int, differ: int, not_valid: int, noun: str) -> str:
    """What the reason says first: the worst kind of problem present, so it never contradicts its figures."""
    if missing:
        return f"{noun} are missing"
    if differ:
        return f"{noun} differ from the design"
    if not_valid:
        return f"{noun} are not validated"
    return f"{noun} need attention"


def _reason_text(rule: Rule, fired: list[CheckResult]) -> str:
    if rule.id == "R9":
        # One reason for both FK checks: the critical count is part of the coverage story.
        by_id = {r.id: r for r in fired}
        cov, crit = by_id.get("C1.foreign_keys"), by_id.get("C1.critical_foreign_keys")
        source = cov if cov is not None else crit
        if source is not None and source.target is not None:
            open_findings = source.open_findings
            missing = sum(1 for f in open_findings if counts(f) and (not f.get("problem") or f.get("problem") in ("column missing", "referenced key missing")))
            wrong = [f for f in open_findings if f.get("problem") == "wrong target"]
            differ = [f for f in open_findings if f.get("problem") in _FK_DEFINITION]
            not_valid = sum(1 for f in open_findings if f.get("problem") == "NOT VALID")
            text = f"{_headline(missing, len(wrong) + len(differ), not_valid, 'Foreign keys')}: {source.actual} of {source.target} in place"
            if cov is not None and crit is not None:
                text += f" ({crit.actual} of {crit.target} critical)"
            extra = []
            if missing:
                extra.append(f"{missing} references enforced only by application code")
            extra += [f"{f['table']}.{f['column']} {f.get('reason')}" for f in wrong[:3]]
            extra += [f"{f['table']}.{f['column']} {f.get('reason')}" for f in differ[:3]]
            if len(wrong) + len(differ) > 6:
                extra.append(f"{len(wrong) + len(differ) - 6} more defined otherwise")
            if not_valid:
                extra.append(f"{not_valid} NOT VALID (not validated)")
            return text + (": " + ", ".join(extra) if extra else "")
    if rule.id == "R10":
        (check,) = fired
        open_findings = check.open_findings
        missing = sum(1 for f in open_findings if not f.get("problem"))
        differ = sum(1 for f in open_findings if f.get("problem") == "definition differs")
        not_valid = sum(1 for f in open_findings if f.get("problem") == "NOT VALID")
        return f"{_headline(missing, differ, not_valid, 'CHECK constraints')}: {check.detail}"
    if rule.id == "R2":
        problems = [f.get("problem") or "" for r in fired for f in r.open_findings]
        if problems and all(p == "missing" for p in problems):
            headline = "The partial unique index is missing"
        elif problems and all(p.startswith("INVALID") for p in problems):
            headline = "The partial unique index is invalid"
        else:
            headline = "The partial unique index differs from the design"
        return f"{headline}: " + "; ".join(r.detail for r in fired)
    if rule.id == "R16":
        findings = [f for r in fired for f in r.open_findings if f.get("destructive")]
        return f"{rule.title}: " + "; ".join(f"{f['table']}.{f['column']} → {f['references']} has {f['reason']}" for f in findings)
    if rule.id == "R15":
        return f"{rule.title}: " + "; ".join(f"{r.id} ({r.detail})" for r in fired)
    return f"{rule.title}: " + "; ".join(r.detail for r in fired)


def decide(results: Iterable[CheckResult]) -> tuple[str, list[Reason]]:
    """The verdict and its reasons (worst first) for a list of check results."""
    results = list(results)
    reasons: list[Reason] = []
    for rule in RULES:
        fired = [r for r in results if (rule.checks == ("*",) or r.id in rule.checks) and _fires(rule, r)]
        if fired:
            reasons.append(Reason(rule.id, rule.verdict, _reason_text(rule, fired), tuple(r.id for r in fired)))
    reasons.sort(key=lambda r: -ORDER[r.verdict])
    verdict = max((r.verdict for r in reasons), key=ORDER.__getitem__, default=GO)
    return verdict, reasons
