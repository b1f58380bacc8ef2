-- A Django shop with a small CMS, as `manage.py migrate` creates it, foreign keys dropped.
CREATE TABLE django_content_type (
    id serial PRIMARY KEY,
    app_label varchar(100) NOT NULL,
    model varchar(100) NOT NULL,
    CONSTRAINT django_content_type_app_label_model_76bd3d3b_uniq UNIQUE (app_label, model)
);
CREATE TABLE auth_permission (
    id serial PRIMARY KEY,
    name varchar(255) NOT NULL,
    content_type_id integer NOT NULL,
    codename varchar(100) NOT NULL,
    CONSTRAINT auth_permission_content_type_id_codename_01ab375a_uniq UNIQUE (content_type_id, codename)
);
CREATE TABLE auth_group (id serial PRIMARY KEY, name varchar(150) NOT NULL UNIQUE);
CREATE TABLE auth_group_permissions (
    id bigserial PRIMARY KEY,
    group_id integer NOT NULL,
    permission_id integer NOT NULL,
    UNIQUE (group_id, permission_id)
);
CREATE TABLE auth_user (
    id serial PRIMARY KEY,
    password varchar(128) NOT NULL,
    last_login timestamptz,
    is_superuser boolean NOT NULL,
    username varchar(150) NOT NULL UNIQUE,
    first_name varchar(150) NOT NULL,
    last_name varchar(150) NOT NULL,
    email varchar(254) NOT NULL,
    is_staff boolean NOT NULL,
    is_active boolean NOT NULL,
    date_joined timestamptz NOT NULL
);
CREATE TABLE auth_user_groups (
    id bigserial PRIMARY KEY,
    user_id integer NOT NULL,
    group_id integer NOT NULL,
    UNIQUE (user_id, group_id)
);
CREATE TABLE auth_user_user_permissions (
    id bigserial PRIMARY KEY,
    user_id integer NOT NULL,
    permission_id integer NOT NULL,
    UNIQUE (user_id, permission_id)
);
CREATE TABLE django_admin_log (
    id serial PRIMARY KEY,
    action_time timestamptz NOT NULL,
    object_id text,
    object_repr varchar(200) NOT NULL,
    action_flag smallint NOT NULL CHECK (action_flag >= 0),
    change_message text NOT NULL,
    content_type_id integer,
    user_id integer NOT NULL
);
CREATE TABLE django_session (session_key varchar(40) PRIMARY KEY, session_data text NOT NULL, expire_date timestamptz NOT NULL);

-- accounts: a profile per user (1:1 on its own key) and addresses
CREATE TABLE accounts_profile (
    user_id integer PRIMARY KEY,
    phone varchar(32) NOT NULL,
    default_billing_address_id bigint,
    default_shipping_address_id bigint
);
CREATE TABLE accounts_address (
    id bigserial PRIMARY KEY,
    user_id integer,
    first_name varchar(256) NOT NULL,
    street_address_1 varchar(256) NOT NULL,
    city varchar(256) NOT NULL,
    country_code varchar(2) NOT NULL
);

-- catalogue
CREATE TABLE catalogue_category (
    id bigserial PRIMARY KEY,
    name varchar(250) NOT NULL,
    slug varchar(255) NOT NULL UNIQUE,
    parent_id bigint,
    lft integer NOT NULL,
    rght integer NOT NULL,
    tree_id integer NOT NULL,
    level integer NOT NULL
);
CREATE TABLE catalogue_producttype (id bigserial PRIMARY KEY, name varchar(250) NOT NULL, has_variants boolean NOT NULL);
CREATE TABLE catalogue_product (
    id bigserial PRIMARY KEY,
    name varchar(250) NOT NULL,
    slug varchar(255) NOT NULL UNIQUE,
    product_type_id bigint NOT NULL,
    category_id bigint,
    created_by_id integer,
    updated_at timestamptz NOT NULL
);
CREATE TABLE catalogue_productvariant (
    id bigserial PRIMARY KEY,
    sku varchar(255) UNIQUE,
    name varchar(255) NOT NULL,
    product_id bigint NOT NULL,
    price_amount numeric(12, 3)
);
CREATE TABLE catalogue_productimage (
    id bigserial PRIMARY KEY,
    product_id bigint NOT NULL,
    image varchar(100) NOT NULL,
    alt varchar(128) NOT NULL,
    sort_order integer
);
CREATE TABLE catalogue_product_collections (
    id bigserial PRIMARY KEY,
    product_id bigint NOT NULL,
    collection_id bigint NOT NULL,
    UNIQUE (product_id, collection_id)
);
CREATE TABLE catalogue_collection (id bigserial PRIMARY KEY, name varchar(250) NOT NULL, slug varchar(255) NOT NULL UNIQUE);

-- orders
CREATE TABLE orders_order (
    id uuid PRIMARY KEY,
    created timestamptz NOT NULL,
    status varchar(32) NOT NULL,
    user_id integer,
    billing_address_id bigint,
    shipping_address_id bigint,
    user_email varchar(254) NOT NULL,
    original_id uuid,
    voucher_id bigint,
    total_gross_amount numeric(12, 3) NOT NULL
);
CREATE TABLE orders_orderline (
    id uuid PRIMARY KEY,
    order_id uuid NOT NULL,
    variant_id bigint,
    product_name varchar(386) NOT NULL,
    product_sku varchar(255),
    quantity integer NOT NULL CHECK (quantity >= 0),
    unit_price_gross_amount numeric(12, 3) NOT NULL
);
CREATE TABLE orders_fulfillment (
    id bigserial PRIMARY KEY,
    fulfillment_order integer NOT NULL CHECK (fulfillment_order >= 0),
    order_id uuid NOT NULL,
    tracking_number varchar(255) NOT NULL,
    status varchar(32) NOT NULL
);
CREATE TABLE orders_fulfillmentline (
    id bigserial PRIMARY KEY,
    order_line_id uuid NOT NULL,
    fulfillment_id bigint NOT NULL,
    quantity integer NOT NULL
);
CREATE TABLE discount_voucher (id bigserial PRIMARY KEY, code varchar(255) NOT NULL UNIQUE, usage_limit integer);
CREATE TABLE payment_payment (
    id bigserial PRIMARY KEY,
    gateway varchar(255) NOT NULL,
    order_id uuid,
    psp_reference varchar(512),
    stripe_charge_id varchar(255),
    total numeric(12, 3) NOT NULL
);

-- cms: pages with multi-table inheritance, revisions, and generic comments
CREATE TABLE cms_page (
    id serial PRIMARY KEY,
    path varchar(255) NOT NULL UNIQUE,
    title varchar(255) NOT NULL,
    slug varchar(255) NOT NULL,
    content_type_id integer NOT NULL,
    owner_id integer,
    locked_by_id integer,
    live_revision_id integer,
    latest_revision_id integer,
    alias_of_id integer
);
CREATE TABLE cms_revision (
    id serial PRIMARY KEY,
    object_id varchar(255) NOT NULL,
    content_type_id integer NOT NULL,
    base_content_type_id integer NOT NULL,
    user_id integer,
    created_at timestamptz NOT NULL,
    content jsonb NOT NULL
);
CREATE TABLE home_homepage (page_ptr_id integer PRIMARY KEY, intro text NOT NULL, hero_image_id integer);
CREATE TABLE blog_blogpage (page_ptr_id integer PRIMARY KEY, date date NOT NULL, body text NOT NULL, author_id integer);
CREATE TABLE media_image (
    id serial PRIMARY KEY,
    title varchar(255) NOT NULL,
    file varchar(100) NOT NULL,
    uploaded_by_user_id integer,
    collection_id bigint
);
CREATE TABLE django_comments (
    id serial PRIMARY KEY,
    object_pk text NOT NULL,
    content_type_id integer NOT NULL,
    user_id integer,
    comment text NOT NULL,
    submit_date timestamptz NOT NULL,
    site_id integer NOT NULL
);
CREATE TABLE django_site (id serial PRIMARY KEY, domain varchar(100) NOT NULL UNIQUE, name varchar(50) NOT NULL);
CREATE TABLE taggit_tag (id serial PRIMARY KEY, name varchar(100) NOT NULL UNIQUE, slug varchar(100) NOT NULL UNIQUE);
CREATE TABLE taggit_taggeditem (
    id serial PRIMARY KEY,
    object_id integer NOT NULL,
    content_type_id integer NOT NULL,
    tag_id integer NOT NULL
);
