-- APMS constraints as REPORTED for staging after migration
-- 20251229010228_add_master_tables_final_v2
-- (../../../shared/seed/staging-validation-report.md):
--   * 1 of the 46 intended foreign keys (config_versions.workspace_id),
--   * 21 of the 22 intended CHECKs (missing: status <> 'ACTIVE' OR
--     activated_at IS NOT NULL on config_versions),
--   * the partial unique index (one ACTIVE version per workspace).
-- The other 45 references are enforced by application code only (typical of
-- Prisma's relationMode = "prisma"). This is the state a review must call HOLD.
--
-- Load after apms_schema.sql and instead of apms_fixed_constraints.sql.
-- No BEGIN/COMMIT: the caller decides the transaction.

-- ---------------------------------------------------------------------------
-- The single foreign key staging got
-- ---------------------------------------------------------------------------
ALTER TABLE config_versions
    ADD CONSTRAINT config_versions_workspace_id_fkey
    FOREIGN KEY (workspace_id) REFERENCES workspaces (id)
    ON DELETE RESTRICT ON UPDATE CASCADE;

-- ---------------------------------------------------------------------------
-- CHECK constraints: 21 (config_versions 2, masters 17, workflow_instances 2)
-- ---------------------------------------------------------------------------

-- config_versions (config_versions_activated_at_check is deliberately absent)
ALTER TABLE config_versions ADD CONSTRAINT config_versions_version_check
    CHECK (version > 0);
ALTER TABLE config_versions ADD CONSTRAINT config_versions_status_check
    CHECK (status IN ('DRAFT','ACTIVE','ARCHIVED'));

-- master tables
ALTER TABLE master_departments ADD CONSTRAINT master_departments_code_check
    CHECK (code ~ '^[A-Z0-9_]+$');
ALTER TABLE master_positions ADD CONSTRAINT master_positions_grade_check
    CHECK (grade BETWEEN 1 AND 20);
ALTER TABLE master_roles ADD CONSTRAINT master_roles_code_check
    CHECK (code ~ '^[A-Z0-9_]+$');
ALTER TABLE master_approval_levels ADD CONSTRAINT master_approval_levels_level_no_check
    CHECK (level_no BETWEEN 1 AND 10);
ALTER TABLE master_approval_steps ADD CONSTRAINT master_approval_steps_step_order_check
    CHECK (step_order > 0);
ALTER TABLE master_document_categories ADD CONSTRAINT master_document_categories_code_check
    CHECK (code <> '');
ALTER TABLE master_document_types ADD CONSTRAINT master_document_types_retention_days_check
    CHECK (retention_days >= 0);
ALTER TABLE master_priorities ADD CONSTRAINT master_priorities_rank_check
    CHECK (rank BETWEEN 1 AND 5);
ALTER TABLE master_sla_policies ADD CONSTRAINT master_sla_policies_response_hours_check
    CHECK (response_hours > 0);
ALTER TABLE master_sla_policies ADD CONSTRAINT master_sla_policies_resolution_hours_check
    CHECK (resolution_hours >= response_hours);
ALTER TABLE master_escalation_rules ADD CONSTRAINT master_escalation_rules_after_hours_check
    CHECK (after_hours > 0);
ALTER TABLE master_form_templates ADD CONSTRAINT master_form_templates_version_no_check
    CHECK (version_no > 0);
ALTER TABLE master_form_fields ADD CONSTRAINT master_form_fields_field_type_check
    CHECK (field_type IN ('TEXT','NUMBER','DATE','SELECT','FILE'));
ALTER TABLE master_form_fields ADD CONSTRAINT master_form_fields_max_length_check
    CHECK (max_length IS NULL OR max_length > 0);
ALTER TABLE master_notification_channels ADD CONSTRAINT master_notification_channels_kind_check
    CHECK (kind IN ('EMAIL','SMS','WEBHOOK','IN_APP'));
ALTER TABLE master_notification_templates ADD CONSTRAINT master_notification_templates_subject_check
    CHECK (subject <> '');
ALTER TABLE master_holidays ADD CONSTRAINT master_holidays_holiday_date_check
    CHECK (holiday_date >= DATE '2000-01-01');

-- workflow_instances
ALTER TABLE workflow_instances ADD CONSTRAINT workflow_instances_status_check
    CHECK (status IN ('PENDING','RUNNING','COMPLETED','CANCELLED','FAILED'));
ALTER TABLE workflow_instances ADD CONSTRAINT workflow_instances_completed_at_check
    CHECK (completed_at IS NULL OR completed_at >= created_at);

-- ---------------------------------------------------------------------------
-- Partial unique index: at most one ACTIVE configuration per workspace
-- ---------------------------------------------------------------------------
CREATE UNIQUE INDEX config_versions_one_active_per_workspace
    ON config_versions (workspace_id) WHERE status = 'ACTIVE';
