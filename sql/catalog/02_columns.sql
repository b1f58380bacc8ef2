-- Every ordinary and partitioned table outside system schemas, with its columns.
-- Partitions are left out (their parent stands for them), and so are tables an
-- extension owns (they are not the application's schema). A partitioned table
-- lists its leaf partitions: SQL that fixes it is written partition by partition.
SELECT n.nspname                                        AS schema_name,
       c.relname                                        AS table_name,
       c.relkind                                        AS kind,
       c.reltuples::bigint                              AS estimated_rows,
       a.attnum                                         AS position,
       a.attname                                        AS column_name,
       pg_catalog.format_type(a.atttypid, a.atttypmod)  AS data_type,
       a.attnotnull                                     AS not_null,
       CASE WHEN c.relkind = 'p' THEN
            (SELECT json_agg(json_build_array(pn.nspname, pc.relname) ORDER BY pn.nspname, pc.relname)
               FROM pg_catalog.pg_partition_tree(c.oid) AS t
               JOIN pg_catalog.pg_class AS pc ON pc.oid = t.relid
               JOIN pg_catalog.pg_namespace AS pn ON pn.oid = pc.relnamespace
              WHERE t.isleaf)
       END                                              AS partitions
  FROM pg_catalog.pg_class AS c
  JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
  LEFT JOIN pg_catalog.pg_attribute AS a
         ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
 WHERE c.relkind IN ('r', 'p')
   AND NOT c.relispartition
   AND n.nspname NOT IN ('pg_catalog', 'information_schema')
   AND n.nspname NOT LIKE 'pg\_toast%'
   AND n.nspname NOT LIKE 'pg\_temp\_%'
   AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend AS d
                    WHERE d.classid = 'pg_catalog.pg_class'::regclass
                      AND d.objid = c.oid AND d.deptype = 'e')
 ORDER BY n.nspname, c.relname, a.attnum;
