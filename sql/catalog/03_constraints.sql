-- Primary keys, unique constraints, foreign keys and table CHECKs; for foreign
-- keys also their actions, MATCH and deferrability (pg_constraint's one-letter codes).
-- conparentid = 0 keeps one row per constraint: PostgreSQL clones an FK of a
-- partitioned table onto every partition, and an FK to a partitioned table once
-- per referenced partition. conrelid <> 0 leaves domain CHECKs out.
-- The second part reads foreign keys declared on every leaf partition of a
-- partitioned table but not on the table itself: each partition enforces the
-- reference, so it stands for the partitioned table (on_partitions counts them).
SELECT n.nspname                                        AS schema_name,
       c.relname                                        AS table_name,
       con.conname                                      AS constraint_name,
       con.contype                                      AS kind,
       con.convalidated                                 AS validated,
       ARRAY(SELECT a.attname
               FROM pg_catalog.unnest(con.conkey) WITH ORDINALITY AS k(attnum, ord)
               JOIN pg_catalog.pg_attribute AS a ON a.attrelid = con.conrelid AND a.attnum = k.attnum
              ORDER BY k.ord)                           AS columns,
       fn.nspname                                       AS ref_schema,
       fc.relname                                       AS ref_table,
       ARRAY(SELECT a.attname
               FROM pg_catalog.unnest(con.confkey) WITH ORDINALITY AS k(attnum, ord)
               JOIN pg_catalog.pg_attribute AS a ON a.attrelid = con.confrelid AND a.attnum = k.attnum
              ORDER BY k.ord)                           AS ref_columns,
       pg_catalog.pg_get_constraintdef(con.oid)         AS definition,
       con.confdeltype                                  AS on_delete,
       con.confupdtype                                  AS on_update,
       con.confmatchtype                                AS match_type,
       con.condeferrable                                AS deferrable,
       con.condeferred                                  AS deferred,
       NULL::integer                                    AS on_partitions
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
 UNION ALL
SELECT schema_name, table_name, min(constraint_name), 'f', bool_and(validated), columns,
       ref_schema, ref_table, ref_columns, min(definition),
       on_delete, on_update, match_type, is_deferrable, is_deferred, count(DISTINCT partition_oid)::integer
  FROM (SELECT rn.nspname AS schema_name, root.relname AS table_name, root.oid AS root_oid,
               con.conname AS constraint_name, con.convalidated AS validated, con.conrelid AS partition_oid,
               ARRAY(SELECT a.attname
                       FROM unnest(con.conkey) WITH ORDINALITY AS k(attnum, ord)
                       JOIN pg_catalog.pg_attribute AS a ON a.attrelid = con.conrelid AND a.attnum = k.attnum
                      ORDER BY k.ord) AS columns,
               fn.nspname AS ref_schema, fc.relname AS ref_table,
               ARRAY(SELECT a.attname
                       FROM unnest(con.confkey) WITH ORDINALITY AS k(attnum, ord)
                       JOIN pg_catalog.pg_attribute AS a ON a.attrelid = con.confrelid AND a.attnum = k.attnum
                      ORDER BY k.ord) AS ref_columns,
               pg_catalog.pg_get_constraintdef(con.oid) AS definition,
               con.confdeltype AS on_delete, con.confupdtype AS on_update, con.confmatchtype AS match_type,
               con.condeferrable AS is_deferrable, con.condeferred AS is_deferred
          FROM pg_catalog.pg_class AS root
          JOIN pg_catalog.pg_namespace AS rn ON rn.oid = root.relnamespace
          CROSS JOIN LATERAL pg_catalog.pg_partition_tree(root.oid) AS t
          JOIN pg_catalog.pg_constraint AS con ON con.conrelid = t.relid AND con.contype = 'f' AND con.conparentid = 0
          JOIN pg_catalog.pg_class AS fc ON fc.oid = con.confrelid
          JOIN pg_catalog.pg_namespace AS fn ON fn.oid = fc.relnamespace
         WHERE root.relkind = 'p' AND NOT root.relispartition AND t.isleaf
           AND rn.nspname NOT IN ('pg_catalog', 'information_schema')) AS on_partition
 GROUP BY schema_name, table_name, root_oid, columns, ref_schema, ref_table, ref_columns,
          on_delete, on_update, match_type, is_deferrable, is_deferred
HAVING count(DISTINCT partition_oid) = (SELECT count(*) FROM pg_catalog.pg_partition_tree(root_oid) AS l WHERE l.isleaf)
 ORDER BY 1, 2, 4, 3;
