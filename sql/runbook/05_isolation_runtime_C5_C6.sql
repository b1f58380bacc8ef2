-- C5 isolation and C6 runtime.
-- Read-only. Run with: psql "$DATABASE_URL" -v ON_ERROR_STOP=1 -f sql/runbook/05_isolation_runtime_C5_C6.sql

BEGIN TRANSACTION READ ONLY;
SET LOCAL statement_timeout = '60s';

-- C5: rows whose referenced config version, master row or step belongs to another workspace (expect 0 everywhere)
SELECT 'workflow_instances.config_version_id' AS reference, count(*) AS cross_workspace
  FROM public.workflow_instances AS c JOIN public.config_versions AS p ON p.id = c.config_version_id
 WHERE c.workspace_id IS DISTINCT FROM p.workspace_id
UNION ALL
SELECT 'workflow_instances.current_step_id', count(*)
  FROM public.workflow_instances AS c JOIN public.master_approval_steps AS p ON p.id = c.current_step_id
 WHERE c.workspace_id IS DISTINCT FROM p.workspace_id
UNION ALL
SELECT 'master_positions.department_id', count(*)
  FROM public.master_positions AS c JOIN public.master_departments AS p ON p.id = c.department_id
 WHERE c.workspace_id IS DISTINCT FROM p.workspace_id
UNION ALL
SELECT 'master_approval_steps.approval_level_id', count(*)
  FROM public.master_approval_steps AS c JOIN public.master_approval_levels AS p ON p.id = c.approval_level_id
 WHERE c.workspace_id IS DISTINCT FROM p.workspace_id
UNION ALL
SELECT 'master_approval_steps.role_id', count(*)
  FROM public.master_approval_steps AS c JOIN public.master_roles AS p ON p.id = c.role_id
 WHERE c.workspace_id IS DISTINCT FROM p.workspace_id
UNION ALL
SELECT 'master_escalation_rules.sla_policy_id', count(*)
  FROM public.master_escalation_rules AS c JOIN public.master_sla_policies AS p ON p.id = c.sla_policy_id
 WHERE c.workspace_id IS DISTINCT FROM p.workspace_id
ORDER BY 2 DESC;
-- (apms-ops audits every workspace-scoped reference, 27 on the APMS schema: C5.isolation.)

-- C6: RUNNING or PENDING workflow instances frozen to a DRAFT version (expect no rows)
SELECT i.id AS instance, i.status, v.id AS config_version, v.workspace_id, v.version
  FROM public.workflow_instances AS i
  JOIN public.config_versions AS v ON v.id = i.config_version_id
 WHERE i.status IN ('RUNNING', 'PENDING') AND v.status = 'DRAFT';

ROLLBACK;
