-- Primary keys, unique constraints, foreign keys and table CHECKs; for foreign
-- keys also their actions, MATCH and deferrability (pg_constraint's one-letter codes).
-- conparentid = 0 keeps one row per constraint: PostgreSQL clones an FK of a
-- partitioned table onto every partition, and an FK to a partitioned table once
-- per referenced partition. conrelid <> 0 leaves domain CHECKs out.
SELECT n.nspname                                        AS schema_name,
       c.relname                                        AS table_name,
       con.conname                                      AS constraint_name,
       con.contype                                      AS kind,
       con.convalidated                                 AS validated,
       ARRAY(SELECT a.attname
               FROM unnest(con.conkey) WITH ORDINALITY AS k(attnum, ord)
               JOIN pg_catalog.pg_attribute AS a ON a.attrelid = con.conrelid AND a.attnum = k.attnum
              ORDER BY k.ord)                           AS columns,
       fn.nspname                                       AS ref_schema,
       fc.relname                                       AS ref_table,
       ARRAY(SELECT a.attname
               FROM unnest(con.confkey) WITH ORDINALITY AS k(attnum, ord)
               JOIN pg_catalog.pg_attribute AS a ON a.attrelid = con.confrelid AND a.attnum = k.attnum
              ORDER BY k.ord)                           AS ref_columns,
       pg_catalog.pg_get_constraintdef(con.oid)         AS definition,
       con.confdeltype                                  AS on_delete,
       con.confupdtype                                  AS on_update,
       con.confmatchtype                                AS match_type,
       con.condeferrable                                AS deferrable,
       con.condeferred                                  AS deferred
  FROM pg_catalog.pg_constraint AS con
  JOIN pg_catalog.pg_class AS c ON c.oid = con.conrelid
  JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
  LEFT JOIN pg_catalog.pg_class AS fc ON fc.oid = con.confrelid
  LEFT JOIN pg_catalog.pg_namespace AS fn ON fn.oid = fc.relnamespace
 WHERE con.contype IN ('p', 'u', 'f', 'c')
   AND con.conrelid <> 0
   AND con.conparentid = 0
   AND (con.contype <> 'c' OR con.conislocal)
   AND c.relkind IN ('r', 'p')
   AND NOT c.relispartition
   AND n.nspname NOT IN ('pg_catalog', 'information_schema')
   AND n.nspname NOT LIKE 'pg\_toast%'
   AND n.nspname NOT LIKE 'pg\_temp\_%'
 ORDER BY n.nspname, c.relname, con.contype, con.conname;
