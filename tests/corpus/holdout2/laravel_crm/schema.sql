-- A CRM built on Laravel (Eloquent migrations on PostgreSQL, with spatie/laravel-permission,
-- spatie/laravel-medialibrary and Sanctum), foreign keys dropped.
CREATE TABLE users (id bigserial PRIMARY KEY, name varchar(255) NOT NULL, email varchar(255) NOT NULL UNIQUE, email_verified_at timestamp(0), password varchar(255) NOT NULL, remember_token varchar(100), current_team_id bigint, created_at timestamp(0), updated_at timestamp(0));
CREATE TABLE password_reset_tokens (email varchar(255) PRIMARY KEY, token varchar(255) NOT NULL, created_at timestamp(0));
CREATE TABLE sessions (id varchar(255) PRIMARY KEY, user_id bigint, ip_address varchar(45), user_agent text, payload text NOT NULL, last_activity integer NOT NULL);
CREATE TABLE teams (id bigserial PRIMARY KEY, user_id bigint NOT NULL, name varchar(255) NOT NULL, personal_team boolean NOT NULL);
CREATE TABLE team_user (id bigserial PRIMARY KEY, team_id bigint NOT NULL, user_id bigint NOT NULL, role varchar(255), UNIQUE (team_id, user_id));
CREATE TABLE team_invitations (id bigserial PRIMARY KEY, team_id bigint NOT NULL, email varchar(255) NOT NULL, role varchar(255));
CREATE TABLE companies (
    id bigserial PRIMARY KEY,
    team_id bigint NOT NULL,
    name varchar(255) NOT NULL,
    domain varchar(255),
    owner_id bigint,
    parent_company_id bigint,
    hubspot_id varchar(255),
    created_at timestamp(0), updated_at timestamp(0), deleted_at timestamp(0)
);
CREATE TABLE contacts (
    id bigserial PRIMARY KEY,
    team_id bigint NOT NULL,
    company_id bigint,
    first_name varchar(255) NOT NULL,
    last_name varchar(255),
    email varchar(255),
    owner_id bigint,
    created_by bigint,
    created_at timestamp(0), updated_at timestamp(0)
);
CREATE TABLE pipelines (id bigserial PRIMARY KEY, team_id bigint NOT NULL, name varchar(255) NOT NULL);
CREATE TABLE pipeline_stages (id bigserial PRIMARY KEY, pipeline_id bigint NOT NULL, name varchar(255) NOT NULL, probability smallint NOT NULL DEFAULT 0, sort integer NOT NULL DEFAULT 0);
CREATE TABLE deals (
    id bigserial PRIMARY KEY,
    team_id bigint NOT NULL,
    contact_id bigint,
    company_id bigint,
    pipeline_stage_id bigint NOT NULL,
    assigned_to bigint,
    title varchar(255) NOT NULL,
    amount numeric(12, 2),
    currency char(3) NOT NULL DEFAULT 'USD',
    lost_reason_id bigint,
    closed_at timestamp(0)
);
CREATE TABLE lost_reasons (id bigserial PRIMARY KEY, team_id bigint NOT NULL, label varchar(255) NOT NULL);
CREATE TABLE notes (id bigserial PRIMARY KEY, user_id bigint NOT NULL, notable_type varchar(255) NOT NULL, notable_id bigint NOT NULL, body text NOT NULL);
CREATE TABLE tasks (
    id bigserial PRIMARY KEY,
    team_id bigint NOT NULL,
    taskable_type varchar(255),
    taskable_id bigint,
    assigned_to bigint,
    completed_by bigint,
    title varchar(255) NOT NULL,
    due_at timestamp(0)
);
CREATE TABLE activity_log (
    id bigserial PRIMARY KEY,
    log_name varchar(255),
    description text NOT NULL,
    subject_type varchar(255),
    subject_id bigint,
    causer_type varchar(255),
    causer_id bigint,
    properties json,
    batch_uuid uuid
);
CREATE TABLE roles (id bigserial PRIMARY KEY, name varchar(255) NOT NULL, guard_name varchar(255) NOT NULL);
CREATE TABLE permissions (id bigserial PRIMARY KEY, name varchar(255) NOT NULL, guard_name varchar(255) NOT NULL);
CREATE TABLE role_has_permissions (permission_id bigint NOT NULL, role_id bigint NOT NULL, PRIMARY KEY (permission_id, role_id));
CREATE TABLE model_has_roles (role_id bigint NOT NULL, model_type varchar(255) NOT NULL, model_id bigint NOT NULL, PRIMARY KEY (role_id, model_id, model_type));
CREATE TABLE model_has_permissions (permission_id bigint NOT NULL, model_type varchar(255) NOT NULL, model_id bigint NOT NULL, PRIMARY KEY (permission_id, model_id, model_type));
CREATE TABLE personal_access_tokens (id bigserial PRIMARY KEY, tokenable_type varchar(255) NOT NULL, tokenable_id bigint NOT NULL, name varchar(255) NOT NULL, token varchar(64) NOT NULL UNIQUE, abilities text);
CREATE TABLE media (
    id bigserial PRIMARY KEY,
    model_type varchar(255) NOT NULL,
    model_id bigint NOT NULL,
    uuid uuid UNIQUE,
    collection_name varchar(255) NOT NULL,
    file_name varchar(255) NOT NULL,
    disk varchar(255) NOT NULL,
    size bigint NOT NULL
);
CREATE TABLE jobs (id bigserial PRIMARY KEY, queue varchar(255) NOT NULL, payload text NOT NULL, attempts smallint NOT NULL, reserved_at integer, available_at integer NOT NULL);
CREATE TABLE failed_jobs (id bigserial PRIMARY KEY, uuid varchar(255) NOT NULL UNIQUE, connection text NOT NULL, queue text NOT NULL, payload text NOT NULL, exception text NOT NULL);
CREATE TABLE email_messages (
    id bigserial PRIMARY KEY,
    contact_id bigint,
    user_id bigint,
    message_id varchar(255),
    in_reply_to varchar(255),
    subject varchar(255),
    sent_at timestamp(0)
);
CREATE TABLE migrations (id serial PRIMARY KEY, migration varchar(255) NOT NULL, batch integer NOT NULL);
