-- A multi-tenant SaaS split into schemas: identity, billing, app; plus reporting
-- copies that make some names ambiguous on purpose.
CREATE SCHEMA identity;
CREATE SCHEMA billing;
CREATE SCHEMA app;
CREATE SCHEMA reporting;
CREATE SCHEMA archive;

CREATE TABLE identity.tenants (id uuid PRIMARY KEY, slug text NOT NULL UNIQUE, name text NOT NULL);
CREATE TABLE identity.users (id uuid PRIMARY KEY, tenant_id uuid NOT NULL, email text NOT NULL, UNIQUE (tenant_id, email));
CREATE TABLE identity.api_keys (id uuid PRIMARY KEY, user_id uuid NOT NULL, prefix text NOT NULL UNIQUE, revoked_by uuid);
CREATE TABLE identity.sso_connections (id uuid PRIMARY KEY, tenant_id uuid NOT NULL, idp_entity_id text NOT NULL, okta_app_id text);

CREATE TABLE billing.plans (code text PRIMARY KEY, name text NOT NULL, monthly_cents integer NOT NULL);
CREATE TABLE billing.currencies (iso_code char(3) PRIMARY KEY, symbol text NOT NULL);
CREATE TABLE billing.subscriptions (
    id uuid PRIMARY KEY,
    tenant_id uuid NOT NULL,
    plan_code text NOT NULL,
    currency_iso_code char(3) NOT NULL,
    stripe_subscription_id text,
    started_at timestamptz NOT NULL
);
CREATE TABLE billing.invoices (
    id uuid PRIMARY KEY,
    subscription_id uuid NOT NULL,
    number text NOT NULL UNIQUE,
    paypal_order_id text,
    issued_by uuid,
    total_cents bigint NOT NULL
);
CREATE TABLE billing.invoice_lines (id bigserial PRIMARY KEY, invoice_number text NOT NULL, description text NOT NULL, cents bigint NOT NULL);

CREATE TABLE app.workspaces (id uuid PRIMARY KEY, tenant_id uuid NOT NULL, name text NOT NULL, owner_id uuid NOT NULL);
CREATE TABLE app.documents (
    id uuid PRIMARY KEY,
    workspace_id uuid NOT NULL,
    author_id uuid NOT NULL,
    parent_id uuid,
    template_id uuid,
    title text NOT NULL,
    google_drive_file_id text
);
CREATE TABLE app.templates (id uuid PRIMARY KEY, workspace_id uuid, name text NOT NULL);
CREATE TABLE app.document_shares (document_id uuid NOT NULL, user_id uuid NOT NULL, access text NOT NULL, PRIMARY KEY (document_id, user_id));
CREATE TABLE app.activity (id bigserial PRIMARY KEY, document_id uuid, user_id uuid, event_id bigint, verb text NOT NULL);

-- Copies for reporting and archiving: the same names in two other schemas.
CREATE TABLE reporting.events (id bigint PRIMARY KEY, kind text NOT NULL);
CREATE TABLE archive.events (id bigint PRIMARY KEY, kind text NOT NULL, archived_at timestamptz);

INSERT INTO billing.plans VALUES ('free', 'Free', 0), ('team', 'Team', 2900);
INSERT INTO billing.currencies VALUES ('EUR', '€'), ('USD', '$');
INSERT INTO billing.subscriptions VALUES ('8d3f7a10-0000-4000-8000-000000000001', '8d3f7a10-0000-4000-8000-0000000000aa', 'team', 'EUR', 'sub_1PqR2s', now());
INSERT INTO billing.invoices VALUES ('8d3f7a10-0000-4000-8000-000000000002', '8d3f7a10-0000-4000-8000-000000000001', 'INV-0001', '5O190127TN364715T', NULL, 2900);
INSERT INTO billing.invoice_lines (invoice_number, description, cents) VALUES ('INV-0001', 'Team plan', 2900);
