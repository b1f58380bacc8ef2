-- Lint: what PostgreSQL needs to know to tell whether ALTER COLUMN ... TYPE rewrites the table:
-- the column's current type and typmod, the new type, the cast between them (b = binary coercible),
-- whether the new type is a domain with constraints, and whether the session's time zone is UTC
-- (timestamp <-> timestamptz needs no rewrite then).
SELECT a.atttypid::regtype::text                                   AS old_type,
       ot.typname::text                                            AS old_typname,
       a.atttypmod                                                 AS old_typmod,
       nt.oid IS NOT NULL                                          AS new_type_known,
       COALESCE(bt.typname, nt.typname)::text                      AS new_typname,
       (a.atttypid = COALESCE(bt.oid, nt.oid))                     AS same_type,
       (SELECT ca.castmethod::text FROM pg_catalog.pg_cast AS ca
         WHERE ca.castsource = a.atttypid AND ca.casttarget = COALESCE(bt.oid, nt.oid)) AS castmethod,
       (nt.typtype = 'd' AND EXISTS (SELECT 1 FROM pg_catalog.pg_constraint AS dc WHERE dc.contypid = nt.oid)) AS domain_checks,
       (SELECT bool_and(EXTRACT(timezone FROM t) = 0)
          FROM (VALUES (timestamptz '2024-01-15 12:00'), (timestamptz '2024-07-15 12:00')) AS v(t)) AS utc_session,
       current_setting('TimeZone')                                 AS timezone
  FROM pg_catalog.pg_attribute AS a
  JOIN pg_catalog.pg_type AS ot ON ot.oid = a.atttypid
  LEFT JOIN pg_catalog.pg_type AS nt ON nt.oid = to_regtype(:new_type)
  LEFT JOIN pg_catalog.pg_type AS bt ON bt.oid = nt.typbasetype AND nt.typtype = 'd'
 WHERE a.attrelid = to_regclass(:table)
   AND a.attname = :column
   AND NOT a.attisdropped;
