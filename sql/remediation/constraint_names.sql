-- Remediation: constraint names in use on the given tables (partitions included, which the
-- catalog snapshot leaves out), so a fix never collides with a constraint already there.
SELECT n.nspname::text AS schema_name, c.relname::text AS table_name, con.conname::text AS name,
       con.contype::text AS kind, pg_catalog.pg_get_constraintdef(con.oid) AS definition
  FROM pg_catalog.pg_constraint AS con
  JOIN pg_catalog.pg_class AS c ON c.oid = con.conrelid
  JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
 WHERE con.conrelid = ANY (CAST(:tables AS regclass[]));
