"""Review -> DataFrames and figures for the pages. Pure functions: no Streamlit, no SQL.

Column names are what the pages show and what the CSV downloads carry. Every
status shown is the engine's: a check's status, or the status a check gave one
of the rows it judged (``CheckResult.rows``). Nothing here decides a status.
"""

from __future__ import annotations

from dataclasses import dataclass
import pandas as pd

from apms_ops.checks.base import CheckResult
from apms_ops.checks.lifecycle import RULE_TEXT
from apms_ops.briefing import figure, when
from apms_ops.review import Review

DASH = "—"
# Problem rows first: the order a reader in a review meeting wants.
STATUS_ORDER = {"FAIL": 0, "ERROR": 1, "WARN": 2, "SKIP": 3, "INFO": 4, "PASS": 5}


@dataclass(frozen=True)
class Figure:
    label: str
    value: str
    help: str = ""
    status: str | None = None


def text(value) -> str:
    """A cell as text: ``—`` for nothing, so mixed columns stay one type."""
    if value is None or value == "":
        return DASH
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value)
    return str(value)


def moment(value) -> str:
    """``2025-12-29 03:01 UTC``: every moment on every page is written this one way; ``—`` for none."""
    return DASH if value is None or value == "" else when(value)


def duration(ms) -> str:
    """``350 ms``, ``11.3 s``, ``2 min 5 s``; ``—`` for none."""
    if ms is None or (isinstance(ms, float) and pd.isna(ms)):
        return DASH
    ms = float(ms)
    if ms < 1000:
        return f"{ms:.0f} ms"
    if ms < 60_000:
        return f"{ms / 1000:.1f} s"
    minutes, seconds = divmod(round(ms / 1000), 60)
    return f"{minutes} min {seconds} s"


def _frame(rows: list[dict], columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=columns)


def _by_status(df: pd.DataFrame, column: str = "Status", then: list[str] | None = None) -> pd.DataFrame:
    if df.empty:
        return df
    order = df[column].map(lambda s: STATUS_ORDER.get(str(s).split(" ", 1)[0], 9))
    keys = [order] + [df[c] for c in (then or [])]
    return df.iloc[sorted(range(len(df)), key=lambda i: tuple(k.iloc[i] for k in keys))].reset_index(drop=True)


def check(review: Review, check_id: str) -> CheckResult | None:
    return next((c for c in review.checks if c.id == check_id), None)


def facts(review: Review) -> dict:
    return review.facts or {}


def fact_error(review: Review, key: str) -> str | None:
    """Why a part of the facts is absent (a missing table, a profile without that section, a failed read)."""
    return (facts(review).get("errors") or {}).get(key)


# ---------------------------------------------------------------- overview


def check_rows(review: Review, group: str | None = None) -> pd.DataFrame:
    """Check | Target | Actual | Status | Detail, as the staging report laid them out."""
    rows = [
        {"Check": c.title, "Target": text(c.target), "Actual": text(c.actual), "Actual / target": figure(c), "Status": c.status,
         "Detail": c.detail, "Id": c.id}
        for c in review.checks
        if group is None or c.group == group
    ]
    return _frame(rows, ["Check", "Target", "Actual", "Actual / target", "Status", "Detail", "Id"])


def ratio(result: CheckResult | None) -> str:
    """``actual / target`` (``1 / 46``); just the count when nothing is expected."""
    if result is None or result.status == "SKIP":
        return "n/a"
    if result.target is None:
        return text(result.actual)
    return f"{text(result.actual)} / {text(result.target)}"


def fk_ratio(review: Review) -> str:
    c = check(review, "C1.foreign_keys")
    if c is None:
        return "n/a"
    return f"{c.actual or 0} / {c.target or 0}"


ACTIVE_HELP = "Workspaces without exactly one ACTIVE configuration version (C4). "


def key_figures(review: Review) -> list[Figure]:
    """Tables, FK coverage, CHECKs, orphans and ACTIVE-per-workspace violations."""
    tables, fks, checks = check(review, "C1.tables"), check(review, "C1.foreign_keys"), check(review, "C1.check_constraints")
    orphans, active = check(review, "C1.orphans"), check(review, "C4.one_active_per_workspace")
    figures = [
        Figure("Tables created", ratio(tables), tables.detail if tables else "", tables.status if tables else None),
        Figure("FK coverage", fk_ratio(review), fks.detail if fks else "", fks.status if fks else None),
        Figure("CHECKs", ratio(checks), checks.detail if checks else "", checks.status if checks else None),
        Figure("Orphaned rows", text(orphans.actual) if orphans and orphans.status != "ERROR" else "n/a",
               orphans.detail if orphans else "", orphans.status if orphans else None),
    ]
    if active is None or active.status == "SKIP":
        figures.append(Figure("ACTIVE violations", "n/a", ACTIVE_HELP + (active.detail if active else ""), active.status if active else None))
    else:
        figures.append(Figure("ACTIVE violations", str(len(active.open_findings)), ACTIVE_HELP + active.detail, active.status))
    return figures


def latest_migration(review: Review) -> dict | None:
    """The last applied migration of the history table, or None."""
    applied = [m for m in (facts(review).get("migrations") or []) if m.get("state") == "applied"]
    return applied[-1] if applied else None


# ---------------------------------------------------------------- findings of one check


# Keys of a finding shown as columns, in this order; the rest follow.
FINDING_KEYS = ("table", "column", "references", "type", "referenced_type", "definition", "index", "extension", "migration",
                "workspace", "instance", "config_version", "version", "rule", "status", "problem", "orphans", "rows",
                "active", "critical", "url")


def finding_rows(review: Review, check_id: str) -> pd.DataFrame:
    """The findings of one check as one table: Finding, its fields, Accepted, Fingerprint (open ones first)."""
    result = check(review, check_id)
    findings = result.findings if result else []
    keys = [k for k in FINDING_KEYS if any(k in f for f in findings)]
    keys += sorted({k for f in findings for k in f} - set(keys) - {"fingerprint", "sql", "accepted", "acceptance"})
    rows = []
    for f in findings:
        from apms_ops.briefing import finding_label

        acc = f.get("acceptance") or {}
        row = {"Finding": finding_label(f)}
        row.update({k.replace("_", " ").capitalize(): text(f.get(k)) for k in keys})
        row["Accepted"] = f"by {acc.get('accepted_by', '?')} until {moment(acc.get('expires_at'))}" if f.get("accepted") else ""
        row["Fingerprint"] = f.get("fingerprint") or ""
        rows.append(row)
    rows.sort(key=lambda r: bool(r["Accepted"]))
    columns = ["Finding", *[k.replace("_", " ").capitalize() for k in keys], "Accepted", "Fingerprint"]
    return _frame(rows, columns)


def judged_rows(review: Review, check_id: str) -> pd.DataFrame:
    """Every object one check judged, with the status and reason the check gave it (problems first)."""
    rows = judged(review, check_id)
    extra = [k for k in dict.fromkeys(k for r in rows for k in r) if k not in ("object", "status", "reason")]
    out = [{"Object": r.get("object", DASH), "Status": r.get("status", DASH), "Reason": r.get("reason") or "",
            **{k.replace("_", " ").capitalize(): text(r.get(k)) for k in extra}} for r in rows]
    return _by_status(_frame(out, ["Object", "Status", "Reason", *[k.replace("_", " ").capitalize() for k in extra]]))


def reference_orphans(review: Review, finding: dict) -> int:
    """The orphan count the review found under the reference a finding names (0 when none or unknown)."""
    for r in facts(review).get("references") or []:
        if (r["table"], r["column"], r["references"]) == (finding.get("table"), finding.get("column"), finding.get("references")):
            return int(r.get("orphans") or 0)
    return 0


# ---------------------------------------------------------------- schema integrity (C1)


def judged(review: Review, check_id: str) -> list[dict]:
    """The rows ``check_id`` judged, each with the status the check gave it ([] when it did not run)."""
    result = check(review, check_id)
    return list(result.rows) if result is not None else []


def _table_facts(review: Review) -> dict[str, dict]:
    return {(t["table"] if t["schema"] == "public" else f"{t['schema']}.{t['table']}"): t for t in facts(review).get("tables") or []}


def table_presence_rows(review: Review) -> pd.DataFrame:
    """Tables expected vs present, as C1.tables judged them: missing first, then the profile's, then the others."""
    known = _table_facts(review)
    rows = []
    for r in judged(review, "C1.tables"):
        t = known.get(r["table"])
        rows.append({
            "Table": r["table"],
            "Role": {"other": "not in profile"}.get(r.get("role"), r.get("role") or DASH),
            "Present": "yes" if t is not None else "no",
            "Id type": text(t.get("type")) if t else DASH,
            "Columns": t.get("columns") if t else None,
            # -1: never analyzed, the planner has no estimate (0 is a real estimate).
            "Estimated rows": t["estimated_rows"] if t and t.get("estimated_rows") is not None and t["estimated_rows"] >= 0 else None,
            "Status": r["status"],
            "Reason": r["reason"],
        })
    df = _by_status(_frame(rows, ["Table", "Role", "Present", "Id type", "Columns", "Estimated rows", "Status", "Reason"]),
                    then=["Role", "Table"])
    for col in ("Columns", "Estimated rows"):
        df[col] = df[col].astype("Int64")
    return df


def table_counts(review: Review) -> list[Figure]:
    """The table counts, each with what it counts: created by the migration, pre-existing, others, all."""
    f = facts(review)
    tables_ = f.get("tables") or []
    created = sum(1 for t in tables_ if t.get("role") == "created")
    expected_created = created + sum(1 for m in f.get("missing_tables") or [] if m.get("role") == "created")
    existing = sum(1 for t in tables_ if t.get("role") == "existing")
    other = sum(1 for t in tables_ if t.get("role") in ("other", "discovered"))
    if not expected_created and not existing:
        return [Figure("Tables in the database", str(len(tables_)), "No profile: every table is discovered.")]
    return [
        Figure("Created by the migration", f"{created} / {expected_created}", "The tables the profile says the migration creates."),
        Figure("Pre-existing, referenced", str(existing), "Tables the migration's tables reference, which existed before it."),
        Figure("Not in the profile", str(other), "Other tables in the database."),
        Figure("In the database", str(len(tables_)), "Every table outside the system schemas."),
    ]


def unexpected_tables(review: Review) -> list[str]:
    return [r["table"] for r in judged(review, "C1.tables") if r.get("role") == "other"]


def extension_rows(review: Review) -> pd.DataFrame:
    """Extensions as C1.extensions judged them (required ones PASS or FAIL, the others INFO)."""
    installed = {e["name"]: e for e in facts(review).get("extensions") or []}
    rows = [{"Extension": r["extension"], "Version": text((installed.get(r["extension"]) or {}).get("version")),
             "Schema": text((installed.get(r["extension"]) or {}).get("schema")), "Required": "yes" if r.get("required") else "no",
             "Status": r["status"], "Reason": r["reason"]} for r in judged(review, "C1.extensions")]
    return _by_status(_frame(rows, ["Extension", "Version", "Schema", "Required", "Status", "Reason"]), then=["Extension"])


def _sql_by(review: Review, check_id: str, *keys: str) -> dict[tuple, str]:
    result = check(review, check_id)
    out: dict[tuple, str] = {}
    for f in result.findings if result else []:
        if f.get("sql"):
            key = tuple(f.get(k) for k in keys)
            out[key] = "\n".join(part for part in (out.get(key), f["sql"]) if part and f["sql"] not in (out.get(key) or ""))
    return out


def check_constraint_rows(review: Review) -> pd.DataFrame:
    """Every CHECK as C1.check_constraints judged it: expected ones (present, NOT VALID, differing, missing), then the others."""
    rows = [{"Table": r["table"], "Constraint": r.get("constraint") or DASH, "Expected definition": r.get("definition") or DASH,
             "Actual definition": r.get("actual_definition") or DASH, "Status": r["status"], "Reason": r["reason"]}
            for r in judged(review, "C1.check_constraints")]
    return _by_status(_frame(rows, ["Table", "Constraint", "Status", "Reason", "Expected definition", "Actual definition"]),
                      then=["Table", "Constraint"])


def missing_check_rows(review: Review) -> pd.DataFrame:
    """The expected CHECKs C1.check_constraints failed (missing or differing), with the SQL that fixes each."""
    sql_by = _sql_by(review, "C1.check_constraints", "table", "definition")
    rows = [{"Table": r["table"], "Definition": r["definition"], "Status": r["status"], "Reason": r["reason"],
             "SQL": sql_by.get((r["table"], r["definition"]), "")}
            for r in judged(review, "C1.check_constraints") if r["status"] == "FAIL" and r.get("definition")]
    return _frame(rows, ["Table", "Definition", "Status", "Reason", "SQL"])


def partial_index_rows(review: Review) -> pd.DataFrame:
    """The expected partial unique indexes as C1.partial_unique_index judged them, then the others present."""
    rows = [{"Index": r["index"], "Table": r["table"], "Columns": text(r.get("columns")), "Expected predicate": r.get("predicate") or DASH,
             "Actual definition": r.get("actual_definition") or DASH, "Status": r["status"], "Reason": r["reason"]}
            for r in judged(review, "C1.partial_unique_index")]
    return _by_status(_frame(rows, ["Index", "Table", "Status", "Reason", "Columns", "Expected predicate", "Actual definition"]))


# ---------------------------------------------------------------- type alignment (C2)


def id_type_rows(review: Review) -> pd.DataFrame:
    """The id type of every table, as C2.id_types judged it."""
    rows = [{"Table": r["table"], "Id column": r.get("column") or "(no single-column key)", "Type": text(r.get("type")),
             "Expected": text(r.get("expected")), "Status": r["status"], "Reason": r["reason"]}
            for r in judged(review, "C2.id_types")]
    return _by_status(_frame(rows, ["Table", "Id column", "Type", "Expected", "Status", "Reason"]), then=["Table"])


def id_type_caption(review: Review) -> str:
    """Which tables C2.id_types judges, out of how many: the count differs from the tables the migration creates."""
    rows = facts(review).get("tables") or []
    judged = sum(1 for t in rows if t.get("expected"))
    if not judged:
        return f"No profile gives an id type: the {len(rows)} tables' id types are listed for information."
    return (f"C2.id_types judges the {judged} tables the profile gives an id type (created by the migration or "
            f"referenced by it), of {len(rows)} tables in the database.")


def reference_type_rows(review: Review) -> pd.DataFrame:
    """Every reference's column type against the referenced key's type, as C2.reference_types judged it, mismatches first."""
    rows = [{"Table": r["table"], "Column": r["column"], "Type": r.get("type") or DASH, "References": r["references"],
             "Referenced type": r.get("referenced_type") or DASH, "Status": r["status"],
             "FK declared": "yes" if r.get("declared") else "no", "Known from": (r.get("known_from") or DASH).replace(",", ", ")}
            for r in judged(review, "C2.reference_types")]
    return _by_status(_frame(rows, ["Table", "Column", "Type", "References", "Referenced type", "Status", "FK declared", "Known from"]),
                      then=["Table", "Column"])


# ---------------------------------------------------------------- foreign key coverage


def fk_per_table(review: Review) -> pd.DataFrame:
    """Per table: declared, expected and implied references, and how many C1.foreign_keys found without a key
    (Missing) or with one that differs from the design (Other problems)."""
    refs = facts(review).get("references") or []
    counts: dict[str, dict] = {}
    for r in refs:
        row = counts.setdefault(r["table"], {"Table": r["table"], "Wanted": 0, "As designed": 0, "Differs": 0, "Missing": 0,
                                             "Declared": 0, "Expected": 0, "Implied": 0})
        row["Declared"] += bool(r.get("declared"))
        row["Expected"] += bool(r.get("expected"))
        row["Implied"] += bool(r.get("implied"))
    for r in judged(review, "C1.foreign_keys"):
        if r["table"] not in counts:
            continue
        row = counts[r["table"]]
        row["Wanted"] += 1
        if r["status"] not in ("FAIL", "WARN"):
            row["As designed"] += 1
        else:
            row["Missing" if not r.get("constraint") else "Differs"] += 1
    rows = sorted(counts.values(), key=lambda r: (-r["Missing"], -r["Differs"], -r["Wanted"], r["Table"]))
    return _frame(rows, ["Table", "Wanted", "As designed", "Differs", "Missing", "Declared", "Expected", "Implied"])


def missing_fk_rows(review: Review) -> pd.DataFrame:
    """The references C1.foreign_keys did not pass, one row each as it judged them, with their orphans and the fixing SQL."""
    result = check(review, "C1.foreign_keys")
    refs = {(r["table"], r["column"], r["references"]): r for r in facts(review).get("references") or []}
    sql_by = _sql_by(review, "C1.foreign_keys", "table", "column", "references")
    problems: dict[tuple, list[str]] = {}
    accepted: dict[tuple, bool] = {}
    fingerprints: dict[tuple, str] = {}  # the row's (first) finding: what a selected row shows and links to
    for fd in result.findings if result else []:
        key = (fd.get("table"), fd.get("column"), fd.get("references"))
        problems.setdefault(key, []).append(fd.get("problem") or "no foreign key")
        accepted[key] = accepted.get(key, True) and bool(fd.get("accepted"))
        fingerprints.setdefault(key, fd.get("fingerprint") or "")
    rows = []
    for r in judged(review, "C1.foreign_keys"):
        key = (r["table"], r["column"], r["references"])
        # INFO rows with findings: a possible reference for review, or one kept by application code by design.
        if r["status"] not in ("FAIL", "WARN") and key not in problems:
            continue
        ref = refs.get(key, {})
        rows.append({
            "Table": r["table"], "Column": r["column"], "References": r["references"],
            "Critical": "yes" if r.get("critical") else "no",
            "Confidence": r.get("confidence") or ("design" if ref.get("expected") else "high"),
            "Problem": ", ".join(problems.get(key, [])) or "no foreign key",
            "Reason": r["reason"],
            "Orphans": ref.get("orphans"),
            "Status": r["status"] + (" (accepted)" if accepted.get(key) else ""),
            "Evidence": r.get("evidence") or ref.get("evidence") or "",
            "SQL": sql_by.get(key, ""),
            "Fingerprint": fingerprints.get(key, ""),
        })
    rows.sort(key=lambda r: (r["Confidence"] == "review", -(r["Orphans"] or 0), r["Critical"] != "yes", r["Table"], r["Column"]))
    df = _frame(rows, ["Table", "Column", "References", "Critical", "Confidence", "Problem", "Reason", "Orphans", "Status", "Evidence",
                       "SQL", "Fingerprint"])
    df["Orphans"] = df["Orphans"].astype("Int64")
    return df


# ---------------------------------------------------------------- orphans, isolation, runtime (C1.orphans, C5, C6)


def reference_label(r: dict) -> str:
    """``table.column → table.column``: one reference, as the pages name it."""
    return f"{r['table']}.{r['column']} → {r['references']}"


def orphan_rows(review: Review) -> pd.DataFrame:
    """Orphaned rows per reference (declared or not) as C1.orphans judged them, most first; audit errors named."""
    known = {(r["table"], r["column"], r["references"]): r for r in facts(review).get("references") or []}
    rows = []
    for r in judged(review, "C1.orphans"):
        ref = known.get((r["table"], r["column"], r["references"]), {})
        rows.append({"Reference": reference_label(r), "Table": r["table"], "Column": r["column"], "References": r["references"],
                     "FK declared": "yes" if r.get("declared") else "no",
                     "Known from": ", ".join(k for k in ("declared", "expected", "implied") if ref.get(k)) or DASH,
                     "Orphans": r.get("orphans"), "Status": r["status"], "Note": "" if r["status"] in ("PASS", "FAIL") else r["reason"]})
    rows.sort(key=lambda r: (STATUS_ORDER.get(r["Status"], 9), -(r["Orphans"] or 0), r["Table"], r["Column"]))
    df = _frame(rows, ["Reference", "Table", "Column", "References", "FK declared", "Known from", "Orphans", "Status", "Note"])
    df["Orphans"] = df["Orphans"].astype("Int64")
    return df


def cross_workspace_rows(review: Review) -> pd.DataFrame:
    """Workspace-scoped references and how many rows point into another workspace, as C5.isolation judged them."""
    rows = [{"Reference": reference_label(r), "Table": r["table"], "Column": r["column"], "References": r["references"],
             "Rows": r.get("rows"), "Status": r["status"]}
            for r in judged(review, "C5.isolation")]
    rows.sort(key=lambda r: (-(r["Rows"] or 0), r["Table"], r["Column"]))
    df = _frame(rows, ["Reference", "Table", "Column", "References", "Rows", "Status"])
    df["Rows"] = df["Rows"].astype("Int64")
    return df


def running_on_draft_rows(review: Review) -> pd.DataFrame:
    result = check(review, "C6.runtime")
    names = workspace_names(review)
    rows = [{"Instance": f.get("instance"), "Instance status": f.get("status"), "Workspace": names.get(f.get("workspace"), f.get("workspace")),
             "Config version": f.get("config_version"), "Version": f.get("version")} for f in (result.findings if result else [])]
    return _frame(rows, ["Instance", "Instance status", "Workspace", "Config version", "Version"])


# ---------------------------------------------------------------- workspaces (C3, C4)


def workspace_names(review: Review) -> dict[str, str]:
    return {w["workspace"]: w.get("name") or w["workspace"] for w in facts(review).get("workspaces") or []}


def workspace_rows(review: Review) -> pd.DataFrame:
    """Per workspace: ACTIVE, DRAFT, ARCHIVED and all versions, with the status C4 gave it; violations first."""
    status_of = {r["workspace"]: r for r in judged(review, "C4.one_active_per_workspace")}
    rows = []
    for w in facts(review).get("workspaces") or []:
        judged_row = status_of.get(w["workspace"])
        rows.append({
            "Workspace": w.get("name") or w["workspace"], "ACTIVE": w.get("active") or 0, "DRAFT": w.get("draft") or 0,
            "ARCHIVED": w.get("archived") or 0, "Versions": w.get("versions") or 0,
            "Version list": ", ".join(f"v{v['version']} {v['status']}" for v in w.get("version_list") or []),
            "Status": judged_row["status"] if judged_row else DASH,
            "Problem": (judged_row["reason"] if judged_row and judged_row["status"] != "PASS" else "") if judged_row
            else "not judged (C4 did not run)",
            "Id": w["workspace"],
        })
    return _by_status(_frame(rows, ["Workspace", "ACTIVE", "DRAFT", "ARCHIVED", "Versions", "Version list", "Status", "Problem", "Id"]),
                      then=["Workspace"])


def instances_rows(review: Review) -> pd.DataFrame:
    """Workflow instances by the config version they are frozen to, one column per instance status."""
    data = facts(review).get("instances_by_version") or []
    if not data:
        return _frame([], ["Workspace", "Version", "Version status", "Total"])
    names = workspace_names(review)
    df = pd.DataFrame([{
        "Workspace": names.get(r.get("workspace"), r.get("workspace") or "(no such version)"),
        "Version": r.get("version"), "Version status": r.get("version_status") or DASH,
        "Instance status": r.get("instance_status") or DASH, "Instances": r.get("instances") or 0,
    } for r in data])
    wide = df.pivot_table(index=["Workspace", "Version", "Version status"], columns="Instance status", values="Instances",
                          aggfunc="sum", fill_value=0, dropna=False).reset_index()
    wide.columns.name = None
    status_cols = [c for c in wide.columns if c not in ("Workspace", "Version", "Version status")]
    wide["Total"] = wide[status_cols].sum(axis=1)
    wide = wide[wide["Total"] > 0]
    return wide.sort_values(["Workspace", "Version"]).reset_index(drop=True)


def lifecycle_rows(review: Review) -> pd.DataFrame:
    result = check(review, "C3.lifecycle")
    names = workspace_names(review)
    rows = [{"Rule": RULE_TEXT.get(f.get("rule"), f.get("rule")), "Workspace": names.get(f.get("workspace"), f.get("workspace")),
             "Version": text(f.get("version")), "Row id": text(f.get("id")),
             "Value": text(f.get("status") if "status" in f else f"{f.get('copies')} copies"), "Status": "FAIL"}
            for f in (result.findings if result else [])]
    return _frame(rows, ["Rule", "Workspace", "Version", "Row id", "Value", "Status"])


# ---------------------------------------------------------------- migrations


MIGRATION_STATES = ("applied", "failed", "rolled back")


def migration_rows(review: Review) -> pd.DataFrame:
    """The migration history, latest first, with state, times and duration."""
    rows = [{
        "Migration": m["migration"], "State": m["state"], "Started": moment(m.get("started_at")),
        "Finished": moment(m.get("finished_at")), "Rolled back": moment(m.get("rolled_back_at")),
        "Duration": duration(m.get("duration_ms")), "Steps": m.get("applied_steps"), "Logs": m.get("logs") or "",
    } for m in reversed(facts(review).get("migrations") or [])]
    df = _frame(rows, ["Migration", "State", "Started", "Finished", "Rolled back", "Duration", "Steps", "Logs"])
    df["Steps"] = df["Steps"].astype("Int64")
    return df


def migration_counts(review: Review) -> dict[str, int]:
    rows = facts(review).get("migrations") or []
    return {state: sum(1 for m in rows if m.get("state") == state) for state in MIGRATION_STATES}
