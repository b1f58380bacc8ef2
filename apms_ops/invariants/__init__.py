"""Invariant tests: ask the database itself whether it enforces the design, and leave no trace.

Each test is a named unit with steps and one outcome:

- ``PASS``: the database refused what the design forbids (or, for the freeze
  test, the frozen reference and rows held);
- ``FAIL``: the invariant broke (a frozen instance moved, its rows changed);
- ``NOT_ENFORCED``: the database accepted what the design forbids, so only
  application code protects the rule;
- ``ERROR``: the test could not finish (a timeout, a lock wait, a lost
  connection, a leftover found by the after-check);
- ``SKIP``: the database lacks what the test needs (the reason says what).

The tests (``REGISTRY``): ``freeze_by_reference``, ``one_active_per_workspace``,
``lifecycle``, ``isolation``, ``referential``. Table and column names come from
the profile; the code is generic.

Safety: one transaction per test, always rolled back, with ``SET LOCAL``
timeouts; a unique tag (``apmsops-<12 hex>``) in every row created; an
after-check on a fresh read-only connection; runs on one database take turns
(a transaction-scoped advisory lock); protected environments refused unless
``allow_invariants = true``. See ``runner``.

Use::

    from apms_ops.invariants import run_invariants
    runs = run_invariants(env, ["freeze_by_reference"], run_by="alice@example.com")
    runs[0].outcome, [s.to_dict() for s in runs[0].steps]
"""

from apms_ops.invariants.base import (  # noqa: F401 - the package's public names
    ERROR, FAIL, NOT_ENFORCED, OUTCOMES, PASS, SKIP, Invariant, InvariantRun, Step,
)
from apms_ops.invariants.probe import StepEvent  # noqa: F401
from apms_ops.invariants.registry import BY_NAME, REGISTRY  # noqa: F401
from apms_ops.invariants.runner import (  # noqa: F401
    InvariantsRefused, ensure_allowed, new_tag, read_target, refusal, remaining, run_invariant, run_invariants,
    select_invariants,
)
