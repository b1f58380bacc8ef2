"""The containment probe: does the data agree with a guess the name alone cannot settle?

For each guessed reference it reads a bounded sample of the child's values and
counts how many exist in the candidate key, inside the review's own read-only
transaction (same snapshot, same statement timeout). Guesses are batched, up to
``PROBE_BATCH`` per statement (``UNION ALL``, as the orphan audit batches child
tables); a batch that fails is retried guess by guess, so one unreadable table
costs only its own guesses their evidence.
"""

from __future__ import annotations

from dataclasses import dataclass

from psycopg import sql
from sqlalchemy.engine import Connection

from apms_ops import sqlfiles

PROBE_SAMPLE = 200
PROBE_BATCH = 50


@dataclass(frozen=True)
class Containment:
    sampled: int | None          # child rows with the columns set that were looked at (None: the probe failed)
    found: int | None            # of those, present in the candidate key
    error: str | None = None

    @property
    def contained(self) -> bool:
        return bool(self.sampled) and self.found == self.sampled

    @property
    def refuted(self) -> bool:
        return bool(self.sampled) and (self.found or 0) < self.sampled

    @property
    def text(self) -> str:
        if self.error:
            return f"data not probed ({self.error})"
        if not self.sampled:
            return "no values to probe (empty or all NULL)"
        return f"{self.found} of {self.sampled} sampled values found in the key"  # one per sampled row


def _statement(k: int, guess, sample: int) -> str:
    values = [sql.SQL("c.{} AS {}").format(sql.Identifier(c), sql.Identifier(f"v{i}")) for i, c in enumerate(guess.columns)]
    present = [sql.SQL("c.{} IS NOT NULL").format(sql.Identifier(c)) for c in guess.columns]
    match = [sql.SQL("p.{} = s.{}").format(sql.Identifier(c), sql.Identifier(f"v{i}")) for i, c in enumerate(guess.ref_columns)]
    return sqlfiles.compose(
        "discovery/containment.sql",
        k=sql.Literal(k), sample=sql.Literal(sample),
        child=sql.Identifier(guess.schema, guess.table), parent=sql.Identifier(guess.ref_schema, guess.ref_table),
        values=sql.SQL(", ").join(values), present=sql.SQL(" AND ").join(present), match=sql.SQL(" AND ").join(match),
    )


def containment(conn: Connection, guesses: list, *, sample: int = PROBE_SAMPLE, batch: int = PROBE_BATCH) -> dict[tuple, Containment]:
    """``{guess.key: Containment}`` for every guess, in few statements."""
    from apms_ops.audits import guarded_rows

    out: dict[tuple, Containment] = {}

    def run(indexes: list[int]) -> None:
        rows = guarded_rows(conn, " UNION ALL ".join(_statement(i, guesses[i], sample) for i in indexes))
        by_k = {r["k"]: r for r in rows}
        for i in indexes:
            row = by_k.get(i, {"sampled": 0, "found": 0})
            out[guesses[i].key] = Containment(row["sampled"], row["found"])

    for start in range(0, len(guesses), batch):
        indexes = list(range(start, min(start + batch, len(guesses))))
        try:
            run(indexes)
        except Exception:  # noqa: BLE001 - find the guess at fault
            for i in indexes:
                try:
                    run([i])
                except Exception as exc:  # noqa: BLE001 - that guess keeps its name evidence only
                    out[guesses[i].key] = Containment(None, None, " ".join(str(exc).split())[:200])
    return out
