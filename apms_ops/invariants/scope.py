"""What the tests touch, read from the profile and the catalog: the lifecycle table,
the runtime table and the master tables (the profile's tables whose expected
foreign keys reference the lifecycle table). No table name is written in code."""

from __future__ import annotations

from dataclasses import dataclass

from apms_ops.catalog import Snapshot
from apms_ops.profiles import Profile


@dataclass(frozen=True)
class VersionedTable:
    """A table whose rows belong to one config version (a master table, or the runtime table)."""

    name: str
    config_column: str
    workspace_column: str | None  # set when the table carries the profile's workspace column
    master_refs: tuple[tuple[str, str], ...] = ()  # (column, referenced master table)


def _no_profile(profile: Profile) -> str:
    if profile.is_empty:
        return ("no profile applies: the database has none of the tables of a built-in profile "
                "(invariant tests need a profile with [lifecycle], [workspaces] and [runtime])")
    return ""


def missing_lifecycle(profile: Profile, snapshot: Snapshot) -> str | None:
    """Why the lifecycle table cannot be tested, or None."""
    why = _no_profile(profile)
    if why:
        return why
    lc = profile.lifecycle
    if lc is None:
        return f"profile {profile.name} has no [lifecycle] section"
    table = snapshot.table(profile.schema, lc.table)
    if table is None:
        return f"table {lc.table} is missing from schema {profile.schema}"
    wanted = [lc.workspace_column, lc.version_column, lc.status_column] + ([lc.activated_column] if lc.activated_column else [])
    missing = [c for c in wanted if c not in table.columns]
    if missing:
        return f"table {lc.table} lacks column(s) {', '.join(missing)}"
    pk = snapshot.primary_key(profile.schema, lc.table)
    if not pk or len(pk) != 1:
        return f"table {lc.table} has no single-column primary key"
    return None


def missing_runtime(profile: Profile, snapshot: Snapshot) -> str | None:
    why = missing_lifecycle(profile, snapshot)
    if why:
        return why
    rt = profile.runtime
    if rt is None:
        return f"profile {profile.name} has no [runtime] section"
    table = snapshot.table(profile.schema, rt.table)
    if table is None:
        return f"table {rt.table} is missing from schema {profile.schema}"
    missing = [c for c in (rt.config_column, rt.status_column) if c not in table.columns]
    if missing:
        return f"table {rt.table} lacks column(s) {', '.join(missing)}"
    return None


def master_tables(profile: Profile, snapshot: Snapshot) -> list[VersionedTable]:
    """The master tables present in the database, parents before children."""
    lc = profile.lifecycle
    if lc is None:
        return []
    runtime = profile.runtime.table if profile.runtime else None
    config_fks = {}
    for fk in profile.foreign_keys:
        if fk.ref_table == lc.table and len(fk.columns) == 1 and fk.table not in (lc.table, runtime):
            config_fks.setdefault(fk.table, fk.columns[0])
    present = {t: c for t, c in config_fks.items()
               if snapshot.table(profile.schema, t) is not None and c in snapshot.table(profile.schema, t).columns}
    ws_col = profile.workspaces.column if profile.workspaces else None
    refs: dict[str, list[tuple[str, str]]] = {t: [] for t in present}
    for fk in profile.foreign_keys:
        if fk.table in present and fk.ref_table in present and len(fk.columns) == 1 and fk.ref_table != fk.table:
            if fk.columns[0] in snapshot.table(profile.schema, fk.table).columns:
                refs[fk.table].append((fk.columns[0], fk.ref_table))
    ordered: list[str] = []
    visiting: set[str] = set()

    def visit(t: str) -> None:
        if t in ordered or t in visiting:
            return  # a cycle: keep the profile's order for the rest
        visiting.add(t)
        for _, parent in refs[t]:
            visit(parent)
        visiting.discard(t)
        ordered.append(t)

    for t in present:
        visit(t)
    return [
        VersionedTable(t, present[t], ws_col if ws_col and ws_col in snapshot.table(profile.schema, t).columns else None, tuple(refs[t]))
        for t in ordered
    ]


def runtime_table(profile: Profile, snapshot: Snapshot) -> VersionedTable | None:
    rt = profile.runtime
    if rt is None or snapshot.table(profile.schema, rt.table) is None:
        return None
    ws_col = profile.workspaces.column if profile.workspaces else None
    cols = snapshot.table(profile.schema, rt.table).columns
    if rt.config_column not in cols:
        return None
    return VersionedTable(rt.table, rt.config_column, ws_col if ws_col and ws_col in cols else None)


def versioned_tables(profile: Profile, snapshot: Snapshot) -> list[VersionedTable]:
    """The runtime table first (the frozen reference that matters most), then the master tables."""
    rt = runtime_table(profile, snapshot)
    return ([rt] if rt else []) + master_tables(profile, snapshot)


def missing_masters(profile: Profile, snapshot: Snapshot) -> str | None:
    why = missing_runtime(profile, snapshot)
    if why:
        return why
    if not master_tables(profile, snapshot):
        return f"none of the master tables of profile {profile.name} (tables referencing {profile.lifecycle.table}) exists"
    return None


def missing_versioned(profile: Profile, snapshot: Snapshot) -> str | None:
    why = missing_lifecycle(profile, snapshot)
    if why:
        return why
    if not versioned_tables(profile, snapshot):
        return f"no table of profile {profile.name} references {profile.lifecycle.table}"
    return None


def missing_workspace_scope(profile: Profile, snapshot: Snapshot) -> str | None:
    why = missing_versioned(profile, snapshot)
    if why:
        return why
    if profile.workspaces is None:
        return f"profile {profile.name} has no [workspaces] section (the workspace column)"
    if not any(t.workspace_column for t in versioned_tables(profile, snapshot)):
        return f"no table referencing {profile.lifecycle.table} carries the workspace column {profile.workspaces.column}"
    return None
