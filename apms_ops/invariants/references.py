"""isolation and referential: the database itself refuses a reference to a config version
of another workspace, or to one that does not exist."""

from __future__ import annotations

from psycopg import sql

from apms_ops.invariants.base import NOT_ENFORCED, PASS, PROBE, SKIP, Skip
from apms_ops.invariants.probe import Probe
from apms_ops.invariants.scope import VersionedTable, versioned_tables


def _templates(p: Probe, tables: list[VersionedTable]) -> dict[str, dict | str]:
    """One row to copy per table (``{id, workspace}``), or the reason there is none."""
    out: dict[str, dict | str] = {}
    for t in tables:
        try:
            key = p.key(t.name)
        except Skip as exc:
            out[t.name] = str(exc)
            continue
        ws = sql.SQL("CAST(t.{} AS text)").format(sql.Identifier(t.workspace_column)) if t.workspace_column else sql.SQL("NULL")
        row = p.one(sql.SQL("SELECT CAST(t.{key} AS text) AS id, {ws} AS workspace FROM {tbl} AS t ORDER BY t.{key} LIMIT 1").format(
            key=sql.Identifier(key), ws=ws, tbl=p.ident(t.name)))
        out[t.name] = row if row is not None else f"{t.name} is empty: no row to copy"
    return out


def _summarize(p: Probe, results: dict[str, str], what: str, rule: str) -> None:
    """One line for the run: in which tables the database accepted the bad reference."""
    loose = [t for t, outcome in results.items() if outcome == NOT_ENFORCED]
    held = [t for t, outcome in results.items() if outcome == PASS]
    asked = len(loose) + len(held)
    p.summaries[NOT_ENFORCED] = (f"{what} was accepted in {len(loose)} of {asked} tables ({', '.join(loose)}); "
                                 f"only application code protects {rule}")
    p.summaries[PASS] = f"{what} was rejected in {asked} of {asked} tables"


def _copy(p: Probe, t: VersionedTable, template: dict, changes: dict | None = None):
    return lambda: p.insert_copy(t.name, {p.key(t.name): template["id"]}, changes or {})


def isolation(p: Probe) -> None:
    """A row that references a config version of another workspace is rejected
    (instances first, then every master table that carries the workspace column).

    Only a composite foreign key (workspace, config version) or a trigger can
    refuse it: a single-column foreign key on the config version accepts any
    workspace's version. The control copies the same row with its own version.
    """
    lc, ws = p.profile.lifecycle, p.profile.workspaces
    vkey = p.key(lc.table)
    tables = [t for t in versioned_tables(p.profile, p.snapshot) if t.workspace_column]
    with p.step("pick a row of each table and a version of another workspace") as s:
        templates = _templates(p, tables)
        others: dict[str, dict] = {}
        for name, tpl in templates.items():
            if isinstance(tpl, dict) and tpl["workspace"] not in others:
                others[tpl["workspace"]] = p.one(sql.SQL(
                    "SELECT CAST(v.{key} AS text) AS id, CAST(v.{ws} AS text) AS workspace, v.{ver} AS version FROM {lc} AS v "
                    "WHERE v.{ws} <> %(ws)s ORDER BY (CAST(v.{status} AS text) = %(active)s) DESC, v.{ws}, v.{ver} DESC LIMIT 1"
                ).format(key=sql.Identifier(vkey), ws=sql.Identifier(lc.workspace_column), ver=sql.Identifier(lc.version_column),
                         lc=p.ident(lc.table), status=sql.Identifier(lc.status_column)), {"ws": tpl["workspace"], "active": lc.active})
        usable = [n for n, tpl in templates.items() if isinstance(tpl, dict) and others.get(tpl["workspace"])]
        if not usable:
            reasons = {n: tpl for n, tpl in templates.items() if isinstance(tpl, str)}
            raise Skip("; ".join(reasons.values()) or f"{lc.table} has versions of only one workspace: isolation needs two")
        s.detail = f"{len(usable)} of {len(tables)} tables carrying {ws.column} have a row to copy and another workspace to point at"

    results: dict[str, str] = {}
    for t in tables:
        name = f"{t.name}: a reference to another workspace's config version is rejected"
        tpl = templates[t.name]
        other = others.get(tpl["workspace"]) if isinstance(tpl, dict) else None
        if other is None:
            with p.step(name, PROBE) as s:
                s.outcome, s.detail = SKIP, tpl if isinstance(tpl, str) else f"{lc.table} has no version of another workspace"
            continue
        results[t.name] = p.probe(name, _copy(p, t, tpl, {t.config_column: other["id"]}), control=_copy(p, t, tpl), accepted=(
            f"a {t.name} row of workspace {tpl['workspace']} was stored referencing version {other['version']} "
            f"({other['id']}) of workspace {other['workspace']}")).outcome
    _summarize(p, results, "a reference to another workspace's config version", "workspace isolation")


def referential(p: Probe) -> None:
    """A row that references a config version that does not exist is rejected
    (instances first, then every master table): a foreign key or nothing.

    The control copies the same row with its own, existing version.
    """
    lc = p.profile.lifecycle
    tables = versioned_tables(p.profile, p.snapshot)
    with p.step("pick a row of each table to copy") as s:
        templates = _templates(p, tables)
        usable = [n for n, tpl in templates.items() if isinstance(tpl, dict)]
        if not usable:
            raise Skip("; ".join(str(t) for t in templates.values()))
        s.detail = f"{len(usable)} of {len(tables)} tables referencing {lc.table} have a row to copy"

    results: dict[str, str] = {}
    for t in tables:
        name = f"{t.name}: a reference to a config version that does not exist is rejected"
        tpl = templates[t.name]
        missing = p.missing_value(t.name, t.config_column) if isinstance(tpl, dict) else None
        if missing is None:
            with p.step(name, PROBE) as s:
                s.outcome = SKIP
                s.detail = tpl if isinstance(tpl, str) else f"cannot make a value of type {p.column_type(t.name, t.config_column)} that references nothing"
            continue
        results[t.name] = p.probe(name, _copy(p, t, tpl, {t.config_column: missing}), control=_copy(p, t, tpl),
                                  accepted=f"a {t.name} row was stored referencing config version {missing!r}, which does not exist").outcome
    _summarize(p, results, "a reference to a config version that does not exist", "these references")
