"""The migration lint as JSON (a stable shape: fields are only added), Markdown and a plain table."""

from __future__ import annotations

import json

from apms_ops.reports.markdown import _cell

LINT_FORMATS = ("json", "markdown", "table")
VERDICT_WORDS = {"GO": "GO", "HOLD": "HOLD", "NO_GO": "NO-GO"}


def _seconds(value) -> str:
    return "?" if value is None else f"{value:g}s"


def render_lint(report, fmt: str) -> str:
    data = report.to_dict()
    if fmt == "json":
        return json.dumps(data, indent=2, default=str) + "\n"
    if fmt == "markdown":
        return _markdown(data)
    if fmt == "table":
        return _table(data)
    raise ValueError(f"unknown format {fmt!r}")


def _markdown(d: dict) -> str:
    out = [f"# Migration lint: {VERDICT_WORDS.get(d['verdict'], d['verdict'])}", "",
           f"Environment `{d['environment']}` ({_cell(d['database'])}), {d['started_at']}.", ""]
    out += ["| migration | file | statements | problem |", "|---|---|---|---|"]
    out += [f"| `{_cell(m['migration'])}` | `{_cell(m['file'])}` | {m['statements']} | {_cell(m['error'] or '')} |" for m in d["migrations"]]
    out += ["", f"## Findings ({len(d['findings'])})", ""]
    if not d["findings"]:
        out.append("No hazard found on this database's data.")
    for f in d["findings"]:
        out += [f"### {f['severity'].upper()} · `{f['rule']}` {_cell(f['title'])}", "",
                f"`{_cell(f['migration'])}` line {f['line']}: `{_cell(f['statement'][:300])}`", "",
                _cell(f["detail"]), ""]
        figures = {k: v for k, v in f["figures"].items() if k != "lock"}
        if figures:
            out += [", ".join(f"{k.replace('_', ' ')}: **{v if v is not None else 'unknown'}**" for k, v in figures.items()), ""]
        if f["sample"]:
            out += ["Sample:", "", "```json", *(json.dumps(s, default=str) for s in f["sample"]), "```", ""]
        out += ["Fix:", "", "```sql" if f["fix"].lstrip().upper().startswith(("ALTER", "CREATE", "--")) else "", f["fix"],
                "```" if f["fix"].lstrip().upper().startswith(("ALTER", "CREATE", "--")) else "", ""]
    out += ["## Statements and their locks", "", "| migration | line | statement | lock | blocks | est. hold |", "|---|---|---|---|---|---|"]
    for s in d["statements"]:
        lock = max(s["locks"], key=lambda lk: lk["estimated_seconds"] or 0, default=None)
        out.append(f"| `{_cell(s['migration'])}` | {s['line']} | `{_cell(s['statement'][:120])}` | {lock['mode'] if lock else '-'} | "
                   f"{lock['blocks'] if lock else '-'} | {_seconds(s['estimated_lock_seconds'])} |")
    for note in d["notes"]:
        out.append(f"\n_{_cell(note)}_")
    return "\n".join(out) + "\n"


def _table(d: dict) -> str:
    out = [f"lint verdict: {VERDICT_WORDS.get(d['verdict'], d['verdict'])}  ({len(d['migrations'])} migration(s), "
           f"{len(d['statements'])} statement(s), {len(d['findings'])} finding(s))"]
    for f in d["findings"]:
        out.append(f"  {f['severity'].upper():<8} {f['rule']:<34} {f['migration']}:{f['line']}  {f['detail']}")
    for note in d["notes"]:
        out.append(f"  note: {note}")
    return "\n".join(out) + "\n"
