-- APMS schema seed: tables, columns, NOT NULLs, defaults, primary keys and
-- UNIQUE constraints only. Foreign keys, CHECKs and the partial unique index
-- live in the constraints files, so the same tables can be loaded either in the
-- reported staging state (apms_staging_constraints.sql) or in the intended
-- design (apms_fixed_constraints.sql). See ../../../shared/apms/reference-schema.md.
--
-- Load order: apms_schema.sql, then ONE constraints file, then apms_data.sql.
-- Runs in a single transaction (no BEGIN/COMMIT here) or with
-- `psql -v ON_ERROR_STOP=1 -f`. Meant for an empty database.
-- Constraint names follow Prisma: <table>_pkey, <table>_<cols>_key.

-- The migration requires pgcrypto. Some servers do not ship it; a missing
-- extension must not abort the seed (gen_random_uuid() is built into
-- PostgreSQL 13+ anyway), so report it and continue. The exception handler
-- rolls back only this block's subtransaction, not the caller's transaction.
DO $$
BEGIN
    CREATE EXTENSION IF NOT EXISTS pgcrypto;
EXCEPTION WHEN OTHERS THEN
    RAISE NOTICE 'pgcrypto not available (%); continuing without it', SQLERRM;
END
$$;

-- ---------------------------------------------------------------------------
-- Tables that existed before migration 20251229010228_add_master_tables_final_v2
-- ---------------------------------------------------------------------------

CREATE TABLE workspaces (
    id          uuid        NOT NULL DEFAULT gen_random_uuid(),
    name        text        NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT workspaces_pkey PRIMARY KEY (id)
);

CREATE TABLE users (
    id            text NOT NULL,
    email         text NOT NULL,
    display_name  text,
    created_at    timestamptz,
    CONSTRAINT users_pkey PRIMARY KEY (id),
    CONSTRAINT users_email_key UNIQUE (email)
);

-- Prisma's bookkeeping table, with the column types Prisma itself creates.
CREATE TABLE _prisma_migrations (
    id                   varchar(36)  NOT NULL,
    checksum             varchar(64)  NOT NULL,
    finished_at          timestamptz,
    migration_name       varchar(255) NOT NULL,
    logs                 text,
    rolled_back_at       timestamptz,
    started_at           timestamptz  NOT NULL DEFAULT now(),
    applied_steps_count  integer      NOT NULL DEFAULT 0,
    CONSTRAINT _prisma_migrations_pkey PRIMARY KEY (id)
);

-- ---------------------------------------------------------------------------
-- Added by the migration: config_versions + 15 master tables (all text ids)
-- ---------------------------------------------------------------------------

CREATE TABLE config_versions (
    id            text        NOT NULL,
    workspace_id  uuid        NOT NULL,
    version       integer     NOT NULL,
    status        text        NOT NULL,
    created_by    text,
    created_at    timestamptz NOT NULL DEFAULT now(),
    activated_at  timestamptz,
    CONSTRAINT config_versions_pkey PRIMARY KEY (id),
    CONSTRAINT config_versions_workspace_id_version_key UNIQUE (workspace_id, version)
);

-- Every master table shares: id, workspace_id, config_version_id, code, name,
-- is_active, created_at and UNIQUE (config_version_id, code); the extra
-- columns follow the reference table.

CREATE TABLE master_departments (
    id                 text        NOT NULL,
    workspace_id       uuid        NOT NULL,
    config_version_id  text        NOT NULL,
    code               text        NOT NULL,
    name               text        NOT NULL,
    is_active          boolean     NOT NULL DEFAULT true,
    created_at         timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT master_departments_pkey PRIMARY KEY (id),
    CONSTRAINT master_departments_config_version_id_code_key UNIQUE (config_version_id, code)
);

CREATE TABLE master_positions (
    id                 text        NOT NULL,
    workspace_id       uuid        NOT NULL,
    config_version_id  text        NOT NULL,
    code               text        NOT NULL,
    name               text        NOT NULL,
    is_active          boolean     NOT NULL DEFAULT true,
    created_at         timestamptz NOT NULL DEFAULT now(),
    department_id      text,
    grade              integer,
    CONSTRAINT master_positions_pkey PRIMARY KEY (id),
    CONSTRAINT master_positions_config_version_id_code_key UNIQUE (config_version_id, code)
);

CREATE TABLE master_roles (
    id                 text        NOT NULL,
    workspace_id       uuid        NOT NULL,
    config_version_id  text        NOT NULL,
    code               text        NOT NULL,
    name               text        NOT NULL,
    is_active          boolean     NOT NULL DEFAULT true,
    created_at         timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT master_roles_pkey PRIMARY KEY (id),
    CONSTRAINT master_roles_config_version_id_code_key UNIQUE (config_version_id, code)
);

CREATE TABLE master_approval_levels (
    id                 text        NOT NULL,
    workspace_id       uuid        NOT NULL,
    config_version_id  text        NOT NULL,
    code               text        NOT NULL,
    name               text        NOT NULL,
    is_active          boolean     NOT NULL DEFAULT true,
    created_at         timestamptz NOT NULL DEFAULT now(),
    level_no           integer,
    CONSTRAINT master_approval_levels_pkey PRIMARY KEY (id),
    CONSTRAINT master_approval_levels_config_version_id_code_key UNIQUE (config_version_id, code)
);

CREATE TABLE master_approval_steps (
    id                 text        NOT NULL,
    workspace_id       uuid        NOT NULL,
    config_version_id  text        NOT NULL,
    code               text        NOT NULL,
    name               text        NOT NULL,
    is_active          boolean     NOT NULL DEFAULT true,
    created_at         timestamptz NOT NULL DEFAULT now(),
    approval_level_id  text,
    role_id            text,
    step_order         integer,
    CONSTRAINT master_approval_steps_pkey PRIMARY KEY (id),
    CONSTRAINT master_approval_steps_config_version_id_code_key UNIQUE (config_version_id, code)
);

CREATE TABLE master_document_categories (
    id                 text        NOT NULL,
    workspace_id       uuid        NOT NULL,
    config_version_id  text        NOT NULL,
    code               text        NOT NULL,
    name               text        NOT NULL,
    is_active          boolean     NOT NULL DEFAULT true,
    created_at         timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT master_document_categories_pkey PRIMARY KEY (id),
    CONSTRAINT master_document_categories_config_version_id_code_key UNIQUE (config_version_id, code)
);

CREATE TABLE master_document_types (
    id                 text        NOT NULL,
    workspace_id       uuid        NOT NULL,
    config_version_id  text        NOT NULL,
    code               text        NOT NULL,
    name               text        NOT NULL,
    is_active          boolean     NOT NULL DEFAULT true,
    created_at         timestamptz NOT NULL DEFAULT now(),
    category_id        text,
    retention_days     integer,
    CONSTRAINT master_document_types_pkey PRIMARY KEY (id),
    CONSTRAINT master_document_types_config_version_id_code_key UNIQUE (config_version_id, code)
);

CREATE TABLE master_priorities (
    id                 text        NOT NULL,
    workspace_id       uuid        NOT NULL,
    config_version_id  text        NOT NULL,
    code               text        NOT NULL,
    name               text        NOT NULL,
    is_active          boolean     NOT NULL DEFAULT true,
    created_at         timestamptz NOT NULL DEFAULT now(),
    rank               integer,
    CONSTRAINT master_priorities_pkey PRIMARY KEY (id),
    CONSTRAINT master_priorities_config_version_id_code_key UNIQUE (config_version_id, code)
);

CREATE TABLE master_sla_policies (
    id                 text        NOT NULL,
    workspace_id       uuid        NOT NULL,
    config_version_id  text        NOT NULL,
    code               text        NOT NULL,
    name               text        NOT NULL,
    is_active          boolean     NOT NULL DEFAULT true,
    created_at         timestamptz NOT NULL DEFAULT now(),
    priority_id        text,
    response_hours     integer,
    resolution_hours   integer,
    CONSTRAINT master_sla_policies_pkey PRIMARY KEY (id),
    CONSTRAINT master_sla_policies_config_version_id_code_key UNIQUE (config_version_id, code)
);

CREATE TABLE master_escalation_rules (
    id                   text        NOT NULL,
    workspace_id         uuid        NOT NULL,
    config_version_id    text        NOT NULL,
    code                 text        NOT NULL,
    name                 text        NOT NULL,
    is_active            boolean     NOT NULL DEFAULT true,
    created_at           timestamptz NOT NULL DEFAULT now(),
    sla_policy_id        text,
    escalate_to_role_id  text,
    after_hours          integer,
    CONSTRAINT master_escalation_rules_pkey PRIMARY KEY (id),
    CONSTRAINT master_escalation_rules_config_version_id_code_key UNIQUE (config_version_id, code)
);

CREATE TABLE master_form_templates (
    id                 text        NOT NULL,
    workspace_id       uuid        NOT NULL,
    config_version_id  text        NOT NULL,
    code               text        NOT NULL,
    name               text        NOT NULL,
    is_active          boolean     NOT NULL DEFAULT true,
    created_at         timestamptz NOT NULL DEFAULT now(),
    document_type_id   text,
    version_no         integer,
    CONSTRAINT master_form_templates_pkey PRIMARY KEY (id),
    CONSTRAINT master_form_templates_config_version_id_code_key UNIQUE (config_version_id, code)
);

CREATE TABLE master_form_fields (
    id                 text        NOT NULL,
    workspace_id       uuid        NOT NULL,
    config_version_id  text        NOT NULL,
    code               text        NOT NULL,
    name               text        NOT NULL,
    is_active          boolean     NOT NULL DEFAULT true,
    created_at         timestamptz NOT NULL DEFAULT now(),
    form_template_id   text,
    field_type         text,
    max_length         integer,
    CONSTRAINT master_form_fields_pkey PRIMARY KEY (id),
    CONSTRAINT master_form_fields_config_version_id_code_key UNIQUE (config_version_id, code)
);

CREATE TABLE master_notification_channels (
    id                 text        NOT NULL,
    workspace_id       uuid        NOT NULL,
    config_version_id  text        NOT NULL,
    code               text        NOT NULL,
    name               text        NOT NULL,
    is_active          boolean     NOT NULL DEFAULT true,
    created_at         timestamptz NOT NULL DEFAULT now(),
    kind               text,
    CONSTRAINT master_notification_channels_pkey PRIMARY KEY (id),
    CONSTRAINT master_notification_channels_config_version_id_code_key UNIQUE (config_version_id, code)
);

CREATE TABLE master_notification_templates (
    id                 text        NOT NULL,
    workspace_id       uuid        NOT NULL,
    config_version_id  text        NOT NULL,
    code               text        NOT NULL,
    name               text        NOT NULL,
    is_active          boolean     NOT NULL DEFAULT true,
    created_at         timestamptz NOT NULL DEFAULT now(),
    channel_id         text,
    subject            text,
    CONSTRAINT master_notification_templates_pkey PRIMARY KEY (id),
    CONSTRAINT master_notification_templates_config_version_id_code_key UNIQUE (config_version_id, code)
);

CREATE TABLE master_holidays (
    id                 text        NOT NULL,
    workspace_id       uuid        NOT NULL,
    config_version_id  text        NOT NULL,
    code               text        NOT NULL,
    name               text        NOT NULL,
    is_active          boolean     NOT NULL DEFAULT true,
    created_at         timestamptz NOT NULL DEFAULT now(),
    holiday_date       date,
    CONSTRAINT master_holidays_pkey PRIMARY KEY (id),
    CONSTRAINT master_holidays_config_version_id_code_key UNIQUE (config_version_id, code)
);

-- workflow_instances predates the migration; shown here with the two columns
-- the migration adds (config_version_id = the frozen reference, current_step_id).
CREATE TABLE workflow_instances (
    id                 text        NOT NULL,
    workspace_id       uuid        NOT NULL,
    started_by         text,
    status             text        NOT NULL,
    created_at         timestamptz NOT NULL DEFAULT now(),
    completed_at       timestamptz,
    config_version_id  text        NOT NULL,
    current_step_id    text,
    CONSTRAINT workflow_instances_pkey PRIMARY KEY (id)
);
