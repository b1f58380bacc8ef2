"""Does ALTER COLUMN ... TYPE rewrite the table? PostgreSQL's own rules, decided on its catalog's facts.

PostgreSQL skips the rewrite when the conversion reduces to the column itself
(``ATColumnChangeRequiresRewrite``): a binary-coercible cast (``pg_cast``
method ``b``: varchar -> text, cidr -> inet) with no new length limit, or a
length/precision change its support functions simplify away (a wider varchar,
varbit, numeric precision with the same scale, time/timestamp precision, any of
them made unconstrained), and timestamp <-> timestamptz when the session's
time zone is UTC. A USING expression other than the column, or a domain with
constraints, always costs a pass over the rows.
"""

from __future__ import annotations

from dataclasses import dataclass

VARHDRSZ = 4
_LENGTH_TYPES = {"varchar", "varbit"}
_PRECISION_TYPES = {"timestamp", "timestamptz", "time", "timetz"}
_TIMESTAMPS = {"timestamp", "timestamptz"}
INTEGER_RANGES = {"int2": (-32768, 32767), "int4": (-2147483648, 2147483647), "int8": (-9223372036854775808, 9223372036854775807)}


@dataclass(frozen=True)
class TypeChange:
    rewrite: bool
    reason: str


def typmod_of(typname: str, modifiers: list[int]) -> int:
    """The typmod PostgreSQL stores for ``typname(modifiers)`` (-1: unconstrained)."""
    if not modifiers:
        return -1
    if typname in ("varchar", "bpchar"):
        return modifiers[0] + VARHDRSZ
    if typname == "numeric":
        precision, scale = modifiers[0], (modifiers[1] if len(modifiers) > 1 else 0)
        return ((precision << 16) | (scale & 0xFFFF)) + VARHDRSZ
    if typname in ("bit", "varbit") or typname in _PRECISION_TYPES:
        return modifiers[0]
    return -2  # a modifier this module does not decode: compared for equality only


def _numeric(typmod: int) -> tuple[int, int]:
    value = typmod - VARHDRSZ
    return value >> 16, value & 0xFFFF


def _widens(typname: str, old: int, new: int) -> bool:
    """True when changing the typmod from ``old`` to ``new`` keeps every value as it is stored."""
    if new == old or new == -1:
        return True
    if old == -1:
        return False
    if typname in _LENGTH_TYPES or typname in _PRECISION_TYPES:
        return new >= old
    if typname == "numeric":
        (old_p, old_s), (new_p, new_s) = _numeric(old), _numeric(new)
        return new_s == old_s and new_p >= old_p
    return False


def column_type_change(*, old_typname: str, old_typmod: int, new_typname: str, new_typmod: int, same_type: bool,
                       castmethod: str | None, using_is_column: bool, domain_checks: bool, utc_session: bool,
                       timezone: str = "") -> TypeChange:
    """Whether ``ALTER COLUMN TYPE`` from the old to the new type rewrites every row, and why."""
    if not using_is_column:
        return TypeChange(True, "the USING expression is computed for every row")
    if domain_checks:
        return TypeChange(True, "the new type is a domain with constraints: every row is checked")
    if same_type:
        if _widens(new_typname, old_typmod, new_typmod):
            return TypeChange(False, "same type with a wider or equal limit: values are kept as stored")
        return TypeChange(True, "the new limit is narrower (or not simplified away): every value is converted")
    if castmethod == "b" and new_typmod == -1:
        return TypeChange(False, f"{old_typname} -> {new_typname} is binary coercible: no rewrite")
    if {old_typname, new_typname} == _TIMESTAMPS and _widens("timestamp", old_typmod, new_typmod):
        if utc_session:
            return TypeChange(False, f"timestamp <-> timestamptz with TimeZone {timezone or 'UTC'}: no rewrite")
        return TypeChange(True, f"timestamp <-> timestamptz with TimeZone {timezone} (not UTC): every row is converted")
    if castmethod == "b":
        return TypeChange(True, f"{old_typname} -> {new_typname} is binary coercible, but the new length limit is checked on every row")
    return TypeChange(True, f"{old_typname} -> {new_typname} is not binary coercible: every row is converted")
