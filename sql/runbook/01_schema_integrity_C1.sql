-- C1 schema integrity for the APMS migration 20251229010228_add_master_tables_final_v2.
-- Read-only. Run with: psql "$DATABASE_URL" -v ON_ERROR_STOP=1 -f sql/runbook/01_schema_integrity_C1.sql
-- The apms-ops engine asks the same questions of every non-system schema at once
-- (sql/catalog/*.sql); these are the hand-run versions for the public schema.

BEGIN TRANSACTION READ ONLY;
SET LOCAL statement_timeout = '30s';
SET LOCAL lock_timeout = '2s';

-- C1.extensions: pgcrypto installed (target 1)
SELECT count(*) AS pgcrypto_installed FROM pg_catalog.pg_extension WHERE extname = 'pgcrypto';

-- C1.tables: the 16 tables the migration creates (target 16); missing ones listed
WITH expected(name) AS (VALUES ('config_versions'), ('master_departments'), ('master_positions'), ('master_roles'),
       ('master_approval_levels'), ('master_approval_steps'), ('master_document_categories'), ('master_document_types'),
       ('master_priorities'), ('master_sla_policies'), ('master_escalation_rules'), ('master_form_templates'),
       ('master_form_fields'), ('master_notification_channels'), ('master_notification_templates'), ('master_holidays'))
SELECT count(c.oid) AS tables_present, count(*) AS tables_expected,
       array_agg(e.name ORDER BY e.name) FILTER (WHERE c.oid IS NULL) AS missing
  FROM expected AS e
  LEFT JOIN pg_catalog.pg_class AS c
         ON c.relname = e.name AND c.relkind IN ('r', 'p')
        AND c.relnamespace = 'public'::regnamespace;

-- C1.foreign_keys: foreign keys declared on the APMS tables (target 46), one row per FK
SELECT con.conrelid::regclass AS table_name, con.conname, pg_catalog.pg_get_constraintdef(con.oid) AS definition,
       con.convalidated AS validated
  FROM pg_catalog.pg_constraint AS con
 WHERE con.contype = 'f' AND con.conparentid = 0
   AND con.conrelid::regclass::text IN (SELECT relname FROM pg_catalog.pg_class
                                         WHERE relnamespace = 'public'::regnamespace
                                           AND (relname LIKE 'master\_%' OR relname IN ('config_versions', 'workflow_instances')))
 ORDER BY 1, 2;

-- C1.critical_foreign_keys: config_versions.workspace_id and every config_version_id (target 17),
-- each pointing at the designed table, refusing deletes (ON DELETE RESTRICT or NO ACTION) and validated
SELECT c.relname AS table_name, a.attname AS column_name, con.conname IS NOT NULL AS has_fk,
       con.confrelid::regclass AS references_table,
       CASE con.confdeltype WHEN 'a' THEN 'NO ACTION' WHEN 'r' THEN 'RESTRICT' WHEN 'c' THEN 'CASCADE'
                            WHEN 'n' THEN 'SET NULL' WHEN 'd' THEN 'SET DEFAULT' END AS on_delete,
       con.condeferrable AS deferrable, con.convalidated AS validated
  FROM pg_catalog.pg_class AS c
  JOIN pg_catalog.pg_attribute AS a ON a.attrelid = c.oid AND NOT a.attisdropped
  LEFT JOIN pg_catalog.pg_constraint AS con
         ON con.contype = 'f' AND con.conrelid = c.oid AND con.conkey = ARRAY[a.attnum]
 WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p')
   AND (a.attname = 'config_version_id' OR (c.relname = 'config_versions' AND a.attname = 'workspace_id'))
 ORDER BY has_fk, 1;

-- C1.check_constraints: table CHECKs on the APMS tables (target 22), with definitions
SELECT con.conrelid::regclass AS table_name, con.conname, pg_catalog.pg_get_constraintdef(con.oid) AS definition
  FROM pg_catalog.pg_constraint AS con
  JOIN pg_catalog.pg_class AS c ON c.oid = con.conrelid
 WHERE con.contype = 'c' AND c.relnamespace = 'public'::regnamespace
   AND (c.relname LIKE 'master\_%' OR c.relname IN ('config_versions', 'workflow_instances'))
 ORDER BY 1, 2;

-- C1.partial_unique_index: UNIQUE (workspace_id) WHERE status = 'ACTIVE' on config_versions (target 1);
-- every index of that name or partial on the table, so a non-unique or INVALID one shows too
SELECT i.relname AS index_name, x.indisunique AS is_unique, x.indisvalid AS valid,
       pg_catalog.pg_get_indexdef(x.indexrelid) AS definition
  FROM pg_catalog.pg_index AS x
  JOIN pg_catalog.pg_class AS i ON i.oid = x.indexrelid
 WHERE x.indrelid = 'public.config_versions'::regclass
   AND (x.indpred IS NOT NULL OR i.relname = 'config_versions_one_active_per_workspace');

-- C1.migrations: the migration history, latest last
SELECT migration_name, started_at, finished_at, rolled_back_at,
       CASE WHEN rolled_back_at IS NOT NULL THEN 'rolled back' WHEN finished_at IS NULL THEN 'failed' ELSE 'applied' END AS state
  FROM public._prisma_migrations ORDER BY started_at;

ROLLBACK;
