"""The explicit list of checks. The CLI's ``checks --list``, the dashboard and the
docs are all drawn from it; ids are stable for ever (reports and accepted findings
refer to them)."""

from __future__ import annotations

from apms_ops.checks import design, isolation, lifecycle, runtime, schema, types, workspaces
from apms_ops.checks.base import BLOCKER, MAJOR, Check

REGISTRY: tuple[Check, ...] = (
    Check("C1.design", "Design compared", MAJOR, design.design),
    Check("C1.extensions", "Required extensions", MAJOR, schema.extensions),
    Check("C1.tables", "Tables created", BLOCKER, schema.tables),
    Check("C1.foreign_keys", "Foreign key coverage", MAJOR, schema.foreign_keys),
    # A blocker: a critical key that cascades a delete is NO-GO (R16); one that is missing holds (R9).
    Check("C1.critical_foreign_keys", "Critical foreign keys", BLOCKER, schema.critical_foreign_keys),
    Check("C1.reference_columns", "Reference-like columns resolved", MAJOR, design.reference_columns),
    Check("C1.check_constraints", "CHECK constraints", MAJOR, schema.check_constraints),
    Check("C1.partial_unique_index", "Partial unique index", BLOCKER, schema.partial_unique_index),
    Check("C1.orphans", "Orphaned records", BLOCKER, schema.orphans, needs_data=True),
    Check("C1.migrations", "Migration history", MAJOR, schema.migrations, needs_data=True),
    Check("C2.id_types", "Table id types", BLOCKER, types.id_types),
    Check("C2.reference_types", "Reference column types", BLOCKER, types.reference_types),
    Check("C3.lifecycle", "Configuration lifecycle", BLOCKER, lifecycle.lifecycle, needs_data=True),
    Check("C4.one_active_per_workspace", "One ACTIVE version per workspace", BLOCKER, workspaces.one_active_per_workspace, needs_data=True),
    Check("C5.isolation", "Workspace isolation", BLOCKER, isolation.isolation, needs_data=True),
    Check("C6.runtime", "Running work on DRAFT versions", BLOCKER, runtime.runtime, needs_data=True),
    Check("C6.health", "Application health endpoint", MAJOR, runtime.health),
)

BY_ID = {c.id: c for c in REGISTRY}
GROUPS = {
    "C1": "Schema integrity",
    "C2": "Type alignment",
    "C3": "Lifecycle",
    "C4": "One active per workspace",
    "C5": "Isolation",
    "C6": "Runtime",
}
