-- Indexes with their key columns and, for partial indexes, their predicate; the
-- access method and each key as the server prints it (a column or an expression).
SELECT n.nspname                                        AS schema_name,
       c.relname                                        AS table_name,
       i.relname                                        AS index_name,
       x.indisunique                                    AS is_unique,
       x.indisprimary                                   AS is_primary,
       x.indisvalid                                     AS is_valid,
       ARRAY(SELECT COALESCE(a.attname, '(expression)')
               FROM pg_catalog.unnest(x.indkey::pg_catalog.int2[]) WITH ORDINALITY AS k(attnum, ord)
               LEFT JOIN pg_catalog.pg_attribute AS a ON a.attrelid = x.indrelid AND a.attnum = k.attnum
              WHERE k.ord <= x.indnkeyatts
              ORDER BY k.ord)                           AS columns,
       pg_catalog.pg_get_expr(x.indpred, x.indrelid)    AS predicate,
       pg_catalog.pg_get_indexdef(x.indexrelid)         AS definition,
       am.amname                                        AS method,
       ARRAY(SELECT pg_catalog.pg_get_indexdef(x.indexrelid, k.ord::int, true)
               FROM generate_series(1, x.indnkeyatts) AS k(ord)
              ORDER BY k.ord)                           AS keys
  FROM pg_catalog.pg_index AS x
  JOIN pg_catalog.pg_class AS i ON i.oid = x.indexrelid
  JOIN pg_catalog.pg_am AS am ON am.oid = i.relam
  JOIN pg_catalog.pg_class AS c ON c.oid = x.indrelid
  JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
 WHERE c.relkind IN ('r', 'p')
   AND NOT c.relispartition
   AND n.nspname NOT IN ('pg_catalog', 'information_schema')
   AND n.nspname NOT LIKE 'pg\_toast%'
   AND n.nspname NOT LIKE 'pg\_temp\_%'
 ORDER BY n.nspname, c.relname, i.relname;
