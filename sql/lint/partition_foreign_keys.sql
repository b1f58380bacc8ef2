-- Lint: the leaf partitions of a partitioned table, and whether each already has a validated
-- foreign key on these columns to this table. When all do, ADD FOREIGN KEY on the parent
-- attaches them instead of scanning.
SELECT n.nspname::text AS schema_name, c.relname::text AS table_name,
       EXISTS (SELECT 1
                 FROM pg_catalog.pg_constraint AS con
                WHERE con.conrelid = c.oid AND con.contype = 'f' AND con.convalidated
                  AND con.confrelid = to_regclass(:referenced)
                  AND ARRAY(SELECT a.attname::text
                              FROM unnest(con.conkey) WITH ORDINALITY AS k(attnum, ord)
                              JOIN pg_catalog.pg_attribute AS a ON a.attrelid = con.conrelid AND a.attnum = k.attnum
                             ORDER BY k.ord) = CAST(:columns AS text[])) AS has_validated_fk
  FROM pg_catalog.pg_partition_tree(to_regclass(:name)) AS t
  JOIN pg_catalog.pg_class AS c ON c.oid = t.relid
  JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
 WHERE t.isleaf;
