-- Lint: how many rows meet a condition (rows a constraint would reject, values a statement would lose).
-- {condition} is built from driver-quoted identifiers and, for expressions taken from a migration,
-- pglast's re-rendering of one parsed expression (see apms_ops/lint/safe_expression.py).
SELECT count(*) AS violating
  FROM {table} AS apms_ops_row
 WHERE {condition};
