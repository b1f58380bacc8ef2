-- Lint: a bounded sample of the rows counted by violations.sql.
SELECT to_jsonb(apms_ops_row) AS row
  FROM {table} AS apms_ops_row
 WHERE {condition}
 LIMIT {limit};
