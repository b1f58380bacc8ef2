-- APMS demo data: 4 workspaces, 8 users, 3 config versions per workspace
-- (v1 ARCHIVED, v2 ACTIVE, v3 DRAFT), 2-5 rows per version in each of the 15
-- master tables, workflow instances frozen to v1 and v2, and the Prisma
-- migration history ending with 20251229010228_add_master_tables_final_v2.
--
-- The data satisfies EVERY rule of the intended design, so it loads after
-- either constraints file; against the staging constraints it is the "clean
-- but unprotected" baseline that invariant tests then try to break.
--
-- Fully deterministic: no random(), no now(); fixed UTC timestamps between
-- 2025-12-01 and 2025-12-29; ids are md5 hashes of readable keys
-- (md5(...)::uuid::text for text ids, md5('ws:'||n)::uuid for workspaces), so
-- every load produces the same ids. md5() and sha256() are core PostgreSQL:
-- nothing here needs pgcrypto.
--
-- Parents are inserted before children. Master-to-master references are
-- resolved by joining the parent table on (config_version_id, code), so a
-- child always points at the parent row of its own config version and
-- workspace. No BEGIN/COMMIT: the caller decides the transaction.

-- ---------------------------------------------------------------------------
-- Workspaces and users
-- ---------------------------------------------------------------------------

INSERT INTO workspaces (id, name, created_at)
SELECT md5('ws:' || w.n)::uuid, w.name,
       timestamptz '2025-12-01 08:00:00+00' + (w.n - 1) * interval '15 minutes'
FROM (VALUES (1, 'Acme Procurement'),
             (2, 'Northwind Finance'),
             (3, 'Globex HR'),
             (4, 'Initech Legal')) AS w(n, name);

-- Users are global (no workspace column); users 2n-1 and 2n work for
-- workspace n, which is how config versions and instances pick their users.
INSERT INTO users (id, email, display_name, created_at)
SELECT md5('user:' || u.n)::uuid::text, u.email, u.display_name,
       timestamptz '2025-12-01 08:30:00+00' + (u.n - 1) * interval '5 minutes'
FROM (VALUES (1, 'alice.nguyen@acme-procurement.example',   'Alice Nguyen'),
             (2, 'bob.martinez@acme-procurement.example',   'Bob Martinez'),
             (3, 'carol.schmidt@northwind-finance.example', 'Carol Schmidt'),
             (4, 'david.okafor@northwind-finance.example',  'David Okafor'),
             (5, 'eva.lindqvist@globex-hr.example',         'Eva Lindqvist'),
             (6, 'farid.haddad@globex-hr.example',          'Farid Haddad'),
             (7, 'grace.kim@initech-legal.example',         'Grace Kim'),
             (8, 'henry.walsh@initech-legal.example',       'Henry Walsh')) AS u(n, email, display_name);

-- ---------------------------------------------------------------------------
-- Config versions: per workspace v1 ARCHIVED, v2 ACTIVE, v3 DRAFT.
-- Archived and active versions carry activated_at; the draft does not.
-- Exactly one ACTIVE per workspace (partial unique index).
-- ---------------------------------------------------------------------------

INSERT INTO config_versions (id, workspace_id, version, status, created_by, created_at, activated_at)
SELECT md5('cv:' || w.n || ':' || v.version)::uuid::text,
       md5('ws:' || w.n)::uuid,
       v.version,
       v.status,
       md5('user:' || (2 * w.n - 1 + (v.version + 1) % 2))::uuid::text,  -- v1,v3: 1st user; v2: 2nd user of the workspace
       v.created_at   + (w.n - 1) * interval '30 minutes',
       v.activated_at + (w.n - 1) * interval '30 minutes'               -- NULL stays NULL for the draft
FROM generate_series(1, 4) AS w(n)
CROSS JOIN (VALUES
    (1, 'ARCHIVED', timestamptz '2025-12-01 09:00:00+00', timestamptz '2025-12-02 09:00:00+00'),
    (2, 'ACTIVE',   timestamptz '2025-12-10 10:00:00+00', timestamptz '2025-12-12 09:00:00+00'),
    (3, 'DRAFT',    timestamptz '2025-12-27 14:00:00+00', NULL::timestamptz)
) AS v(version, status, created_at, activated_at);

-- ---------------------------------------------------------------------------
-- Master tables. Each catalogue row has since_v = the first config version
-- that contains it, so the configuration grows v1 -> v2 -> v3 like a real
-- one (a row is copied into every version >= since_v). Row ids:
-- md5('<table>:' || config_version_id || ':' || code). created_at is a few
-- minutes after the owning version was created.
-- ---------------------------------------------------------------------------

-- Departments: v1 3, v2 4, v3 5 (codes match ^[A-Z0-9_]+$)
INSERT INTO master_departments (id, workspace_id, config_version_id, code, name, is_active, created_at)
SELECT md5('master_departments:' || cv.id || ':' || r.code)::uuid::text,
       cv.workspace_id, cv.id, r.code, r.name, true,
       cv.created_at + interval '5 minutes'
FROM config_versions cv
JOIN (VALUES (1, 'FINANCE',     'Finance'),
             (1, 'HR',          'Human Resources'),
             (1, 'PROCUREMENT', 'Procurement'),
             (2, 'LEGAL',       'Legal'),
             (3, 'IT_OPS',      'IT Operations')) AS r(since_v, code, name)
  ON r.since_v <= cv.version;

-- Positions: v1 3, v2 5, v3 5; department looked up in the same version
INSERT INTO master_positions (id, workspace_id, config_version_id, code, name, is_active, created_at, department_id, grade)
SELECT md5('master_positions:' || cv.id || ':' || r.code)::uuid::text,
       cv.workspace_id, cv.id, r.code, r.name, true,
       cv.created_at + interval '6 minutes', d.id, r.grade
FROM config_versions cv
JOIN (VALUES (1, 'CFO',        'Chief Financial Officer', 'FINANCE',     18),
             (1, 'AP_CLERK',   'Accounts Payable Clerk',  'FINANCE',      4),
             (1, 'HR_MANAGER', 'HR Manager',              'HR',          12),
             (2, 'BUYER',      'Buyer',                   'PROCUREMENT',  7),
             (2, 'COUNSEL',    'Legal Counsel',           'LEGAL',       14)) AS r(since_v, code, name, dept_code, grade)
  ON r.since_v <= cv.version
JOIN master_departments d ON d.config_version_id = cv.id AND d.code = r.dept_code;

-- Roles: v1 2, v2 3, v3 4 (codes match ^[A-Z0-9_]+$)
INSERT INTO master_roles (id, workspace_id, config_version_id, code, name, is_active, created_at)
SELECT md5('master_roles:' || cv.id || ':' || r.code)::uuid::text,
       cv.workspace_id, cv.id, r.code, r.name, true,
       cv.created_at + interval '7 minutes'
FROM config_versions cv
JOIN (VALUES (1, 'REQUESTER',     'Requester'),
             (1, 'APPROVER',      'Approver'),
             (2, 'FINANCE_ADMIN', 'Finance Administrator'),
             (3, 'AUDITOR',       'Auditor')) AS r(since_v, code, name)
  ON r.since_v <= cv.version;

-- Approval levels: v1 2, v2 3, v3 4 (level_no 1..10)
INSERT INTO master_approval_levels (id, workspace_id, config_version_id, code, name, is_active, created_at, level_no)
SELECT md5('master_approval_levels:' || cv.id || ':' || r.code)::uuid::text,
       cv.workspace_id, cv.id, r.code, r.name, true,
       cv.created_at + interval '8 minutes', r.level_no
FROM config_versions cv
JOIN (VALUES (1, 'L1', 'Team Lead',        1),
             (1, 'L2', 'Department Head',  2),
             (2, 'L3', 'Finance Director', 3),
             (3, 'L4', 'Executive',        4)) AS r(since_v, code, name, level_no)
  ON r.since_v <= cv.version;

-- Approval steps: v1 3, v2 4, v3 5; level and role looked up in the same version
INSERT INTO master_approval_steps (id, workspace_id, config_version_id, code, name, is_active, created_at,
                                   approval_level_id, role_id, step_order)
SELECT md5('master_approval_steps:' || cv.id || ':' || r.code)::uuid::text,
       cv.workspace_id, cv.id, r.code, r.name, true,
       cv.created_at + interval '9 minutes', l.id, ro.id, r.step_order
FROM config_versions cv
JOIN (VALUES (1, 'SUBMIT',        'Submit request',      'L1', 'REQUESTER',     1),
             (1, 'TEAM_REVIEW',   'Team lead review',    'L1', 'APPROVER',      2),
             (1, 'DEPT_APPROVAL', 'Department approval', 'L2', 'APPROVER',      3),
             (2, 'FINANCE_CHECK', 'Finance check',       'L3', 'FINANCE_ADMIN', 4),
             (3, 'EXEC_SIGNOFF',  'Executive sign-off',  'L4', 'APPROVER',      5)) AS r(since_v, code, name, level_code, role_code, step_order)
  ON r.since_v <= cv.version
JOIN master_approval_levels l ON l.config_version_id = cv.id AND l.code = r.level_code
JOIN master_roles ro          ON ro.config_version_id = cv.id AND ro.code = r.role_code;

-- Document categories: v1 2, v2 3, v3 3 (code <> '')
INSERT INTO master_document_categories (id, workspace_id, config_version_id, code, name, is_active, created_at)
SELECT md5('master_document_categories:' || cv.id || ':' || r.code)::uuid::text,
       cv.workspace_id, cv.id, r.code, r.name, true,
       cv.created_at + interval '10 minutes'
FROM config_versions cv
JOIN (VALUES (1, 'CONTRACTS', 'Contracts'),
             (1, 'INVOICES',  'Invoices'),
             (2, 'POLICIES',  'Policies')) AS r(since_v, code, name)
  ON r.since_v <= cv.version;

-- Document types: v1 3, v2 5, v3 5 (retention_days >= 0); category from the same version
INSERT INTO master_document_types (id, workspace_id, config_version_id, code, name, is_active, created_at,
                                   category_id, retention_days)
SELECT md5('master_document_types:' || cv.id || ':' || r.code)::uuid::text,
       cv.workspace_id, cv.id, r.code, r.name, true,
       cv.created_at + interval '11 minutes', c.id, r.retention_days
FROM config_versions cv
JOIN (VALUES (1, 'SUPPLIER_INVOICE', 'Supplier invoice',          'INVOICES',  2555),
             (1, 'EXPENSE_CLAIM',    'Expense claim',             'INVOICES',  1825),
             (1, 'NDA',              'Non-disclosure agreement',  'CONTRACTS', 3650),
             (2, 'MSA',              'Master services agreement', 'CONTRACTS', 3650),
             (2, 'TRAVEL_POLICY',    'Travel policy',             'POLICIES',   365)) AS r(since_v, code, name, category_code, retention_days)
  ON r.since_v <= cv.version
JOIN master_document_categories c ON c.config_version_id = cv.id AND c.code = r.category_code;

-- Priorities: v1 3, v2 4, v3 4 (rank 1..5, 1 = most urgent)
INSERT INTO master_priorities (id, workspace_id, config_version_id, code, name, is_active, created_at, rank)
SELECT md5('master_priorities:' || cv.id || ':' || r.code)::uuid::text,
       cv.workspace_id, cv.id, r.code, r.name, true,
       cv.created_at + interval '12 minutes', r.rank
FROM config_versions cv
JOIN (VALUES (2, 'CRITICAL', 'Critical', 1),
             (1, 'HIGH',     'High',     2),
             (1, 'MEDIUM',   'Medium',   3),
             (1, 'LOW',      'Low',      4)) AS r(since_v, code, name, rank)
  ON r.since_v <= cv.version;

-- SLA policies: v1 3, v2 4, v3 4 (response_hours > 0, resolution >= response).
-- until_v lets a row change between versions: the v3 draft tightens SLA_HIGH,
-- while v1/v2 keep their values (what "freeze by reference" protects).
INSERT INTO master_sla_policies (id, workspace_id, config_version_id, code, name, is_active, created_at,
                                 priority_id, response_hours, resolution_hours)
SELECT md5('master_sla_policies:' || cv.id || ':' || r.code)::uuid::text,
       cv.workspace_id, cv.id, r.code, r.name, true,
       cv.created_at + interval '13 minutes', p.id, r.response_hours, r.resolution_hours
FROM config_versions cv
JOIN (VALUES (1, 2,    'SLA_HIGH',     'High priority SLA',      'HIGH',      4,  24),
             (3, NULL, 'SLA_HIGH',     'High priority SLA',      'HIGH',      2,  16),
             (1, NULL, 'SLA_MEDIUM',   'Medium priority SLA',    'MEDIUM',    8,  72),
             (1, NULL, 'SLA_LOW',      'Low priority SLA',       'LOW',      24, 168),
             (2, NULL, 'SLA_CRITICAL', 'Critical priority SLA',  'CRITICAL',  1,   8)) AS r(since_v, until_v, code, name, priority_code, response_hours, resolution_hours)
  ON r.since_v <= cv.version AND (r.until_v IS NULL OR cv.version <= r.until_v)
JOIN master_priorities p ON p.config_version_id = cv.id AND p.code = r.priority_code;

-- Escalation rules: v1 2, v2 3, v3 4 (after_hours > 0); SLA policy and role from the same version
INSERT INTO master_escalation_rules (id, workspace_id, config_version_id, code, name, is_active, created_at,
                                     sla_policy_id, escalate_to_role_id, after_hours)
SELECT md5('master_escalation_rules:' || cv.id || ':' || r.code)::uuid::text,
       cv.workspace_id, cv.id, r.code, r.name, true,
       cv.created_at + interval '14 minutes', s.id, ro.id, r.after_hours
FROM config_versions cv
JOIN (VALUES (1, 'ESC_HIGH_APPROVER',   'Escalate high to approver',      'SLA_HIGH',     'APPROVER',       12),
             (1, 'ESC_MEDIUM_APPROVER', 'Escalate medium to approver',    'SLA_MEDIUM',   'APPROVER',       48),
             (2, 'ESC_CRITICAL_FIN',    'Escalate critical to finance',   'SLA_CRITICAL', 'FINANCE_ADMIN',   4),
             (3, 'ESC_LOW_AUDITOR',     'Escalate low to auditor',        'SLA_LOW',      'AUDITOR',       120)) AS r(since_v, code, name, sla_code, role_code, after_hours)
  ON r.since_v <= cv.version
JOIN master_sla_policies s ON s.config_version_id = cv.id AND s.code = r.sla_code
JOIN master_roles ro       ON ro.config_version_id = cv.id AND ro.code = r.role_code;

-- Form templates: v1 2, v2 3, v3 3 (version_no > 0); document type from the same version
INSERT INTO master_form_templates (id, workspace_id, config_version_id, code, name, is_active, created_at,
                                   document_type_id, version_no)
SELECT md5('master_form_templates:' || cv.id || ':' || r.code)::uuid::text,
       cv.workspace_id, cv.id, r.code, r.name, true,
       cv.created_at + interval '15 minutes', dt.id, r.version_no
FROM config_versions cv
JOIN (VALUES (1, 'INVOICE_FORM', 'Supplier invoice form', 'SUPPLIER_INVOICE', 1),
             (1, 'EXPENSE_FORM', 'Expense claim form',    'EXPENSE_CLAIM',    2),
             (2, 'NDA_REQUEST',  'NDA request form',      'NDA',              1)) AS r(since_v, code, name, doc_type_code, version_no)
  ON r.since_v <= cv.version
JOIN master_document_types dt ON dt.config_version_id = cv.id AND dt.code = r.doc_type_code;

-- Form fields: v1 3, v2 4, v3 5 (field_type in the allowed set; max_length NULL or > 0)
INSERT INTO master_form_fields (id, workspace_id, config_version_id, code, name, is_active, created_at,
                                form_template_id, field_type, max_length)
SELECT md5('master_form_fields:' || cv.id || ':' || r.code)::uuid::text,
       cv.workspace_id, cv.id, r.code, r.name, true,
       cv.created_at + interval '16 minutes', ft.id, r.field_type, r.max_length
FROM config_versions cv
JOIN (VALUES (1, 'INVOICE_NO',      'Invoice number',   'INVOICE_FORM', 'TEXT',     32),
             (1, 'INVOICE_AMOUNT',  'Invoice amount',   'INVOICE_FORM', 'NUMBER',   NULL),
             (1, 'EXPENSE_RECEIPT', 'Receipt',          'EXPENSE_FORM', 'FILE',     NULL),
             (2, 'COUNTERPARTY',    'Counterparty',     'NDA_REQUEST',  'TEXT',     200),
             (3, 'INVOICE_DATE',    'Invoice date',     'INVOICE_FORM', 'DATE',     NULL)) AS r(since_v, code, name, template_code, field_type, max_length)
  ON r.since_v <= cv.version
JOIN master_form_templates ft ON ft.config_version_id = cv.id AND ft.code = r.template_code;

-- Notification channels: v1 2, v2 3, v3 4 (kind in the allowed set).
-- The v3 draft switches SMS off (is_active = false) and adds a webhook.
INSERT INTO master_notification_channels (id, workspace_id, config_version_id, code, name, is_active, created_at, kind)
SELECT md5('master_notification_channels:' || cv.id || ':' || r.code)::uuid::text,
       cv.workspace_id, cv.id, r.code, r.name,
       NOT (r.code = 'SMS_ALERTS' AND cv.version >= 3),
       cv.created_at + interval '17 minutes', r.kind
FROM config_versions cv
JOIN (VALUES (1, 'EMAIL_MAIN', 'Main e-mail',     'EMAIL'),
             (1, 'IN_APP',     'In-app inbox',    'IN_APP'),
             (2, 'SMS_ALERTS', 'SMS alerts',      'SMS'),
             (3, 'SLACK_HOOK', 'Chat webhook',    'WEBHOOK')) AS r(since_v, code, name, kind)
  ON r.since_v <= cv.version;

-- Notification templates: v1 3, v2 4, v3 5 (subject <> ''); channel from the same version
INSERT INTO master_notification_templates (id, workspace_id, config_version_id, code, name, is_active, created_at,
                                           channel_id, subject)
SELECT md5('master_notification_templates:' || cv.id || ':' || r.code)::uuid::text,
       cv.workspace_id, cv.id, r.code, r.name, true,
       cv.created_at + interval '18 minutes', ch.id, r.subject
FROM config_versions cv
JOIN (VALUES (1, 'APPROVAL_REQUESTED', 'Approval requested', 'EMAIL_MAIN', 'Approval requested: {{request_title}}'),
             (1, 'APPROVAL_COMPLETED', 'Approval completed', 'EMAIL_MAIN', 'Request approved: {{request_title}}'),
             (1, 'INAPP_TASK',         'New task (in-app)',  'IN_APP',     'You have a new approval task'),
             (2, 'SLA_BREACH_SMS',     'SLA breach (SMS)',   'SMS_ALERTS', 'SLA breach on {{request_title}}'),
             (3, 'ESCALATION_HOOK',    'Escalation (chat)',  'SLACK_HOOK', 'Escalation: {{request_title}}')) AS r(since_v, code, name, channel_code, subject)
  ON r.since_v <= cv.version
JOIN master_notification_channels ch ON ch.config_version_id = cv.id AND ch.code = r.channel_code;

-- Holidays: v1 2, v2 3, v3 5 (holiday_date >= 2000-01-01)
INSERT INTO master_holidays (id, workspace_id, config_version_id, code, name, is_active, created_at, holiday_date)
SELECT md5('master_holidays:' || cv.id || ':' || r.code)::uuid::text,
       cv.workspace_id, cv.id, r.code, r.name, true,
       cv.created_at + interval '19 minutes', r.holiday_date
FROM config_versions cv
JOIN (VALUES (1, 'CHRISTMAS_2025',   'Christmas Day',  date '2025-12-25'),
             (1, 'NEW_YEAR_2026',    'New Year''s Day', date '2026-01-01'),
             (2, 'BOXING_DAY_2025',  'Boxing Day',     date '2025-12-26'),
             (3, 'GOOD_FRIDAY_2026', 'Good Friday',    date '2026-04-03'),
             (3, 'LABOUR_DAY_2026',  'Labour Day',     date '2026-05-01')) AS r(since_v, code, name, holiday_date)
  ON r.since_v <= cv.version;

-- ---------------------------------------------------------------------------
-- Workflow instances, 10 per workspace, each frozen to the version that was
-- ACTIVE when it started: 3 on v1 (closed: COMPLETED / CANCELLED) and 7 on v2
-- (2 COMPLETED, 3 RUNNING, 2 PENDING). Nothing references the v3 DRAFT.
-- current_step_id is a step of the same version (joined on config_version_id),
-- started_by is one of the workspace's two users, completed_at >= created_at
-- for closed instances and NULL for open ones.
-- ---------------------------------------------------------------------------

INSERT INTO workflow_instances (id, workspace_id, started_by, status, created_at, completed_at,
                                config_version_id, current_step_id)
SELECT md5('wi:' || w.n || ':' || i.n)::uuid::text,
       cv.workspace_id,
       md5('user:' || (2 * w.n - 1 + i.n % 2))::uuid::text,
       i.status,
       i.created_at   + (w.n - 1) * interval '1 hour',
       i.completed_at + (w.n - 1) * interval '1 hour',
       cv.id,
       st.id
FROM generate_series(1, 4) AS w(n)
CROSS JOIN (VALUES
    ( 1, 1, 'COMPLETED', 'DEPT_APPROVAL', timestamptz '2025-12-03 09:00:00+00', timestamptz '2025-12-04 15:30:00+00'),
    ( 2, 1, 'COMPLETED', 'DEPT_APPROVAL', timestamptz '2025-12-05 10:15:00+00', timestamptz '2025-12-08 11:00:00+00'),
    ( 3, 1, 'CANCELLED', 'TEAM_REVIEW',   timestamptz '2025-12-06 14:00:00+00', timestamptz '2025-12-06 16:45:00+00'),
    ( 4, 2, 'COMPLETED', 'FINANCE_CHECK', timestamptz '2025-12-13 09:30:00+00', timestamptz '2025-12-15 17:00:00+00'),
    ( 5, 2, 'COMPLETED', 'FINANCE_CHECK', timestamptz '2025-12-16 11:00:00+00', timestamptz '2025-12-19 10:00:00+00'),
    ( 6, 2, 'RUNNING',   'TEAM_REVIEW',   timestamptz '2025-12-22 08:45:00+00', NULL::timestamptz),
    ( 7, 2, 'RUNNING',   'DEPT_APPROVAL', timestamptz '2025-12-23 13:20:00+00', NULL),
    ( 8, 2, 'RUNNING',   'FINANCE_CHECK', timestamptz '2025-12-26 10:05:00+00', NULL),
    ( 9, 2, 'PENDING',   'SUBMIT',        timestamptz '2025-12-28 16:40:00+00', NULL),
    (10, 2, 'PENDING',   'SUBMIT',        timestamptz '2025-12-28 18:10:00+00', NULL)
) AS i(n, version, status, step_code, created_at, completed_at)
JOIN config_versions cv
  ON cv.workspace_id = md5('ws:' || w.n)::uuid AND cv.version = i.version
JOIN master_approval_steps st
  ON st.config_version_id = cv.id AND st.code = i.step_code;

-- ---------------------------------------------------------------------------
-- Prisma migration history: all finished, none rolled back, the last one is
-- the migration the staging report validated (finished 2025-12-29 03:01 UTC).
-- id: uuid-shaped like Prisma's; checksum: 64 hex chars (sha256 of the name,
-- standing in for the sha256 of migration.sql that Prisma stores).
-- ---------------------------------------------------------------------------

INSERT INTO _prisma_migrations (id, checksum, finished_at, migration_name, logs, rolled_back_at,
                                started_at, applied_steps_count)
SELECT md5('migration:' || m.name)::uuid::text,
       encode(sha256(convert_to(m.name, 'UTF8')), 'hex'),
       m.started_at + m.duration,
       m.name,
       NULL,
       NULL,
       m.started_at,
       1
FROM (VALUES
    ('20251101093000_init',                        timestamptz '2025-11-01 09:31:12+00', interval '1.8 seconds'),
    ('20251105141500_add_workflow_instances',      timestamptz '2025-11-05 14:16:40+00', interval '0.9 seconds'),
    ('20251118101000_add_user_display_name',       timestamptz '2025-11-18 10:11:05+00', interval '0.4 seconds'),
    ('20251210083000_add_workflow_completed_at',   timestamptz '2025-12-10 08:31:22+00', interval '0.6 seconds'),
    ('20251229010228_add_master_tables_final_v2',  timestamptz '2025-12-29 03:01:47+00', interval '11.3 seconds')
) AS m(name, started_at, duration);
