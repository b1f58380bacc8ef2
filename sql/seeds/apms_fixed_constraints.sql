-- APMS constraints as INTENDED by migration
-- 20251229010228_add_master_tables_final_v2 (../../../shared/apms/reference-schema.md):
--   * 46 foreign keys: config_versions 2, masters 30 (workspace_id and
--     config_version_id on each of the 15), master-to-master 10,
--     workflow_instances 4,
--   * 22 CHECKs: config_versions 3, masters 17, workflow_instances 2,
--   * the partial unique index (one ACTIVE version per workspace).
-- FKs use Prisma's naming (<table>_<column>_fkey) and ON DELETE RESTRICT /
-- ON UPDATE CASCADE throughout.
--
-- Load after apms_schema.sql and instead of apms_staging_constraints.sql.
-- No BEGIN/COMMIT: the caller decides the transaction.

-- ---------------------------------------------------------------------------
-- Foreign keys (46)
-- ---------------------------------------------------------------------------

-- config_versions (2): the workspace it belongs to, the user who created it
ALTER TABLE config_versions
    ADD CONSTRAINT config_versions_workspace_id_fkey
    FOREIGN KEY (workspace_id) REFERENCES workspaces (id)
    ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE config_versions
    ADD CONSTRAINT config_versions_created_by_fkey
    FOREIGN KEY (created_by) REFERENCES users (id)
    ON DELETE RESTRICT ON UPDATE CASCADE;

-- Every master table (30): workspace anchor + frozen config version
ALTER TABLE master_departments
    ADD CONSTRAINT master_departments_workspace_id_fkey
    FOREIGN KEY (workspace_id) REFERENCES workspaces (id)
    ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE master_departments
    ADD CONSTRAINT master_departments_config_version_id_fkey
    FOREIGN KEY (config_version_id) REFERENCES config_versions (id)
    ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE master_positions
    ADD CONSTRAINT master_positions_workspace_id_fkey
    FOREIGN KEY (workspace_id) REFERENCES workspaces (id)
    ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE master_positions
    ADD CONSTRAINT master_positions_config_version_id_fkey
    FOREIGN KEY (config_version_id) REFERENCES config_versions (id)
    ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE master_roles
    ADD CONSTRAINT master_roles_workspace_id_fkey
    FOREIGN KEY (workspace_id) REFERENCES workspaces (id)
    ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE master_roles
    ADD CONSTRAINT master_roles_config_version_id_fkey
    FOREIGN KEY (config_version_id) REFERENCES config_versions (id)
    ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE master_approval_levels
    ADD CONSTRAINT master_approval_levels_workspace_id_fkey
    FOREIGN KEY (workspace_id) REFERENCES workspaces (id)
    ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE master_approval_levels
    ADD CONSTRAINT master_approval_levels_config_version_id_fkey
    FOREIGN KEY (config_version_id) REFERENCES config_versions (id)
    ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE master_approval_steps
    ADD CONSTRAINT master_approval_steps_workspace_id_fkey
    FOREIGN KEY (workspace_id) REFERENCES workspaces (id)
    ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE master_approval_steps
    ADD CONSTRAINT master_approval_steps_config_version_id_fkey
    FOREIGN KEY (config_version_id) REFERENCES config_versions (id)
    ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE master_document_categories
    ADD CONSTRAINT master_document_categories_workspace_id_fkey
    FOREIGN KEY (workspace_id) REFERENCES workspaces (id)
    ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE master_document_categories
    ADD CONSTRAINT master_document_categories_config_version_id_fkey
    FOREIGN KEY (config_version_id) REFERENCES config_versions (id)
    ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE master_document_types
    ADD CONSTRAINT master_document_types_workspace_id_fkey
    FOREIGN KEY (workspace_id) REFERENCES workspaces (id)
    ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE master_document_types
    ADD CONSTRAINT master_document_types_config_version_id_fkey
    FOREIGN KEY (config_version_id) REFERENCES config_versions (id)
    ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE master_priorities
    ADD CONSTRAINT master_priorities_workspace_id_fkey
    FOREIGN KEY (workspace_id) REFERENCES workspaces (id)
    ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE master_priorities
    ADD CONSTRAINT master_priorities_config_version_id_fkey
    FOREIGN KEY (config_version_id) REFERENCES config_versions (id)
    ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE master_sla_policies
    ADD CONSTRAINT master_sla_policies_workspace_id_fkey
    FOREIGN KEY (workspace_id) REFERENCES workspaces (id)
    ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE master_sla_policies
    ADD CONSTRAINT master_sla_policies_config_version_id_fkey
    FOREIGN KEY (config_version_id) REFERENCES config_versions (id)
    ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE master_escalation_rules
    ADD CONSTRAINT master_escalation_rules_workspace_id_fkey
    FOREIGN KEY (workspace_id) REFERENCES workspaces (id)
    ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE master_escalation_rules
    ADD CONSTRAINT master_escalation_rules_config_version_id_fkey
    FOREIGN KEY (config_version_id) REFERENCES config_versions (id)
    ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE master_form_templates
    ADD CONSTRAINT master_form_templates_workspace_id_fkey
    FOREIGN KEY (workspace_id) REFERENCES workspaces (id)
    ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE master_form_templates
    ADD CONSTRAINT master_form_templates_config_version_id_fkey
    FOREIGN KEY (config_version_id) REFERENCES config_versions (id)
    ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE master_form_fields
    ADD CONSTRAINT master_form_fields_workspace_id_fkey
    FOREIGN KEY (workspace_id) REFERENCES workspaces (id)
    ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE master_form_fields
    ADD CONSTRAINT master_form_fields_config_version_id_fkey
    FOREIGN KEY (config_version_id) REFERENCES config_versions (id)
    ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE master_notification_channels
    ADD CONSTRAINT master_notification_channels_workspace_id_fkey
    FOREIGN KEY (workspace_id) REFERENCES workspaces (id)
    ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE master_notification_channels
    ADD CONSTRAINT master_notification_channels_config_version_id_fkey
    FOREIGN KEY (config_version_id) REFERENCES config_versions (id)
    ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE master_notification_templates
    ADD CONSTRAINT master_notification_templates_workspace_id_fkey
    FOREIGN KEY (workspace_id) REFERENCES workspaces (id)
    ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE master_notification_templates
    ADD CONSTRAINT master_notification_templates_config_version_id_fkey
    FOREIGN KEY (config_version_id) REFERENCES config_versions (id)
    ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE master_holidays
    ADD CONSTRAINT master_holidays_workspace_id_fkey
    FOREIGN KEY (workspace_id) REFERENCES workspaces (id)
    ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE master_holidays
    ADD CONSTRAINT master_holidays_config_version_id_fkey
    FOREIGN KEY (config_version_id) REFERENCES config_versions (id)
    ON DELETE RESTRICT ON UPDATE CASCADE;

-- Master-to-master references (10)
ALTER TABLE master_positions
    ADD CONSTRAINT master_positions_department_id_fkey
    FOREIGN KEY (department_id) REFERENCES master_departments (id)
    ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE master_approval_steps
    ADD CONSTRAINT master_approval_steps_approval_level_id_fkey
    FOREIGN KEY (approval_level_id) REFERENCES master_approval_levels (id)
    ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE master_approval_steps
    ADD CONSTRAINT master_approval_steps_role_id_fkey
    FOREIGN KEY (role_id) REFERENCES master_roles (id)
    ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE master_document_types
    ADD CONSTRAINT master_document_types_category_id_fkey
    FOREIGN KEY (category_id) REFERENCES master_document_categories (id)
    ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE master_sla_policies
    ADD CONSTRAINT master_sla_policies_priority_id_fkey
    FOREIGN KEY (priority_id) REFERENCES master_priorities (id)
    ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE master_escalation_rules
    ADD CONSTRAINT master_escalation_rules_sla_policy_id_fkey
    FOREIGN KEY (sla_policy_id) REFERENCES master_sla_policies (id)
    ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE master_escalation_rules
    ADD CONSTRAINT master_escalation_rules_escalate_to_role_id_fkey
    FOREIGN KEY (escalate_to_role_id) REFERENCES master_roles (id)
    ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE master_form_templates
    ADD CONSTRAINT master_form_templates_document_type_id_fkey
    FOREIGN KEY (document_type_id) REFERENCES master_document_types (id)
    ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE master_form_fields
    ADD CONSTRAINT master_form_fields_form_template_id_fkey
    FOREIGN KEY (form_template_id) REFERENCES master_form_templates (id)
    ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE master_notification_templates
    ADD CONSTRAINT master_notification_templates_channel_id_fkey
    FOREIGN KEY (channel_id) REFERENCES master_notification_channels (id)
    ON DELETE RESTRICT ON UPDATE CASCADE;

-- workflow_instances (4): frozen config version, current step, workspace, starter
ALTER TABLE workflow_instances
    ADD CONSTRAINT workflow_instances_workspace_id_fkey
    FOREIGN KEY (workspace_id) REFERENCES workspaces (id)
    ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE workflow_instances
    ADD CONSTRAINT workflow_instances_config_version_id_fkey
    FOREIGN KEY (config_version_id) REFERENCES config_versions (id)
    ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE workflow_instances
    ADD CONSTRAINT workflow_instances_current_step_id_fkey
    FOREIGN KEY (current_step_id) REFERENCES master_approval_steps (id)
    ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE workflow_instances
    ADD CONSTRAINT workflow_instances_started_by_fkey
    FOREIGN KEY (started_by) REFERENCES users (id)
    ON DELETE RESTRICT ON UPDATE CASCADE;

-- ---------------------------------------------------------------------------
-- CHECK constraints (22)
-- ---------------------------------------------------------------------------

-- config_versions
ALTER TABLE config_versions ADD CONSTRAINT config_versions_version_check
    CHECK (version > 0);
ALTER TABLE config_versions ADD CONSTRAINT config_versions_status_check
    CHECK (status IN ('DRAFT','ACTIVE','ARCHIVED'));
-- an ACTIVE version must record when it was activated (the one staging lacks)
ALTER TABLE config_versions ADD CONSTRAINT config_versions_activated_at_check
    CHECK (status <> 'ACTIVE' OR activated_at IS NOT NULL);

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
