"""How long the dashboard keeps what it read, from the environment, read once.

A bad value never takes the dashboard down: the default is used and the sidebar
says which variable was ignored and why (``PROBLEMS``).
"""

from __future__ import annotations

import os

PROBLEMS: list[str] = []


def seconds(name: str, default: int) -> int:
    """Whole seconds from ``$name`` (``default`` when unset; a bad value is reported and ignored)."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        value = -1
    if value < 0:
        PROBLEMS.append(f"{name}={raw!r} is not a number of seconds: using {default}")
        return default
    return value


REVIEW_TTL_S = seconds("APMS_OPS_REVIEW_TTL", 300)   # a review of one environment
STATUS_TTL_S = seconds("APMS_OPS_STATUS_TTL", 30)    # the connection status in the sidebar
HISTORY_TTL_S = seconds("APMS_OPS_HISTORY_TTL", 60)  # reads of the history store
