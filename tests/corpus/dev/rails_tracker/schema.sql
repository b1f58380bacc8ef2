-- A Rails issue tracker (db/structure.sql), foreign keys dropped as `add_foreign_key` was never called.
CREATE TABLE users (
    id bigserial PRIMARY KEY,
    email character varying DEFAULT ''::character varying NOT NULL,
    encrypted_password character varying NOT NULL,
    username character varying NOT NULL,
    github_uid character varying,
    invited_by_id bigint,
    invited_by_type character varying,
    created_at timestamp(6) without time zone NOT NULL,
    updated_at timestamp(6) without time zone NOT NULL
);
CREATE UNIQUE INDEX index_users_on_email ON users USING btree (email);
CREATE TABLE organizations (
    id bigserial PRIMARY KEY,
    name character varying NOT NULL,
    owner_id bigint NOT NULL,
    stripe_customer_id character varying,
    created_at timestamp(6) without time zone NOT NULL
);
CREATE TABLE memberships (
    id bigserial PRIMARY KEY,
    organization_id bigint NOT NULL,
    user_id bigint NOT NULL,
    role integer DEFAULT 0 NOT NULL
);
CREATE TABLE projects (
    id bigserial PRIMARY KEY,
    organization_id bigint NOT NULL,
    name character varying NOT NULL,
    creator_id bigint,
    archived_by_id bigint,
    forked_from_id bigint,
    created_at timestamp(6) without time zone NOT NULL
);
CREATE TABLE milestones (
    id bigserial PRIMARY KEY,
    project_id bigint NOT NULL,
    title character varying NOT NULL,
    due_on date
);
CREATE TABLE issues (
    id bigserial PRIMARY KEY,
    project_id bigint NOT NULL,
    milestone_id bigint,
    author_id bigint NOT NULL,
    assignee_id bigint,
    closed_by_id bigint,
    duplicate_of_id bigint,
    moved_to_project_id bigint,
    title character varying NOT NULL,
    state character varying DEFAULT 'open'::character varying NOT NULL,
    external_issue_id character varying,
    created_at timestamp(6) without time zone NOT NULL
);
CREATE TABLE labels (id bigserial PRIMARY KEY, project_id bigint NOT NULL, title character varying NOT NULL, color character varying);
CREATE TABLE label_links (
    id bigserial PRIMARY KEY,
    label_id bigint NOT NULL,
    target_type character varying NOT NULL,
    target_id bigint NOT NULL
);
CREATE TABLE comments (
    id bigserial PRIMARY KEY,
    commentable_type character varying NOT NULL,
    commentable_id bigint NOT NULL,
    user_id bigint NOT NULL,
    in_reply_to_id bigint,
    body text NOT NULL,
    last_edited_by_id bigint,
    created_at timestamp(6) without time zone NOT NULL
);
CREATE TABLE merge_requests (
    id bigserial PRIMARY KEY,
    source_project_id bigint NOT NULL,
    target_project_id bigint NOT NULL,
    author_id bigint NOT NULL,
    merge_user_id bigint,
    latest_merge_request_diff_id bigint,
    head_sha character varying
);
CREATE TABLE merge_request_diffs (
    id bigserial PRIMARY KEY,
    merge_request_id bigint NOT NULL,
    base_commit_sha character varying,
    state character varying
);
CREATE TABLE notifications (
    id bigserial PRIMARY KEY,
    recipient_id bigint NOT NULL,
    actor_id bigint,
    notifiable_type character varying NOT NULL,
    notifiable_id bigint NOT NULL,
    read_at timestamp(6) without time zone
);
CREATE TABLE events (
    id bigserial PRIMARY KEY,
    project_id bigint,
    author_id bigint NOT NULL,
    target_type character varying,
    target_id bigint,
    action smallint NOT NULL
);
CREATE TABLE versions (
    id bigserial PRIMARY KEY,
    item_type character varying NOT NULL,
    item_id bigint NOT NULL,
    event character varying NOT NULL,
    whodunnit character varying,
    object text,
    created_at timestamp(6) without time zone
);
CREATE TABLE tags (id bigserial PRIMARY KEY, name character varying, taggings_count integer DEFAULT 0);
CREATE TABLE taggings (
    id bigserial PRIMARY KEY,
    tag_id bigint,
    taggable_type character varying,
    taggable_id bigint,
    tagger_type character varying,
    tagger_id bigint,
    context character varying(128)
);
CREATE TABLE oauth_applications (
    id bigserial PRIMARY KEY,
    name character varying NOT NULL,
    uid character varying NOT NULL,
    secret character varying NOT NULL,
    owner_id bigint,
    owner_type character varying
);
CREATE TABLE oauth_access_tokens (
    id bigserial PRIMARY KEY,
    resource_owner_id bigint,
    application_id bigint NOT NULL,
    token character varying NOT NULL,
    created_at timestamp(6) without time zone NOT NULL
);
CREATE TABLE active_storage_blobs (
    id bigserial PRIMARY KEY,
    key character varying NOT NULL,
    filename character varying NOT NULL,
    content_type character varying,
    service_name character varying NOT NULL,
    byte_size bigint NOT NULL,
    checksum character varying
);
CREATE TABLE active_storage_attachments (
    id bigserial PRIMARY KEY,
    name character varying NOT NULL,
    record_type character varying NOT NULL,
    record_id bigint NOT NULL,
    blob_id bigint NOT NULL,
    created_at timestamp(6) without time zone NOT NULL
);
CREATE TABLE active_storage_variant_records (
    id bigserial PRIMARY KEY,
    blob_id bigint NOT NULL,
    variation_digest character varying NOT NULL
);
CREATE TABLE audit_logs (
    id bigserial PRIMARY KEY,
    user_id bigint,
    created_by character varying,
    request_id character varying,
    action character varying NOT NULL
);
CREATE TABLE schema_migrations (version character varying PRIMARY KEY);
CREATE TABLE ar_internal_metadata (key character varying PRIMARY KEY, value character varying);

INSERT INTO users (id, email, encrypted_password, username, created_at, updated_at) VALUES
  (1, 'ada@example.com', 'x', 'ada', now(), now()), (2, 'bob@example.com', 'x', 'bob', now(), now());
INSERT INTO audit_logs (user_id, created_by, request_id, action) VALUES
  (1, 'ada@example.com', '7f1c9a2e-req', 'login'), (2, 'bob (via API)', '7f1c9a2f-req', 'update');
INSERT INTO issues (project_id, author_id, title, external_issue_id, created_at) VALUES (1, 1, 'Crash', 'JIRA-4411', now());
