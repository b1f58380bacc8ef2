"""one_active_per_workspace: the database itself refuses a second ACTIVE version in a workspace."""

from __future__ import annotations

from psycopg import sql

from apms_ops.invariants.base import PASS
from apms_ops.invariants.lifecycle import pick_version
from apms_ops.invariants.probe import Probe


def one_active_per_workspace(p: Probe) -> None:
    """A second ACTIVE version in a workspace is rejected (a unique violation from the partial index),
    whether it is inserted as ACTIVE or a DRAFT is promoted to ACTIVE.

    The second version carries its activation time, so a CHECK on it cannot be
    what refuses it; the control inserts the same version as DRAFT and must be accepted.
    """
    lc = p.profile.lifecycle
    vkey = p.key(lc.table)
    with p.step(f"pick a workspace with an {lc.active} version") as s:
        v = pick_version(p)
        s.detail = f"workspace {v['workspace']}: version {v['version']} ({v['id']})"
    nxt = v["next"]
    activated = {lc.activated_column: sql.SQL("pg_catalog.now()")} if lc.activated_column else {}
    if not v["active"]:
        with p.step(f"make a first {lc.active} version in it") as s:
            first = p.insert_copy(lc.table, {vkey: v["id"]}, {lc.version_column: nxt, lc.status_column: lc.active, **activated},
                                  fresh={lc.version_column})[0]
            s.detail = f"version {nxt} ({first}) as {lc.active}: the workspace had none"
            nxt += 1

    draft = {lc.version_column: nxt, lc.status_column: lc.draft}
    if lc.activated_column:
        draft[lc.activated_column] = None
    active = {lc.version_column: nxt, lc.status_column: lc.active, **activated}

    def insert(values):
        return lambda: p.insert_copy(lc.table, {vkey: v["id"]}, values, fresh={lc.version_column})

    first = p.probe(f"a second {lc.active} version (INSERT) is rejected", insert(active), control=insert(draft),
                    accepted=f"workspace {v['workspace']} held two {lc.active} versions")

    created: dict[str, str] = {}

    def make_draft():
        created["id"] = insert(draft)()[0]

    p.probe(f"promoting a {lc.draft} to {lc.active} (UPDATE) is rejected",
            lambda: p.update(lc.table, {vkey: created["id"]}, {lc.status_column: lc.active, **activated}), setup=make_draft,
            accepted=f"workspace {v['workspace']} held two {lc.active} versions after an UPDATE")
    p.summaries[PASS] = (f"a second {lc.active} version in workspace {v['workspace']} was rejected, inserted and promoted "
                         f"({first.detail.removeprefix('rejected by ').split(':')[0]}, SQLSTATE {first.sqlstate})")
