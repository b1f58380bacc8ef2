-- Lint: bytes of a table (heap and TOAST) and of its indexes, for the lock-time estimate.
SELECT pg_catalog.pg_table_size(c.oid)    AS table_bytes,
       pg_catalog.pg_indexes_size(c.oid)  AS index_bytes,
       c.reltuples::bigint                AS estimated_rows,
       c.relkind::text                    AS kind
  FROM pg_catalog.pg_class AS c
 WHERE c.oid = to_regclass(:name);
