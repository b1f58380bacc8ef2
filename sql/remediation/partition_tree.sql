-- Remediation: the partitions of a partitioned table at every level, with their parent, for the
-- forms PostgreSQL accepts there: foreign keys added NOT VALID and validated per leaf partition,
-- indexes created ON ONLY each partitioned level, built CONCURRENTLY per leaf and attached upwards.
SELECT n.nspname::text AS schema_name, c.relname::text AS table_name,
       pn.nspname::text AS parent_schema, pc.relname::text AS parent_table,
       t.isleaf AS is_leaf, t.level
  FROM pg_catalog.pg_partition_tree(to_regclass(:name)) AS t
  JOIN pg_catalog.pg_class AS c ON c.oid = t.relid
  JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
  LEFT JOIN pg_catalog.pg_class AS pc ON pc.oid = t.parentrelid
  LEFT JOIN pg_catalog.pg_namespace AS pn ON pn.oid = pc.relnamespace
 WHERE t.level > 0
 ORDER BY t.level, 1, 2;
