"""Review -> DataFrames and figures for the pages. Pure functions: no Streamlit, no SQL.

Column names are what the pages show and what the CSV downloads carry. Every
status shown is the engine's (a check's status) or a plain comparison of two
values the engine reported; nothing here decides a verdict.
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


def reference_orphans(review: Review, finding: dict) -> int:
    """The orphan count the review found under the reference a finding names (0 when none or unknown)."""
    for r in facts(review).get("references") or []:
        if (r["table"], r["column"], r["references"]) == (finding.get("table"), finding.get("column"), finding.get("references")):
            return int(r.get("orphans") or 0)
    return 0


# ---------------------------------------------------------------- schema integrity (C1)


def table_presence_rows(review: Review) -> pd.DataFrame:
    """Tables expected vs present: missing first, then the profile's, then the others."""
    f = facts(review)
    rows = [{"Table": m["table"], "Role": m["role"], "Present": "no", "Id type": DASH, "Columns": None,
             "Estimated rows": None, "Status": "FAIL"} for m in f.get("missing_tables") or []]
    role_status = {"created": "PASS", "existing": "PASS", "other": "INFO", "discovered": "INFO"}
    for t in f.get("tables") or []:
        rows.append({
            "Table": t["table"] if t["schema"] == "public" else f"{t['schema']}.{t['table']}",
            "Role": {"other": "not in profile"}.get(t["role"], t["role"]),
            "Present": "yes",
            "Id type": text(t.get("type")),
            "Columns": t.get("columns"),
            # -1: never analyzed; the planner has no estimate (0 is a real estimate).
            "Estimated rows": t["estimated_rows"] if t.get("estimated_rows") is not None and t["estimated_rows"] >= 0 else None,
            "Status": role_status.get(t["role"], "INFO"),
        })
    order = {"FAIL": 0, "PASS": 1, "INFO": 2}
    rows.sort(key=lambda r: (order.get(r["Status"], 3), r["Role"], r["Table"]))
    df = _frame(rows, ["Table", "Role", "Present", "Id type", "Columns", "Estimated rows", "Status"])
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
    return [t["table"] for t in facts(review).get("tables") or [] if t.get("role") == "other"]


def extension_rows(review: Review) -> pd.DataFrame:
    rows = []
    for e in facts(review).get("extensions") or []:
        status = ("FAIL" if e.get("missing") else "PASS") if e.get("required") else "INFO"
        rows.append({"Extension": e["name"], "Version": text(e.get("version")), "Schema": text(e.get("schema")),
                     "Required": "yes" if e.get("required") else "no", "Status": status})
    return _by_status(_frame(rows, ["Extension", "Version", "Schema", "Required", "Status"]), then=["Extension"])


def check_constraint_rows(review: Review) -> pd.DataFrame:
    """CHECK constraints present, marked as expected by the profile or not."""
    f = facts(review)
    has_profile = bool(f.get("missing_check_constraints")) or any(c.get("expected") for c in f.get("check_constraints") or [])
    rows = []
    for c in f.get("check_constraints") or []:
        if c.get("expected"):
            status = "PASS" if c.get("validated", True) else "WARN"
            match = "expected" + ("" if c.get("validated", True) else " (NOT VALID)")
        else:
            status, match = "INFO", "not in profile" if has_profile else "discovered"
        rows.append({"Table": c["table"], "Constraint": c["name"], "Definition": c["definition"], "Match": match, "Status": status})
    return _by_status(_frame(rows, ["Table", "Constraint", "Definition", "Match", "Status"]), then=["Table", "Constraint"])


def missing_check_rows(review: Review) -> pd.DataFrame:
    rows = [{"Table": m["table"], "Definition": m["definition"], "Status": "FAIL", "SQL": m.get("sql") or ""}
            for m in facts(review).get("missing_check_constraints") or []]
    return _frame(rows, ["Table", "Definition", "Status", "SQL"])


def partial_index_rows(review: Review) -> pd.DataFrame:
    """The expected partial unique indexes against the ones present, with columns and predicate."""
    f = facts(review)
    present = list(f.get("partial_unique_indexes") or [])
    used: set[str] = set()
    rows = []
    for e in f.get("expected_partial_unique_indexes") or []:
        hit = next((i for i in present if i["name"] == e["name"]), None) or next(
            (i for i in present if i["table"] == e["table"] and i["columns"] == e["columns"]), None)
        if hit:
            used.add(hit["name"])
        result = check(review, "C1.partial_unique_index")
        problem = next((fd.get("problem") for fd in (result.findings if result else []) if fd.get("index") == e["name"]), None)
        rows.append({
            "Index": e["name"], "Table": e["table"], "Columns": text(e["columns"]), "Expected predicate": e.get("predicate") or DASH,
            "Actual predicate": hit["predicate"] if hit else DASH, "Valid": text(hit["valid"]) if hit else DASH,
            "Status": "FAIL" if problem else "PASS", "Problem": problem or "",
        })
    for i in present:
        if i["name"] not in used:
            rows.append({"Index": i["name"], "Table": i["table"], "Columns": text(i["columns"]), "Expected predicate": DASH,
                         "Actual predicate": i["predicate"], "Valid": text(i["valid"]), "Status": "INFO", "Problem": ""})
    return _by_status(_frame(rows, ["Index", "Table", "Columns", "Expected predicate", "Actual predicate", "Valid", "Status", "Problem"]))


# ---------------------------------------------------------------- type alignment (C2)


def id_type_rows(review: Review) -> pd.DataFrame:
    """The id type of every table, against the profile's expectation where it has one."""
    rows = []
    for t in facts(review).get("tables") or []:
        if not t.get("column"):
            status = "WARN" if t.get("expected") else "INFO"
        elif t.get("expected"):
            status = "PASS" if t.get("type") == t["expected"] else "FAIL"
        else:
            status = "INFO"
        rows.append({
            "Table": t["table"] if t["schema"] == "public" else f"{t['schema']}.{t['table']}",
            "Id column": t.get("column") or "(no single-column key)",
            "Type": text(t.get("type")), "Expected": text(t.get("expected")), "Status": status,
        })
    return _by_status(_frame(rows, ["Table", "Id column", "Type", "Expected", "Status"]), then=["Table"])


def id_type_caption(review: Review) -> str:
    """Which tables C2.id_types judges, out of how many: the count differs from the tables the migration creates."""
    rows = facts(review).get("tables") or []
    judged = sum(1 for t in rows if t.get("expected"))
    if not judged:
        return f"No profile gives an id type: the {len(rows)} tables' id types are listed for information."
    return (f"C2.id_types judges the {judged} tables the profile gives an id type (created by the migration or "
            f"referenced by it), of {len(rows)} tables in the database.")


def _known_from(r: dict) -> str:
    return ", ".join(k for k in ("declared", "expected", "implied") if r.get(k)) or DASH


def reference_type_rows(review: Review) -> pd.DataFrame:
    """Every reference's column type against the referenced key's type, mismatches first."""
    rows = []
    for r in facts(review).get("references") or []:
        if "?" in (r.get("type") or "?") or "?" in (r.get("referenced_type") or "?"):
            status = "SKIP"  # one side is missing: C1.tables/C1.foreign_keys report it
        else:
            status = "PASS" if r.get("types_match") else "FAIL"
        rows.append({
            "Table": r["table"], "Column": r["column"], "Type": r.get("type") or DASH, "References": r["references"],
            "Referenced type": r.get("referenced_type") or DASH, "Status": status,
            "FK declared": "yes" if r.get("declared") else "no", "Known from": _known_from(r),
        })
    return _by_status(_frame(rows, ["Table", "Column", "Type", "References", "Referenced type", "Status", "FK declared", "Known from"]),
                      then=["Table", "Column"])


# ---------------------------------------------------------------- foreign key coverage


def _wanted(r: dict, by_profile: bool) -> bool:
    return bool(r.get("expected")) if by_profile else bool(r.get("declared") or r.get("implied"))


def fk_per_table(review: Review) -> pd.DataFrame:
    """Per table: declared, expected and implied references, and how many wanted ones have no FK."""
    refs = facts(review).get("references") or []
    by_profile = any(r.get("expected") for r in refs)
    counts: dict[str, dict] = {}
    for r in refs:
        row = counts.setdefault(r["table"], {"Table": r["table"], "Wanted": 0, "With FK": 0, "Missing": 0, "Declared": 0,
                                             "Expected": 0, "Implied": 0})
        wanted = _wanted(r, by_profile)
        row["Wanted"] += wanted
        row["With FK"] += wanted and bool(r.get("declared"))
        row["Missing"] += wanted and not r.get("declared")
        row["Declared"] += bool(r.get("declared"))
        row["Expected"] += bool(r.get("expected"))
        row["Implied"] += bool(r.get("implied"))
    rows = sorted(counts.values(), key=lambda r: (-r["Missing"], -r["Wanted"], r["Table"]))
    return _frame(rows, ["Table", "Wanted", "With FK", "Missing", "Declared", "Expected", "Implied"])


def missing_fk_rows(review: Review) -> pd.DataFrame:
    """The references C1.foreign_keys wants a foreign key for, with their orphans and the SQL to add it."""
    result = check(review, "C1.foreign_keys")
    refs = {(r["table"], r["column"], r["references"]): r for r in facts(review).get("references") or []}
    rows = []
    for fd in result.findings if result else []:
        ref = refs.get((fd.get("table"), fd.get("column"), fd.get("references")), {})
        rows.append({
            "Table": fd.get("table"), "Column": fd.get("column"), "References": fd.get("references"),
            "Critical": "yes" if fd.get("critical") or ref.get("critical") else "no",
            "Problem": fd.get("problem") or "no foreign key",
            "Orphans": ref.get("orphans"),
            "Status": "WARN" if fd.get("accepted") else result.status,
            "SQL": fd.get("sql") or "",
            "Fingerprint": fd.get("fingerprint") or "",
        })
    rows.sort(key=lambda r: (-(r["Orphans"] or 0), r["Critical"] != "yes", r["Table"], r["Column"]))
    df = _frame(rows, ["Table", "Column", "References", "Critical", "Problem", "Orphans", "Status", "SQL", "Fingerprint"])
    df["Orphans"] = df["Orphans"].astype("Int64")
    return df


# ---------------------------------------------------------------- orphans, isolation, runtime (C1.orphans, C5, C6)


def reference_label(r: dict) -> str:
    """``table.column → table.column``: one reference, as the pages name it."""
    return f"{r['table']}.{r['column']} → {r['references']}"


def orphan_rows(review: Review) -> pd.DataFrame:
    """Orphaned rows per reference (declared or not), most first; audit errors named."""
    rows = []
    for r in facts(review).get("references") or []:
        error = r.get("audit_error")
        orphans = r.get("orphans")
        status = "SKIP" if error and orphans is None and "missing" in error else "ERROR" if error else "FAIL" if orphans else "PASS"
        rows.append({"Reference": reference_label(r), "Table": r["table"], "Column": r["column"], "References": r["references"],
                     "FK declared": "yes" if r.get("declared") else "no", "Known from": _known_from(r),
                     "Orphans": orphans, "Status": status, "Note": error or ""})
    rows.sort(key=lambda r: (STATUS_ORDER.get(r["Status"], 9), -(r["Orphans"] or 0), r["Table"], r["Column"]))
    df = _frame(rows, ["Reference", "Table", "Column", "References", "FK declared", "Known from", "Orphans", "Status", "Note"])
    df["Orphans"] = df["Orphans"].astype("Int64")
    return df


def cross_workspace_rows(review: Review) -> pd.DataFrame:
    """Workspace-scoped references and how many rows point into another workspace."""
    rows = [{"Reference": reference_label(r), "Table": r["table"], "Column": r["column"], "References": r["references"],
             "Rows": r["cross_workspace"], "Status": "FAIL" if r["cross_workspace"] else "PASS"}
            for r in facts(review).get("references") or [] if r.get("cross_workspace") is not None]
    rows.sort(key=lambda r: (-r["Rows"], r["Table"], r["Column"]))
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
    """Per workspace: ACTIVE, DRAFT, ARCHIVED and all versions; violations first."""
    rows = []
    for w in facts(review).get("workspaces") or []:
        active = w.get("active") or 0
        status, problem = ("PASS", "") if active == 1 else ("FAIL", "several ACTIVE") if active > 1 else ("WARN", "no ACTIVE")
        rows.append({
            "Workspace": w.get("name") or w["workspace"], "ACTIVE": active, "DRAFT": w.get("draft") or 0,
            "ARCHIVED": w.get("archived") or 0, "Versions": w.get("versions") or 0,
            "Version list": ", ".join(f"v{v['version']} {v['status']}" for v in w.get("version_list") or []),
            "Status": status, "Problem": problem, "Id": w["workspace"],
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
