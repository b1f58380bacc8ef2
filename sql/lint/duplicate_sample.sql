-- Lint: the most repeated keys found by duplicates.sql, bounded.
SELECT to_jsonb(ARRAY[{keys_text}]) AS key, count(*) AS copies
  FROM {table} AS apms_ops_row
 WHERE {condition}
 GROUP BY {keys}
HAVING count(*) > 1
 ORDER BY count(*) DESC
 LIMIT {limit};
