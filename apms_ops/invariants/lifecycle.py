"""lifecycle: the database itself refuses a config version the lifecycle forbids."""

from __future__ import annotations

from psycopg import sql

from apms_ops.invariants.base import PASS, PROBE, SKIP, Skip
from apms_ops.invariants.probe import Probe

# Not a status of any lifecycle (and code-shaped, so only the status rule can refuse it).
ILLEGAL_STATUS = "APMSOPS_NOT_A_STATUS"


def pick_version(p: Probe) -> dict:
    """A version to copy: the first workspace's ACTIVE version, else any version.

    Returns ``{id, workspace, version, active, next}`` (``active``: the workspace
    has an ACTIVE version; ``next``: the next free version number in it).
    """
    lc = p.profile.lifecycle
    vkey = p.key(lc.table)
    row = p.one(sql.SQL(
        "SELECT CAST(v.{key} AS text) AS id, CAST(v.{ws} AS text) AS workspace, v.{ver} AS version, "
        "CAST(v.{status} AS text) = %(active)s AS active FROM {lc} AS v "
        "ORDER BY (CAST(v.{status} AS text) = %(active)s) DESC, v.{ws}, v.{ver} DESC LIMIT 1"
    ).format(key=sql.Identifier(vkey), ws=sql.Identifier(lc.workspace_column), ver=sql.Identifier(lc.version_column),
             status=sql.Identifier(lc.status_column), lc=p.ident(lc.table)), {"active": lc.active})
    if row is None:
        raise Skip(f"{lc.table} is empty: there is no version to copy")
    row["next"] = p.one(sql.SQL("SELECT pg_catalog.max(v.{ver}) + 1 AS next FROM {lc} AS v WHERE v.{ws} = %(ws)s").format(
        ver=sql.Identifier(lc.version_column), lc=p.ident(lc.table), ws=sql.Identifier(lc.workspace_column)),
        {"ws": row["workspace"]})["next"]
    return row


def lifecycle(p: Probe) -> None:
    """An illegal status, an ACTIVE version without its activation time, a duplicate version
    number in a workspace and a version number below 1 are each rejected by the database.

    Every probe first inserts the same version without the violation (the
    control, which must be accepted), so a rejection can only be the rule's.
    The ACTIVE probe archives the workspace's ACTIVE version first, inside its
    savepoint, so the one-ACTIVE index cannot be what refuses it.
    """
    lc = p.profile.lifecycle
    vkey = p.key(lc.table)
    with p.step("pick a version to copy") as s:
        v = pick_version(p)
        s.detail = f"version {v['version']} ({v['id']}) of workspace {v['workspace']}; new versions get number {v['next']}"

    base = {lc.version_column: v["next"], lc.status_column: lc.draft}
    if lc.activated_column:
        base[lc.activated_column] = None

    def copy(fresh=frozenset({lc.version_column}), **changes):
        return lambda: p.insert_copy(lc.table, {vkey: v["id"]}, {**base, **changes}, fresh=set(fresh))

    p.probe("an illegal status is rejected", copy(**{lc.status_column: ILLEGAL_STATUS}), control=copy(),
            accepted=f"a version with status {ILLEGAL_STATUS!r} was stored (allowed: {', '.join(lc.statuses)})")

    if lc.activated_column:
        step_back = lc.archived or lc.draft
        archive = (lambda: p.update(lc.table, {lc.workspace_column: v["workspace"], lc.status_column: lc.active},
                                    {lc.status_column: step_back})) if v["active"] else None
        p.probe(f"an {lc.active} version without {lc.activated_column} is rejected",
                copy(**{lc.status_column: lc.active, lc.activated_column: None}),
                control=copy(**{lc.status_column: lc.active, lc.activated_column: sql.SQL("pg_catalog.now()")}), setup=archive,
                accepted=f"an {lc.active} version with {lc.activated_column} NULL was stored")
    else:
        with p.step(f"an {lc.active} version without its activation time is rejected", PROBE) as s:
            s.outcome, s.detail = SKIP, f"profile {p.profile.name} names no activation column"

    p.probe("a duplicate version number in a workspace is rejected",
            copy(**{lc.version_column: v["version"]}), control=copy(),
            accepted=f"a second version {v['version']} was stored in workspace {v['workspace']}")
    p.probe("a version number below 1 is rejected", copy(**{lc.version_column: 0}), control=copy(),
            accepted="a version numbered 0 was stored")
    rules = ["an illegal status"] + ([f"an {lc.active} version without {lc.activated_column}"] if lc.activated_column else []) + [
        "a duplicate version number", "version 0"]
    p.summaries[PASS] = f"the database rejected {', '.join(rules[:-1])} and {rules[-1]}"
