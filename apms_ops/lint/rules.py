"""The migration lint rules: one id, title, severity and fix per hazard, named once for ever.

A blocker is a statement that will fail on this database's data (or cannot run
where it stands): NO-GO. A major one runs but holds a lock that stops the
application, or loses data: HOLD. Findings carry the figures measured on the
target database (rows, violating rows, bytes, an estimated lock time).
"""

from __future__ import annotations

from dataclasses import dataclass

BLOCKER, MAJOR = "blocker", "major"


@dataclass(frozen=True)
class LintRule:
    id: str
    title: str
    severity: str
    why: str
    fix: str


RULES: tuple[LintRule, ...] = (
    LintRule("L0.syntax_error", "The script does not parse", BLOCKER,
             "PostgreSQL stops at the first syntax error: nothing of the migration runs.",
             "Fix the syntax; the line is PostgreSQL's parser's own."),
    LintRule("L1.foreign_key_validates", "ADD FOREIGN KEY without NOT VALID on a table with rows", MAJOR,
             "It takes SHARE ROW EXCLUSIVE locks on both tables (writes to either wait) while it scans every row of the "
             "referencing table.",
             "Add the foreign key NOT VALID (a brief lock), then VALIDATE CONSTRAINT in a later migration: it scans "
             "without blocking writes."),
    LintRule("L2.foreign_key_violations", "Existing rows violate the foreign key", BLOCKER,
             "ADD FOREIGN KEY (without NOT VALID) and VALIDATE CONSTRAINT fail while rows point at rows that do not exist.",
             "Fix or delete the orphaned rows first (the sample shows some), then add or validate the foreign key."),
    LintRule("L3.check_violations", "Existing rows violate the CHECK", BLOCKER,
             "ADD CHECK (without NOT VALID) and VALIDATE CONSTRAINT fail while rows make the expression false.",
             "Repair the violating rows first, or add the CHECK NOT VALID (new rows only) and validate once they are fixed."),
    LintRule("L4.not_null_violations", "Existing rows hold NULL where NOT NULL is set", BLOCKER,
             "SET NOT NULL and ADD PRIMARY KEY fail while the column holds NULLs.",
             "Fill the NULLs (UPDATE ... WHERE col IS NULL, in batches) before setting NOT NULL."),
    LintRule("L5.unique_violations", "Existing rows hold duplicates of a new unique key", BLOCKER,
             "ADD UNIQUE, ADD PRIMARY KEY and CREATE UNIQUE INDEX fail on duplicate values (a failed CONCURRENTLY build "
             "leaves an INVALID index behind).",
             "Remove or merge the duplicates (the sample shows the most repeated keys) before adding the unique key."),
    LintRule("L6.index_build_blocks_writes", "Index built without CONCURRENTLY on a table with rows", MAJOR,
             "CREATE INDEX holds a SHARE lock (ADD UNIQUE / PRIMARY KEY an ACCESS EXCLUSIVE one) for the whole build: "
             "writes wait until it ends.",
             "CREATE [UNIQUE] INDEX CONCURRENTLY alone in its own migration (outside a transaction), then ADD CONSTRAINT "
             "... USING INDEX for a unique key or primary key."),
    LintRule("L7.table_rewrite", "The statement rewrites the table", MAJOR,
             "Changing a column type that is not binary coercible, or adding a column with a volatile default or an "
             "identity, rewrites every row and rebuilds every index under an ACCESS EXCLUSIVE lock.",
             "Add a new column, backfill it in batches, switch reads and writes, then drop the old column; or choose a "
             "binary-coercible change (varchar(n) -> text, a wider varchar or numeric)."),
    LintRule("L8.type_change_violations", "Existing values do not fit the new column type", BLOCKER,
             "ALTER COLUMN TYPE fails when a value is too long or out of range for the new type.",
             "Shorten or repair the values (the sample shows some) before narrowing the type."),
    LintRule("L9.not_null_column_without_default", "ADD COLUMN ... NOT NULL without a default on a table with rows", BLOCKER,
             "Existing rows would get NULL in a NOT NULL column: the statement fails.",
             "Add the column with a default (a constant default needs no rewrite), or add it nullable, backfill, then SET NOT NULL."),
    LintRule("L10.destructive", "The statement deletes data", MAJOR,
             "DROP TABLE, DROP COLUMN and TRUNCATE lose the rows (or values) counted here, and cannot be rolled back "
             "once committed.",
             "Confirm nothing reads the data any more and that a backup holds it; drop in a later release than the code "
             "that stopped using it."),
    LintRule("L11.concurrently_in_transaction", "CONCURRENTLY inside a transaction block", BLOCKER,
             "CREATE/DROP INDEX CONCURRENTLY, REINDEX CONCURRENTLY and DETACH PARTITION CONCURRENTLY cannot run inside "
             "a transaction block; Prisma sends a migration.sql of several statements as one implicit transaction.",
             "Put the CONCURRENTLY statement alone in its own migration.sql (no BEGIN/COMMIT around it)."),
    LintRule("L12.scan_blocks_writes", "Validating scan under a lock that blocks writes", MAJOR,
             "ADD CHECK without NOT VALID and SET NOT NULL scan every row under an ACCESS EXCLUSIVE lock: reads and "
             "writes wait for the scan.",
             "ADD CHECK ... NOT VALID, then VALIDATE CONSTRAINT in a later migration; for NOT NULL, validate a CHECK "
             "(col IS NOT NULL) first, then SET NOT NULL uses it and skips the scan."),
    LintRule("L13.partitioned_table_unsupported", "Not supported on a partitioned table", BLOCKER,
             "PostgreSQL refuses NOT VALID foreign keys on a partitioned table and CREATE INDEX CONCURRENTLY on one.",
             "Foreign key: add it NOT VALID and validate it on each partition, then add it on the parent (it attaches "
             "the validated ones). Index: CREATE INDEX ON ONLY the parent, build each partition's index CONCURRENTLY, "
             "then ALTER INDEX ... ATTACH PARTITION."),
)

BY_ID = {r.id: r for r in RULES}
