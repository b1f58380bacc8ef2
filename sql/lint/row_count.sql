-- Lint: the exact number of rows of a table a statement would scan, rewrite or drop.
SELECT count(*) AS rows FROM {table};
