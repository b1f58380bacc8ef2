"""Bounded samples of the rows behind a finding, asked for by (table, column) as pages show them.

A page knows a reference by the labels of the review's facts (``master_roles``,
``config_version_id``, ``config_versions.id``); this module finds the same
``discovery.Reference`` the review audited and reads a few rows for it, in one
read-only transaction per call, whatever the number of references asked for.
"""

from __future__ import annotations

from apms_ops import audits
from apms_ops.catalog import qualified, read_snapshot
from apms_ops.connections import Environment, read_only_session
from apms_ops.discovery import Reference, find_references
from apms_ops.errors import ConfigError
from apms_ops.review import choose_profile

DEFAULT_LIMIT = 20
MAX_LIMIT = 500


def find_reference(references: list[Reference], table: str, column: str, target: str | None = None) -> Reference:
    """The reference of ``table.column`` (labels as in the facts), pointing at ``target`` when given."""
    for ref in references:
        if qualified(ref.schema, ref.table) == table and ref.column_label == column and (target is None or ref.target == target):
            return ref
    where = f"{table}.{column}" + (f" -> {target}" if target else "")
    raise ConfigError(f"no reference {where} in this database (the schema changed since the review? refresh)")


def orphan_samples(
    env: Environment,
    wanted: list[tuple[str, str, str]],
    *,
    profile: str | None = "auto",
    limit: int = DEFAULT_LIMIT,
    cross_workspace: bool = False,
) -> dict[str, dict]:
    """Samples for several references at once: ``{"table.column -> target": {"rows": [...], "error": None}}``.

    ``wanted`` holds ``(table, column, target)`` labels from ``Review.facts["references"]``.
    With ``cross_workspace`` the rows are those pointing at another workspace's
    row, otherwise those pointing at nothing. The catalog is read once for all of
    them; one reference that cannot be read gives an error for that entry only.
    """
    limit = max(1, min(int(limit), MAX_LIMIT))
    out: dict[str, dict] = {}
    if not wanted:
        return out
    with read_only_session(env) as conn:
        snapshot = read_snapshot(conn)
        # The same profile choice as run_review, so the references are the ones the review audited.
        requested = profile if profile not in (None, "", "auto") else (env.profile or "auto")
        chosen = choose_profile(requested, snapshot, env.schema)
        references = find_references(snapshot, chosen)
        workspace_column = chosen.workspaces.column if chosen.workspaces else None
        for table, column, target in wanted:
            label = sample_label(table, column, target)
            try:
                ref = find_reference(references, table, column, target)
                rows = audits.orphan_sample(conn, ref, limit, workspace_column=workspace_column, cross_workspace=cross_workspace)
                out[label] = {"rows": rows, "error": None}
            except Exception as exc:  # noqa: BLE001 - one unreadable table must not hide the other samples
                out[label] = {"rows": [], "error": " ".join(str(exc).split()) or type(exc).__name__}
    return out


def sample_label(table: str, column: str, target: str) -> str:
    """The key ``orphan_samples`` files a sample under."""
    return f"{table}.{column} -> {target}"
