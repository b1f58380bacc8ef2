"""References between tables: declared foreign keys, the design's expected ones (a
profile, a Prisma schema), and the ones column names imply
(``config_version_id`` -> ``config_versions.id``, ``envelopeItemId`` -> ``"EnvelopeItem"``).

Type alignment (C2) and the orphan and isolation audits (C1, C5) cover every
reference found here, declared or not: a reference that only application code
enforces is exactly the one that needs watching.

Every reference carries a confidence band and the evidence behind it:

- *high*: declared, expected by the design, or implied by a name that leaves
  little doubt (or by a weaker name the data agrees with); it counts toward the
  verdict like any expected reference;
- *review*: implied by a weak name the data could not confirm (empty tables),
  or outside a design that names its relations; it is listed for a person to
  confirm and never moves the verdict by itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.engine import Connection

from apms_ops.catalog import Snapshot, qualified
from apms_ops.discovery.inference import LOOSE, NAME, PARTIAL, Guess, Unresolved, infer, type_family
from apms_ops.profiles import Profile

HIGH, REVIEW = "high", "review"
BANDS = (HIGH, REVIEW)


@dataclass(frozen=True)
class Reference:
    """``schema.table(columns)`` refers to ``ref_schema.ref_table(ref_columns)``."""

    schema: str
    table: str
    columns: tuple[str, ...]
    ref_schema: str
    ref_table: str
    ref_columns: tuple[str, ...]
    declared: bool = False          # a foreign key exists in the database
    constraint: str | None = None   # its name
    validated: bool | None = None   # False for NOT VALID foreign keys
    expected: bool = False          # the profile asks for a foreign key here
    critical: bool = False          # the profile marks it critical
    implied: bool = False           # a column name suggests it
    types: tuple[str | None, ...] = field(default=(), compare=False)      # child column types
    ref_types: tuple[str | None, ...] = field(default=(), compare=False)  # referenced key types
    on_partitions: int | None = field(default=None, compare=False)        # declared on every partition, not on the table
    confidence: str = field(default=HIGH, compare=False)                  # HIGH | REVIEW
    evidence: str = field(default="", compare=False)                      # how it was found, in words

    @property
    def key(self) -> tuple:
        return (self.schema, self.table, self.columns, self.ref_schema, self.ref_table, self.ref_columns)

    @property
    def source(self) -> str:
        """How the reference is known: declared, expected, implied (comma separated)."""
        return ",".join(s for s, on in (("declared", self.declared), ("expected", self.expected), ("implied", self.implied)) if on)

    @property
    def counts(self) -> bool:
        """A high-confidence reference: its findings move the verdict."""
        return self.confidence == HIGH

    @property
    def column_label(self) -> str:
        return ",".join(self.columns)

    @property
    def target(self) -> str:
        """``table.column`` of the referenced key, as findings name it."""
        return f"{qualified(self.ref_schema, self.ref_table)}.{','.join(self.ref_columns)}"

    @property
    def label(self) -> str:
        return f"{qualified(self.schema, self.table)}.{self.column_label} -> {self.target}"

    @property
    def child_exists(self) -> bool:
        return all(t is not None for t in self.types) and bool(self.types)

    @property
    def parent_exists(self) -> bool:
        return all(t is not None for t in self.ref_types) and bool(self.ref_types)

    @property
    def auditable(self) -> bool:
        """Both sides exist, so the data can be checked."""
        return self.child_exists and self.parent_exists

    @property
    def types_match(self) -> bool:
        return self.auditable and tuple(self.types) == tuple(self.ref_types)


def plural_candidates(thing: str) -> list[str]:
    """Table names a ``<thing>_id`` column may point at: ``thing``, ``things``, ``thingies``..."""
    out = [thing, thing + "s"]
    if thing.endswith(("s", "x", "z", "ch", "sh")):
        out.append(thing + "es")
    if thing.endswith("y") and len(thing) > 1 and thing[-2] not in "aeiou":
        out.append(thing[:-1] + "ies")
    return out


@dataclass
class Discovery:
    """What discovery found: every reference, and the reference-like columns that resolve to no key."""

    references: list[Reference]
    unresolved: list[Unresolved]
    probed: int = 0  # guesses the containment probe looked at


def implied_references(snapshot: Snapshot) -> list[Reference]:
    """References column names imply (no design, no data: names and types only)."""
    return [r for r in discover(snapshot, _EMPTY).references if r.implied]


def find_references(snapshot: Snapshot, profile: Profile, conn: Connection | None = None) -> list[Reference]:
    """Every reference: declared FKs, the design's expected FKs and implied ones, merged (see ``discover``)."""
    return discover(snapshot, profile, conn).references


def discover(snapshot: Snapshot, profile: Profile, conn: Connection | None = None) -> Discovery:
    """Declared, expected and implied references, merged, and the columns left unresolved.

    One entry per (child columns, referenced columns); a declared FK that matches
    an expected one is the same reference, with both flags set. Implied
    references only fill gaps: a column already covered by a declared or
    expected reference is not guessed again. With ``conn``, guesses whose
    names are weak are probed against the data (``discovery.probe``).
    """
    merged: dict[tuple, dict] = {}

    def add(key: tuple, **flags) -> None:
        entry = merged.setdefault(key, {})
        for name, value in flags.items():
            if value is not None and not entry.get(name):
                entry[name] = value

    for fk in snapshot.foreign_keys:
        add((fk.schema, fk.table, fk.columns, fk.ref_schema, fk.ref_table, fk.ref_columns),
            declared=True, constraint=fk.name, validated=fk.validated, on_partitions=fk.on_partitions,
            evidence=f"foreign key on each of {fk.on_partitions} partitions" if fk.on_partitions else "declared foreign key")
    for fk in profile.foreign_keys:
        add((fk.schema or profile.schema_of(fk.table), fk.table, fk.columns, fk.ref_schema or profile.schema_of(fk.ref_table),
             fk.ref_table, fk.ref_columns), expected=True, critical=fk.critical, evidence=f"expected by the design ({profile.design_label})")
    covered = {(k[0], k[1], c) for k in merged for c in k[2]}
    inference = infer(snapshot, covered, people_table=profile.people_table)
    guesses = [g for g in inference.guesses if g.key not in merged]
    probes = _probe(conn, [g for g in guesses if _needs_probe(g)]) if conn is not None else {}
    designed = _design_tables(profile)
    closed = _closed_tables(profile)
    guesses = [g for g in guesses if (g.schema, g.table) not in closed]
    unresolved = [u for u in inference.unresolved if (u.schema, u.table) not in closed]
    for guess in guesses:
        band, evidence = _band(guess, probes.get(guess.key), snapshot)
        if band is None:
            if len(guess.columns) == 1:
                unresolved.append(Unresolved(guess.schema, guess.table, guess.columns[0], evidence))
            continue
        if (guess.schema, guess.table) in designed:
            band, evidence = REVIEW, evidence + "; outside the design, which names its relations"
        add(guess.key, implied=True, confidence=band, evidence=evidence)

    referenced = {(k[0], k[1], c) for k in merged for c in k[2]}
    unresolved = [u for u in unresolved if (u.schema, u.table, u.column) not in referenced]
    out = []
    for key in sorted(merged, key=lambda k: (k[0], k[1], k[2], k[3], k[4])):
        schema, table, columns, ref_schema, ref_table, ref_columns = key
        entry = dict(merged[key])
        if entry.get("declared") or entry.get("expected"):
            entry["confidence"] = HIGH
        out.append(Reference(
            schema, table, columns, ref_schema, ref_table, ref_columns,
            types=tuple(_type(snapshot, schema, table, c) for c in columns),
            ref_types=tuple(_type(snapshot, ref_schema, ref_table, c) for c in ref_columns),
            **entry,
        ))
    return Discovery(out, sorted(unresolved, key=lambda u: (u.schema, u.table, u.column)), probed=len(probes))


_EMPTY = Profile(name="none", title="discovery only (no profile)", source="none")


def _design_tables(profile: Profile) -> set[tuple[str, str]]:
    """Tables whose relations the design names: implied references on them are left for review."""
    if not profile.foreign_keys:
        return set()
    return {(profile.schema_of(t), t) for t in (*profile.tables, *profile.existing_tables)}


def _closed_tables(profile: Profile) -> set[tuple[str, str]]:
    """Tables a Prisma schema models: every relation of theirs is an ``@relation``, so names imply nothing more."""
    return {(profile.schema_of(t), t) for t in profile.modeled_tables}


def _needs_probe(guess: Guess) -> bool:
    return guess.type_match != "different" and (guess.strength == LOOSE or (guess.strength == PARTIAL and guess.external))


def _probe(conn: Connection, guesses: list[Guess]) -> dict:
    from apms_ops.discovery.probe import containment

    return containment(conn, guesses) if guesses else {}


def _band(guess: Guess, probe, snapshot: Snapshot) -> tuple[str | None, str]:
    """The confidence band of a guess (None: not a reference after all) and its evidence in words."""
    child_type = ",".join(_type(snapshot, guess.schema, guess.table, c) or "?" for c in guess.columns)
    ref_type = ",".join(_type(snapshot, guess.ref_schema, guess.ref_table, c) or "?" for c in guess.ref_columns)
    types = {"same": f"types match ({child_type})", "family": f"types of one family ({child_type} / {ref_type})",
             "different": f"types differ ({child_type} / {ref_type})"}[guess.type_match]
    words = f"{guess.rule}; {types}"
    if guess.strength == NAME:
        return HIGH, words
    target = f"{qualified(guess.ref_schema, guess.ref_table)}.{','.join(guess.ref_columns)}"
    if guess.type_match == "different":
        return None, f"{guess.rule} suggests {target}, but the {types}"
    if probe is not None:
        words += f"; {probe.text}"
        if probe.refuted:
            return None, f"{guess.rule} suggests {target}, but {probe.found} of {probe.sampled} sampled values are not in it"
        if probe.contained:
            weak_evidence = guess.rule.startswith("shared primary key") and type_family(child_type) == "integer"
            return (REVIEW if weak_evidence else HIGH), words
    if guess.strength == PARTIAL and not guess.external:
        return HIGH, words
    # No data to ask: a number or uuid named like a table is a reference; text may be a name or an e-mail.
    # ... but not a 1:1 guess on a shared id, nor a column whose name only ends like a table (home_branch).
    sure_type = len(guess.columns) == 1 and type_family(child_type) in ("integer", "uuid")
    if sure_type and not guess.external and not guess.rule.startswith(("shared primary key", "named like a table, leading")):
        return HIGH, words
    return REVIEW, words + ("; named by another system?" if guess.external else "; confirm by hand")


def _type(snapshot: Snapshot, schema: str, table: str, column: str) -> str | None:
    t = snapshot.tables.get((schema, table))
    col = t.columns.get(column) if t is not None else None
    return col.type if col is not None else None
