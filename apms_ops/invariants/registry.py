"""The explicit list of invariant tests. The CLI, the page and the docs are drawn from it;
names are stable for ever (the history refers to them)."""

from __future__ import annotations

from apms_ops.invariants import freeze, lifecycle, one_active, references, scope
from apms_ops.invariants.base import Invariant

REGISTRY: tuple[Invariant, ...] = (
    Invariant("freeze_by_reference", "Freeze by reference", freeze.freeze_by_reference, freeze.needs),
    Invariant("one_active_per_workspace", "One ACTIVE version per workspace", one_active.one_active_per_workspace, scope.missing_lifecycle),
    Invariant("lifecycle", "Configuration lifecycle", lifecycle.lifecycle, scope.missing_lifecycle),
    Invariant("isolation", "Workspace isolation", references.isolation, scope.missing_workspace_scope),
    Invariant("referential", "References to config versions", references.referential, scope.missing_versioned),
)

BY_NAME = {inv.name: inv for inv in REGISTRY}
