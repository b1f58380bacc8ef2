-- C2 type alignment: every table's id type, and each of the 46 APMS references against the key it references.
-- Read-only. Run with: psql "$DATABASE_URL" -v ON_ERROR_STOP=1 -f sql/runbook/03_types_C2.sql
-- No uuid assumption: the actual types are read from the catalog.

BEGIN TRANSACTION READ ONLY;
SET LOCAL statement_timeout = '30s';

-- C2.id_types: the primary key type of every table in public
SELECT c.relname AS table_name, a.attname AS id_column, pg_catalog.format_type(a.atttypid, a.atttypmod) AS id_type
  FROM pg_catalog.pg_constraint AS con
  JOIN pg_catalog.pg_class AS c ON c.oid = con.conrelid
  JOIN pg_catalog.pg_attribute AS a ON a.attrelid = c.oid AND a.attnum = con.conkey[1]
 WHERE con.contype = 'p' AND c.relnamespace = 'public'::regnamespace AND array_length(con.conkey, 1) = 1
 ORDER BY 3, 1;

-- C2.reference_types: reference columns and the type of the key they point at (mismatches first)
WITH refs(child, col, parent, pcol) AS (VALUES
    ('config_versions', 'workspace_id', 'workspaces', 'id'), ('config_versions', 'created_by', 'users', 'id'),
    ('workflow_instances', 'config_version_id', 'config_versions', 'id'),
    ('workflow_instances', 'current_step_id', 'master_approval_steps', 'id'),
    ('workflow_instances', 'workspace_id', 'workspaces', 'id'), ('workflow_instances', 'started_by', 'users', 'id'),
    ('master_positions', 'department_id', 'master_departments', 'id'),
    ('master_approval_steps', 'approval_level_id', 'master_approval_levels', 'id'),
    ('master_approval_steps', 'role_id', 'master_roles', 'id'),
    ('master_document_types', 'category_id', 'master_document_categories', 'id'),
    ('master_sla_policies', 'priority_id', 'master_priorities', 'id'),
    ('master_escalation_rules', 'sla_policy_id', 'master_sla_policies', 'id'),
    ('master_escalation_rules', 'escalate_to_role_id', 'master_roles', 'id'),
    ('master_form_templates', 'document_type_id', 'master_document_types', 'id'),
    ('master_form_fields', 'form_template_id', 'master_form_templates', 'id'),
    ('master_notification_templates', 'channel_id', 'master_notification_channels', 'id'))
, masters AS (
    SELECT c.relname AS child FROM pg_catalog.pg_class AS c
     WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r' AND c.relname LIKE 'master\_%')
, all_refs AS (
    SELECT * FROM refs
    UNION ALL SELECT child, 'workspace_id', 'workspaces', 'id' FROM masters
    UNION ALL SELECT child, 'config_version_id', 'config_versions', 'id' FROM masters)
SELECT r.child || '.' || r.col AS reference, r.parent || '.' || r.pcol AS referenced,
       pg_catalog.format_type(ca.atttypid, ca.atttypmod) AS column_type,
       pg_catalog.format_type(pa.atttypid, pa.atttypmod) AS referenced_type,
       ca.atttypid = pa.atttypid AND ca.atttypmod = pa.atttypmod AS aligned
  FROM all_refs AS r
  LEFT JOIN pg_catalog.pg_attribute AS ca ON ca.attrelid = to_regclass('public.' || quote_ident(r.child)) AND ca.attname = r.col
  LEFT JOIN pg_catalog.pg_attribute AS pa ON pa.attrelid = to_regclass('public.' || quote_ident(r.parent)) AND pa.attname = r.pcol
 ORDER BY aligned NULLS FIRST, 1;

ROLLBACK;
