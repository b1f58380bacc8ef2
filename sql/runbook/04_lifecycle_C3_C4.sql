-- C3 lifecycle and C4 one ACTIVE version per workspace.
-- Read-only. Run with: psql "$DATABASE_URL" -v ON_ERROR_STOP=1 -f sql/runbook/04_lifecycle_C3_C4.sql

BEGIN TRANSACTION READ ONLY;
SET LOCAL statement_timeout = '30s';

-- C3: statuses outside DRAFT/ACTIVE/ARCHIVED, ACTIVE without activated_at, non-positive versions (expect no rows)
SELECT id, workspace_id, version, status, activated_at,
       CASE WHEN status IS NULL OR status NOT IN ('DRAFT', 'ACTIVE', 'ARCHIVED') THEN 'illegal status'
            WHEN status = 'ACTIVE' AND activated_at IS NULL THEN 'ACTIVE without activated_at'
            ELSE 'version not positive' END AS problem
  FROM public.config_versions
 WHERE status IS NULL OR status NOT IN ('DRAFT', 'ACTIVE', 'ARCHIVED')
    OR (status = 'ACTIVE' AND activated_at IS NULL)
    OR version IS NULL OR version <= 0;

-- C3: a version number used twice in a workspace (expect no rows)
SELECT workspace_id, version, count(*) AS copies
  FROM public.config_versions GROUP BY 1, 2 HAVING count(*) > 1;

-- C4: every workspace with its ACTIVE count (expect active = 1 everywhere; 0 or 2+ is a finding)
SELECT w.id AS workspace_id, w.name,
       count(v.id) FILTER (WHERE v.status = 'ACTIVE') AS active,
       count(v.id) FILTER (WHERE v.status = 'DRAFT') AS draft,
       count(v.id) FILTER (WHERE v.status = 'ARCHIVED') AS archived
  FROM public.workspaces AS w
  LEFT JOIN public.config_versions AS v ON v.workspace_id = w.id
 GROUP BY w.id, w.name
 ORDER BY (count(v.id) FILTER (WHERE v.status = 'ACTIVE') = 1), w.name;

ROLLBACK;
