"""Drift between two environments as JSON (fields only added), Markdown and a plain table."""

from __future__ import annotations

import json

from apms_ops.reports.markdown import _cell

DRIFT_FORMATS = ("table", "json", "markdown")


def _side(value) -> str:
    return "—" if value is None else str(value)


def render_drift(drift, fmt: str) -> str:
    if fmt == "json":
        return json.dumps(drift.to_dict(), indent=2, default=str) + "\n"
    if fmt == "markdown":
        return _markdown(drift)
    if fmt == "table":
        return _table(drift)
    raise ValueError(f"unknown format {fmt!r}")


def _headline(drift) -> str:
    if drift.same:
        return f"{drift.environment} and {drift.against} match"
    tables = len([t for t in drift.by_table() if t != "(database)"])
    return f"{drift.environment} and {drift.against} differ: {len(drift.differences)} difference(s) in {tables} table(s)"


def _markdown(drift) -> str:
    out = [f"# Drift: {_cell(_headline(drift))}", "",
           f"`{_cell(drift.environment)}` ({_cell(drift.databases['environment'])}) against "
           f"`{_cell(drift.against)}` ({_cell(drift.databases['against'])}), {drift.started_at}.", ""]
    for table, diffs in drift.by_table().items():
        out += [f"## {_cell(table)}", "", f"| object | name | differs in | {_cell(drift.environment)} | {_cell(drift.against)} | pending migrations |",
                "|---|---|---|---|---|---|"]
        out += [f"| {d.kind} | `{_cell(d.name)}` | {d.aspect} | {_cell(_side(d.left))} | {_cell(_side(d.right))} | "
                f"{_cell(', '.join(d.pending))} |" for d in diffs]
        out.append("")
    if drift.pending:
        out += ["## What the pending migrations change", ""]
        for entry in drift.pending:
            out.append(f"- `{_cell(entry['migration'])}`" + ("" if entry["in_folder"] else " (not in the migrations folder)")
                       + (f": {_cell(entry['error'])}" if entry["error"] else ""))
            out += [f"  - line {s['line']} ({', '.join(s['tables']) or 'no table'}): `{_cell(s['statement'])}`" for s in entry["statements"]]
    return "\n".join(out) + "\n"


def _table(drift) -> str:
    out = [_headline(drift)]
    for table, diffs in drift.by_table().items():
        out.append(f"\n{table}")
        for d in diffs:
            pending = f"  [pending: {', '.join(d.pending)}]" if d.pending else ""
            out.append(f"  {d.kind:<10} {d.name:<40} {d.aspect:<11} {drift.environment}: {_side(d.left)}  |  {drift.against}: {_side(d.right)}{pending}")
    for entry in drift.pending:
        out.append(f"\npending {entry['migration']}: " + ("; ".join(f"line {s['line']} {s['kind']} {', '.join(s['tables'])}"
                                                                    for s in entry["statements"]) or entry["error"] or "not in the folder"))
    return "\n".join(out) + "\n"
