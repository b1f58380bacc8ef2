-- Lint: keys a new unique index or constraint would find more than once (NULLs are distinct unless
-- the index says NULLS NOT DISTINCT), and the rows that hold them.
SELECT count(*) AS groups, COALESCE(sum(d.copies), 0)::bigint AS rows
  FROM (SELECT count(*) AS copies
          FROM {table} AS apms_ops_row
         WHERE {condition}
         GROUP BY {keys}
        HAVING count(*) > 1) AS d;
