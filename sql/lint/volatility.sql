-- Lint: is any overload of these functions or operators VOLATILE? (unknown names come back absent)
-- A migration's expression is evaluated against the data only when every call it makes is
-- IMMUTABLE or STABLE, so evaluating it cannot have a side effect.
SELECT 'function' AS kind, p.proname::text AS name, bool_or(p.provolatile = 'v') AS volatile
  FROM pg_catalog.pg_proc AS p
 WHERE p.proname = ANY (CAST(:functions AS text[]))
 GROUP BY p.proname
UNION ALL
SELECT 'operator', o.oprname::text, bool_or(p.provolatile = 'v')
  FROM pg_catalog.pg_operator AS o
  JOIN pg_catalog.pg_proc AS p ON p.oid = o.oprcode
 WHERE o.oprname = ANY (CAST(:operators AS text[]))
 GROUP BY o.oprname;
