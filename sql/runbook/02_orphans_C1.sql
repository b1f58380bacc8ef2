-- C1.orphans: rows whose reference points at nothing, for all 46 expected references (target: 0 everywhere).
-- Generated from apms_ops/profiles/apms.toml; a NULL reference is not an orphan.
-- Read-only. Run with: psql "$DATABASE_URL" -v ON_ERROR_STOP=1 -f sql/runbook/02_orphans_C1.sql

BEGIN TRANSACTION READ ONLY;
SET LOCAL statement_timeout = '60s';
SET LOCAL lock_timeout = '2s';

SELECT 'config_versions.workspace_id -> workspaces.id' AS reference, count(*) AS orphans
  FROM public.config_versions AS c
 WHERE c.workspace_id IS NOT NULL
   AND NOT EXISTS (SELECT 1 FROM public.workspaces AS p WHERE p.id = c.workspace_id)
UNION ALL
SELECT 'config_versions.created_by -> users.id' AS reference, count(*) AS orphans
  FROM public.config_versions AS c
 WHERE c.created_by IS NOT NULL
   AND NOT EXISTS (SELECT 1 FROM public.users AS p WHERE p.id = c.created_by)
UNION ALL
SELECT 'master_departments.workspace_id -> workspaces.id' AS reference, count(*) AS orphans
  FROM public.master_departments AS c
 WHERE c.workspace_id IS NOT NULL
   AND NOT EXISTS (SELECT 1 FROM public.workspaces AS p WHERE p.id = c.workspace_id)
UNION ALL
SELECT 'master_departments.config_version_id -> config_versions.id' AS reference, count(*) AS orphans
  FROM public.master_departments AS c
 WHERE c.config_version_id IS NOT NULL
   AND NOT EXISTS (SELECT 1 FROM public.config_versions AS p WHERE p.id = c.config_version_id)
UNION ALL
SELECT 'master_positions.workspace_id -> workspaces.id' AS reference, count(*) AS orphans
  FROM public.master_positions AS c
 WHERE c.workspace_id IS NOT NULL
   AND NOT EXISTS (SELECT 1 FROM public.workspaces AS p WHERE p.id = c.workspace_id)
UNION ALL
SELECT 'master_positions.config_version_id -> config_versions.id' AS reference, count(*) AS orphans
  FROM public.master_positions AS c
 WHERE c.config_version_id IS NOT NULL
   AND NOT EXISTS (SELECT 1 FROM public.config_versions AS p WHERE p.id = c.config_version_id)
UNION ALL
SELECT 'master_roles.workspace_id -> workspaces.id' AS reference, count(*) AS orphans
  FROM public.master_roles AS c
 WHERE c.workspace_id IS NOT NULL
   AND NOT EXISTS (SELECT 1 FROM public.workspaces AS p WHERE p.id = c.workspace_id)
UNION ALL
SELECT 'master_roles.config_version_id -> config_versions.id' AS reference, count(*) AS orphans
  FROM public.master_roles AS c
 WHERE c.config_version_id IS NOT NULL
   AND NOT EXISTS (SELECT 1 FROM public.config_versions AS p WHERE p.id = c.config_version_id)
UNION ALL
SELECT 'master_approval_levels.workspace_id -> workspaces.id' AS reference, count(*) AS orphans
  FROM public.master_approval_levels AS c
 WHERE c.workspace_id IS NOT NULL
   AND NOT EXISTS (SELECT 1 FROM public.workspaces AS p WHERE p.id = c.workspace_id)
UNION ALL
SELECT 'master_approval_levels.config_version_id -> config_versions.id' AS reference, count(*) AS orphans
  FROM public.master_approval_levels AS c
 WHERE c.config_version_id IS NOT NULL
   AND NOT EXISTS (SELECT 1 FROM public.config_versions AS p WHERE p.id = c.config_version_id)
UNION ALL
SELECT 'master_approval_steps.workspace_id -> workspaces.id' AS reference, count(*) AS orphans
  FROM public.master_approval_steps AS c
 WHERE c.workspace_id IS NOT NULL
   AND NOT EXISTS (SELECT 1 FROM public.workspaces AS p WHERE p.id = c.workspace_id)
UNION ALL
SELECT 'master_approval_steps.config_version_id -> config_versions.id' AS reference, count(*) AS orphans
  FROM public.master_approval_steps AS c
 WHERE c.config_version_id IS NOT NULL
   AND NOT EXISTS (SELECT 1 FROM public.config_versions AS p WHERE p.id = c.config_version_id)
UNION ALL
SELECT 'master_document_categories.workspace_id -> workspaces.id' AS reference, count(*) AS orphans
  FROM public.master_document_categories AS c
 WHERE c.workspace_id IS NOT NULL
   AND NOT EXISTS (SELECT 1 FROM public.workspaces AS p WHERE p.id = c.workspace_id)
UNION ALL
SELECT 'master_document_categories.config_version_id -> config_versions.id' AS reference, count(*) AS orphans
  FROM public.master_document_categories AS c
 WHERE c.config_version_id IS NOT NULL
   AND NOT EXISTS (SELECT 1 FROM public.config_versions AS p WHERE p.id = c.config_version_id)
UNION ALL
SELECT 'master_document_types.workspace_id -> workspaces.id' AS reference, count(*) AS orphans
  FROM public.master_document_types AS c
 WHERE c.workspace_id IS NOT NULL
   AND NOT EXISTS (SELECT 1 FROM public.workspaces AS p WHERE p.id = c.workspace_id)
UNION ALL
SELECT 'master_document_types.config_version_id -> config_versions.id' AS reference, count(*) AS orphans
  FROM public.master_document_types AS c
 WHERE c.config_version_id IS NOT NULL
   AND NOT EXISTS (SELECT 1 FROM public.config_versions AS p WHERE p.id = c.config_version_id)
UNION ALL
SELECT 'master_priorities.workspace_id -> workspaces.id' AS reference, count(*) AS orphans
  FROM public.master_priorities AS c
 WHERE c.workspace_id IS NOT NULL
   AND NOT EXISTS (SELECT 1 FROM public.workspaces AS p WHERE p.id = c.workspace_id)
UNION ALL
SELECT 'master_priorities.config_version_id -> config_versions.id' AS reference, count(*) AS orphans
  FROM public.master_priorities AS c
 WHERE c.config_version_id IS NOT NULL
   AND NOT EXISTS (SELECT 1 FROM public.config_versions AS p WHERE p.id = c.config_version_id)
UNION ALL
SELECT 'master_sla_policies.workspace_id -> workspaces.id' AS reference, count(*) AS orphans
  FROM public.master_sla_policies AS c
 WHERE c.workspace_id IS NOT NULL
   AND NOT EXISTS (SELECT 1 FROM public.workspaces AS p WHERE p.id = c.workspace_id)
UNION ALL
SELECT 'master_sla_policies.config_version_id -> config_versions.id' AS reference, count(*) AS orphans
  FROM public.master_sla_policies AS c
 WHERE c.config_version_id IS NOT NULL
   AND NOT EXISTS (SELECT 1 FROM public.config_versions AS p WHERE p.id = c.config_version_id)
UNION ALL
SELECT 'master_escalation_rules.workspace_id -> workspaces.id' AS reference, count(*) AS orphans
  FROM public.master_escalation_rules AS c
 WHERE c.workspace_id IS NOT NULL
   AND NOT EXISTS (SELECT 1 FROM public.workspaces AS p WHERE p.id = c.workspace_id)
UNION ALL
SELECT 'master_escalation_rules.config_version_id -> config_versions.id' AS reference, count(*) AS orphans
  FROM public.master_escalation_rules AS c
 WHERE c.config_version_id IS NOT NULL
   AND NOT EXISTS (SELECT 1 FROM public.config_versions AS p WHERE p.id = c.config_version_id)
UNION ALL
SELECT 'master_form_templates.workspace_id -> workspaces.id' AS reference, count(*) AS orphans
  FROM public.master_form_templates AS c
 WHERE c.workspace_id IS NOT NULL
   AND NOT EXISTS (SELECT 1 FROM public.workspaces AS p WHERE p.id = c.workspace_id)
UNION ALL
SELECT 'master_form_templates.config_version_id -> config_versions.id' AS reference, count(*) AS orphans
  FROM public.master_form_templates AS c
 WHERE c.config_version_id IS NOT NULL
   AND NOT EXISTS (SELECT 1 FROM public.config_versions AS p WHERE p.id = c.config_version_id)
UNION ALL
SELECT 'master_form_fields.workspace_id -> workspaces.id' AS reference, count(*) AS orphans
  FROM public.master_form_fields AS c
 WHERE c.workspace_id IS NOT NULL
   AND NOT EXISTS (SELECT 1 FROM public.workspaces AS p WHERE p.id = c.workspace_id)
UNION ALL
SELECT 'master_form_fields.config_version_id -> config_versions.id' AS reference, count(*) AS orphans
  FROM public.master_form_fields AS c
 WHERE c.config_version_id IS NOT NULL
   AND NOT EXISTS (SELECT 1 FROM public.config_versions AS p WHERE p.id = c.config_version_id)
UNION ALL
SELECT 'master_notification_channels.workspace_id -> workspaces.id' AS reference, count(*) AS orphans
  FROM public.master_notification_channels AS c
 WHERE c.workspace_id IS NOT NULL
   AND NOT EXISTS (SELECT 1 FROM public.workspaces AS p WHERE p.id = c.workspace_id)
UNION ALL
SELECT 'master_notification_channels.config_version_id -> config_versions.id' AS reference, count(*) AS orphans
  FROM public.master_notification_channels AS c
 WHERE c.config_version_id IS NOT NULL
   AND NOT EXISTS (SELECT 1 FROM public.config_versions AS p WHERE p.id = c.config_version_id)
UNION ALL
SELECT 'master_notification_templates.workspace_id -> workspaces.id' AS reference, count(*) AS orphans
  FROM public.master_notification_templates AS c
 WHERE c.workspace_id IS NOT NULL
   AND NOT EXISTS (SELECT 1 FROM public.workspaces AS p WHERE p.id = c.workspace_id)
UNION ALL
SELECT 'master_notification_templates.config_version_id -> config_versions.id' AS reference, count(*) AS orphans
  FROM public.master_notification_templates AS c
 WHERE c.config_version_id IS NOT NULL
   AND NOT EXISTS (SELECT 1 FROM public.config_versions AS p WHERE p.id = c.config_version_id)
UNION ALL
SELECT 'master_holidays.workspace_id -> workspaces.id' AS reference, count(*) AS orphans
  FROM public.master_holidays AS c
 WHERE c.workspace_id IS NOT NULL
   AND NOT EXISTS (SELECT 1 FROM public.workspaces AS p WHERE p.id = c.workspace_id)
UNION ALL
SELECT 'master_holidays.config_version_id -> config_versions.id' AS reference, count(*) AS orphans
  FROM public.master_holidays AS c
 WHERE c.config_version_id IS NOT NULL
   AND NOT EXISTS (SELECT 1 FROM public.config_versions AS p WHERE p.id = c.config_version_id)
UNION ALL
SELECT 'master_positions.department_id -> master_departments.id' AS reference, count(*) AS orphans
  FROM public.master_positions AS c
 WHERE c.department_id IS NOT NULL
   AND NOT EXISTS (SELECT 1 FROM public.master_departments AS p WHERE p.id = c.department_id)
UNION ALL
SELECT 'master_approval_steps.approval_level_id -> master_approval_levels.id' AS reference, count(*) AS orphans
  FROM public.master_approval_steps AS c
 WHERE c.approval_level_id IS NOT NULL
   AND NOT EXISTS (SELECT 1 FROM public.master_approval_levels AS p WHERE p.id = c.approval_level_id)
UNION ALL
SELECT 'master_approval_steps.role_id -> master_roles.id' AS reference, count(*) AS orphans
  FROM public.master_approval_steps AS c
 WHERE c.role_id IS NOT NULL
   AND NOT EXISTS (SELECT 1 FROM public.master_roles AS p WHERE p.id = c.role_id)
UNION ALL
SELECT 'master_document_types.category_id -> master_document_categories.id' AS reference, count(*) AS orphans
  FROM public.master_document_types AS c
 WHERE c.category_id IS NOT NULL
   AND NOT EXISTS (SELECT 1 FROM public.master_document_categories AS p WHERE p.id = c.category_id)
UNION ALL
SELECT 'master_sla_policies.priority_id -> master_priorities.id' AS reference, count(*) AS orphans
  FROM public.master_sla_policies AS c
 WHERE c.priority_id IS NOT NULL
   AND NOT EXISTS (SELECT 1 FROM public.master_priorities AS p WHERE p.id = c.priority_id)
UNION ALL
SELECT 'master_escalation_rules.sla_policy_id -> master_sla_policies.id' AS reference, count(*) AS orphans
  FROM public.master_escalation_rules AS c
 WHERE c.sla_policy_id IS NOT NULL
   AND NOT EXISTS (SELECT 1 FROM public.master_sla_policies AS p WHERE p.id = c.sla_policy_id)
UNION ALL
SELECT 'master_escalation_rules.escalate_to_role_id -> master_roles.id' AS reference, count(*) AS orphans
  FROM public.master_escalation_rules AS c
 WHERE c.escalate_to_role_id IS NOT NULL
   AND NOT EXISTS (SELECT 1 FROM public.master_roles AS p WHERE p.id = c.escalate_to_role_id)
UNION ALL
SELECT 'master_form_templates.document_type_id -> master_document_types.id' AS reference, count(*) AS orphans
  FROM public.master_form_templates AS c
 WHERE c.document_type_id IS NOT NULL
   AND NOT EXISTS (SELECT 1 FROM public.master_document_types AS p WHERE p.id = c.document_type_id)
UNION ALL
SELECT 'master_form_fields.form_template_id -> master_form_templates.id' AS reference, count(*) AS orphans
  FROM public.master_form_fields AS c
 WHERE c.form_template_id IS NOT NULL
   AND NOT EXISTS (SELECT 1 FROM public.master_form_templates AS p WHERE p.id = c.form_template_id)
UNION ALL
SELECT 'master_notification_templates.channel_id -> master_notification_channels.id' AS reference, count(*) AS orphans
  FROM public.master_notification_templates AS c
 WHERE c.channel_id IS NOT NULL
   AND NOT EXISTS (SELECT 1 FROM public.master_notification_channels AS p WHERE p.id = c.channel_id)
UNION ALL
SELECT 'workflow_instances.config_version_id -> config_versions.id' AS reference, count(*) AS orphans
  FROM public.workflow_instances AS c
 WHERE c.config_version_id IS NOT NULL
   AND NOT EXISTS (SELECT 1 FROM public.config_versions AS p WHERE p.id = c.config_version_id)
UNION ALL
SELECT 'workflow_instances.current_step_id -> master_approval_steps.id' AS reference, count(*) AS orphans
  FROM public.workflow_instances AS c
 WHERE c.current_step_id IS NOT NULL
   AND NOT EXISTS (SELECT 1 FROM public.master_approval_steps AS p WHERE p.id = c.current_step_id)
UNION ALL
SELECT 'workflow_instances.workspace_id -> workspaces.id' AS reference, count(*) AS orphans
  FROM public.workflow_instances AS c
 WHERE c.workspace_id IS NOT NULL
   AND NOT EXISTS (SELECT 1 FROM public.workspaces AS p WHERE p.id = c.workspace_id)
UNION ALL
SELECT 'workflow_instances.started_by -> users.id' AS reference, count(*) AS orphans
  FROM public.workflow_instances AS c
 WHERE c.started_by IS NOT NULL
   AND NOT EXISTS (SELECT 1 FROM public.users AS p WHERE p.id = c.started_by)
ORDER BY orphans DESC, reference;

ROLLBACK;
