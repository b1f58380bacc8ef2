-- Migrations page and C1.migrations: the migration history table (Prisma's shape).
SELECT m.migration_name::text                                        AS migration,
       m.started_at,
       m.finished_at,
       m.rolled_back_at,
       m.applied_steps_count                                         AS applied_steps,
       CASE WHEN m.rolled_back_at IS NOT NULL THEN 'rolled back'
            WHEN m.finished_at IS NULL THEN 'failed'
            ELSE 'applied' END                                       AS state,
       pg_catalog.round((extract(epoch FROM m.finished_at - m.started_at) * 1000)::numeric, 0) AS duration_ms,
       pg_catalog."left"(m.logs, 500)                                             AS logs
  FROM {migrations} AS m
 ORDER BY m.started_at, m.migration_name;
