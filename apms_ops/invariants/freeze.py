"""freeze_by_reference: running work keeps the configuration it started with."""

from __future__ import annotations

from psycopg import sql

from apms_ops.invariants.base import PASS, PROBE, Skip
from apms_ops.invariants.probe import Probe, is_text_type
from apms_ops.invariants.scope import VersionedTable, master_tables, missing_masters


def needs(profile, snapshot) -> str | None:
    why = missing_masters(profile, snapshot)
    if why:
        return why
    if profile.lifecycle.archived is None:
        return f"profile {profile.name} names no archived status in [lifecycle] (N must be archived before N+1 is activated)"
    return None


def version_checksums(p: Probe, masters: list[VersionedTable], version_id: str) -> dict[str, tuple[int, str]]:
    """``{table: (rows, md5)}`` of one version's rows in every master table, computed in PostgreSQL (one statement)."""
    parts = []
    for m in masters:
        parts.append(sql.SQL(
            "SELECT {label} AS tbl, pg_catalog.count(*) AS n, "
            "pg_catalog.md5(coalesce(pg_catalog.string_agg(CAST(ROW(t.*) AS text), E'\\n' ORDER BY t.{key}), '')) AS digest "
            "FROM {tbl} AS t WHERE t.{cfg} = %(v)s"
        ).format(label=sql.Literal(m.name), key=sql.Identifier(p.key(m.name)), tbl=p.ident(m.name), cfg=sql.Identifier(m.config_column)))
    return {r["tbl"]: (int(r["n"]), r["digest"]) for r in p.rows(sql.SQL(" UNION ALL ").join(parts), {"v": version_id})}


def _remap(p: Probe, m: VersionedTable, column: str, parent: str, old_version: str) -> sql.Composable | None:
    """The copy of a master-to-master reference points at the parent's copy in the new version."""
    parent_table = next((x for x in master_tables(p.profile, p.snapshot) if x.name == parent), None)
    parent_key = p.key(parent)
    if parent_table is None or not is_text_type(p.column_type(parent, parent_key)):
        return None  # an untagged (uuid) key cannot be predicted: keep the reference as it was
    new_parent = p.new_key_expr(parent, f"{parent}:", sql.SQL("r.{}").format(sql.Identifier(parent_key)))
    return sql.SQL("coalesce((SELECT {new} FROM {tbl} AS r WHERE r.{key} = t.{col} AND r.{cfg} = {old}), t.{col})").format(
        new=new_parent, tbl=p.ident(parent), key=sql.Identifier(parent_key), col=sql.Identifier(column),
        cfg=sql.Identifier(parent_table.config_column), old=sql.Literal(old_version))


def freeze_by_reference(p: Probe) -> None:
    """An instance frozen to version N still references N, and N's master rows are unchanged,
    after N+1 is created as DRAFT, its master rows are added and edited, N is archived and N+1 activated.

    Archiving N before activating N+1 is the order the one-ACTIVE-per-workspace
    index allows. N's rows are compared by an md5 of every master table's rows
    of N (ordered by key), computed in PostgreSQL before and after.
    """
    lc, rt = p.profile.lifecycle, p.profile.runtime
    masters = master_tables(p.profile, p.snapshot)
    vkey, ikey = p.key(lc.table), p.key(rt.table)

    with p.step("pick an instance frozen to an ACTIVE version") as s:
        same_type = p.column_type(rt.table, rt.config_column) == p.column_type(lc.table, vkey)
        join = (sql.SQL("i.{cfg} = v.{key}") if same_type else sql.SQL("CAST(i.{cfg} AS text) = CAST(v.{key} AS text)")).format(
            cfg=sql.Identifier(rt.config_column), key=sql.Identifier(vkey))
        row = p.one(sql.SQL(
            "SELECT CAST(i.{ikey} AS text) AS instance, CAST(i.{istatus} AS text) AS status, CAST(v.{vkey} AS text) AS version_id, "
            "CAST(v.{ws} AS text) AS workspace, v.{ver} AS version "
            "FROM {lc} AS v JOIN {rt} AS i ON {join} "
            "WHERE CAST(v.{status} AS text) = %(active)s "
            "ORDER BY (CAST(i.{istatus} AS text) = ANY(%(running)s)) DESC, v.{ws}, i.{ikey} LIMIT 1"
        ).format(ikey=sql.Identifier(ikey), istatus=sql.Identifier(rt.status_column), vkey=sql.Identifier(vkey),
                 ws=sql.Identifier(lc.workspace_column), ver=sql.Identifier(lc.version_column), lc=p.ident(lc.table),
                 rt=p.ident(rt.table), join=join, status=sql.Identifier(lc.status_column)),
            {"active": lc.active, "running": list(rt.running_statuses)})
        if row is None:
            raise Skip(f"no {rt.table} row references an {lc.active} {lc.table} row: there is no frozen instance to watch")
        version_id, n = row["version_id"], row["version"]
        nxt = p.one(sql.SQL("SELECT pg_catalog.max(v.{ver}) + 1 AS next FROM {lc} AS v WHERE v.{ws} = %(ws)s").format(
            ver=sql.Identifier(lc.version_column), lc=p.ident(lc.table), ws=sql.Identifier(lc.workspace_column)),
            {"ws": row["workspace"]})["next"]
        s.detail = (f"{rt.table} {row['instance']} ({row['status']}) in workspace {row['workspace']} "
                    f"is frozen to version {n} ({version_id}); the new version will be {nxt}")

    with p.step(f"checksum version {n}'s master rows") as s:
        before = version_checksums(p, masters, version_id)
        s.detail = f"{sum(r for r, _ in before.values())} rows of version {n} in {len(masters)} master tables (md5 per table, in PostgreSQL)"

    with p.step(f"create version {nxt} as {lc.draft}") as s:
        overrides = {lc.version_column: nxt, lc.status_column: lc.draft}
        if lc.activated_column:
            overrides[lc.activated_column] = None
        new_id = p.insert_copy(lc.table, {vkey: version_id}, overrides, fresh={lc.version_column})[0]
        s.detail = f"version {nxt} ({new_id}) as {lc.draft}, a copy of version {n}"

    with p.step(f"add version {nxt}'s master rows (copies of version {n}'s)") as s:
        added = 0
        for m in masters:
            copy = {m.config_column: new_id}
            for column, parent in m.master_refs:
                expr = _remap(p, m, column, parent, version_id)
                if expr is not None:
                    copy[column] = expr
            added += len(p.insert_copy(m.name, {m.config_column: version_id}, copy, fresh={m.config_column},
                                       many=True, salt=f"{m.name}:"))
        s.detail = f"{added} rows in {len(masters)} master tables, references re-pointed to the new version's rows"

    with p.step(f"edit version {nxt}'s master rows") as s:
        edited, tables = 0, 0
        for m in masters:
            free = p.free_text_column(m.name, exclude={m.config_column})
            if free is None:
                continue
            rows = p.update(m.name, {m.config_column: new_id},
                            {free: sql.SQL("t.{} || ' ' || {}").format(sql.Identifier(free), sql.Literal(p.tag))})
            edited += len(rows)
            tables += 1
        s.detail = f"{edited} rows in {tables} tables edited (the tag appended to a free text column)"

    with p.step(f"archive version {n}") as s:
        p.update(lc.table, {vkey: version_id}, {lc.status_column: lc.archived})
        s.detail = f"version {n} set to {lc.archived} first, so the workspace has no {lc.active} version for a moment"

    with p.step(f"activate version {nxt}") as s:
        sets = {lc.status_column: lc.active}
        if lc.activated_column:
            sets[lc.activated_column] = sql.SQL("pg_catalog.now()")
        p.update(lc.table, {vkey: new_id}, sets)
        s.detail = f"version {nxt} set to {lc.active}" + (f" with {lc.activated_column}" if lc.activated_column else "")

    with p.step(f"the instance still references version {n}", PROBE) as s:
        ref = p.one(sql.SQL("SELECT CAST(i.{cfg} AS text) AS ref FROM {rt} AS i WHERE CAST(i.{ikey} AS text) = %(i)s").format(
            cfg=sql.Identifier(rt.config_column), rt=p.ident(rt.table), ikey=sql.Identifier(ikey)), {"i": row["instance"]})
        if ref is None:
            s.fail(f"{rt.table} {row['instance']} is gone")
        elif ref["ref"] != version_id:
            s.fail(f"{rt.table} {row['instance']} now references {ref['ref']}, not version {n} ({version_id})")
        else:
            s.detail = f"{rt.table} {row['instance']} references {version_id} (version {n}, now {lc.archived})"

    with p.step(f"version {n}'s master rows are unchanged", PROBE) as s:
        after = version_checksums(p, masters, version_id)
        changed = [f"{t} ({before[t][0]} -> {after.get(t, (0, ''))[0]} rows)" if before[t][0] != after.get(t, (0, ""))[0] else t
                   for t in before if after.get(t) != before[t]]
        if changed:
            s.fail(f"rows of version {n} changed in {', '.join(changed)}")
        else:
            s.detail = f"{sum(r for r, _ in after.values())} rows in {len(after)} tables, every checksum as before"
    p.summaries[PASS] = (f"{rt.table} {row['instance']} still references version {n} and version {n}'s "
                         f"{sum(r for r, _ in before.values())} master rows are unchanged after version {nxt} was created, "
                         f"edited and activated and version {n} archived")
