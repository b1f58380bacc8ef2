-- A network source of truth in the style of NetBox (Django apps dcim, ipam, tenancy, extras), foreign keys dropped.
CREATE TABLE django_content_type (id serial PRIMARY KEY, app_label varchar(100) NOT NULL, model varchar(100) NOT NULL, UNIQUE (app_label, model));
CREATE TABLE auth_user (id serial PRIMARY KEY, username varchar(150) NOT NULL UNIQUE, email varchar(254) NOT NULL, is_staff boolean NOT NULL);
CREATE TABLE users_token (id bigserial PRIMARY KEY, user_id integer NOT NULL, key varchar(40) NOT NULL UNIQUE, write_enabled boolean NOT NULL, expires timestamptz);
CREATE TABLE tenancy_tenantgroup (id bigserial PRIMARY KEY, name varchar(100) NOT NULL, slug varchar(100) NOT NULL, parent_id bigint, lft integer NOT NULL, rght integer NOT NULL, tree_id integer NOT NULL, level integer NOT NULL);
CREATE TABLE tenancy_tenant (id bigserial PRIMARY KEY, name varchar(100) NOT NULL, slug varchar(100) NOT NULL, group_id bigint, description varchar(200) NOT NULL);
CREATE TABLE dcim_region (id bigserial PRIMARY KEY, name varchar(100) NOT NULL, slug varchar(100) NOT NULL, parent_id bigint, lft integer NOT NULL, rght integer NOT NULL, tree_id integer NOT NULL, level integer NOT NULL);
CREATE TABLE dcim_sitegroup (id bigserial PRIMARY KEY, name varchar(100) NOT NULL, slug varchar(100) NOT NULL, parent_id bigint);
CREATE TABLE dcim_site (
    id bigserial PRIMARY KEY,
    name varchar(100) NOT NULL,
    slug varchar(100) NOT NULL,
    status varchar(50) NOT NULL,
    region_id bigint,
    group_id bigint,
    tenant_id bigint,
    facility varchar(50) NOT NULL,
    time_zone varchar(63) NOT NULL,
    asns_count integer
);
CREATE TABLE dcim_location (id bigserial PRIMARY KEY, name varchar(100) NOT NULL, site_id bigint NOT NULL, parent_id bigint, tenant_id bigint);
CREATE TABLE dcim_manufacturer (id bigserial PRIMARY KEY, name varchar(100) NOT NULL UNIQUE, slug varchar(100) NOT NULL UNIQUE);
CREATE TABLE dcim_devicetype (id bigserial PRIMARY KEY, manufacturer_id bigint NOT NULL, model varchar(100) NOT NULL, slug varchar(100) NOT NULL, u_height numeric(4, 1) NOT NULL);
CREATE TABLE dcim_devicerole (id bigserial PRIMARY KEY, name varchar(100) NOT NULL UNIQUE, slug varchar(100) NOT NULL UNIQUE, color varchar(6) NOT NULL);
CREATE TABLE dcim_platform (id bigserial PRIMARY KEY, name varchar(100) NOT NULL UNIQUE, manufacturer_id bigint);
CREATE TABLE dcim_rack (id bigserial PRIMARY KEY, name varchar(100) NOT NULL, site_id bigint NOT NULL, location_id bigint, tenant_id bigint, role_id bigint);
CREATE TABLE dcim_rackrole (id bigserial PRIMARY KEY, name varchar(100) NOT NULL UNIQUE);
CREATE TABLE dcim_virtualchassis (id bigserial PRIMARY KEY, name varchar(64) NOT NULL, domain varchar(30) NOT NULL, master_id bigint UNIQUE);
CREATE TABLE virtualization_cluster (id bigserial PRIMARY KEY, name varchar(100) NOT NULL, type_id bigint NOT NULL, site_id bigint, tenant_id bigint);
CREATE TABLE virtualization_clustertype (id bigserial PRIMARY KEY, name varchar(100) NOT NULL UNIQUE);
CREATE TABLE dcim_device (
    id bigserial PRIMARY KEY,
    name varchar(64),
    serial varchar(50) NOT NULL,
    asset_tag varchar(50) UNIQUE,
    device_type_id bigint NOT NULL,
    role_id bigint NOT NULL,
    platform_id bigint,
    site_id bigint NOT NULL,
    location_id bigint,
    rack_id bigint,
    tenant_id bigint,
    cluster_id bigint,
    virtual_chassis_id bigint,
    vc_position smallint,
    primary_ip4_id bigint UNIQUE,
    primary_ip6_id bigint UNIQUE,
    oob_ip_id bigint UNIQUE,
    config_template_id bigint
);
CREATE TABLE extras_configtemplate (id bigserial PRIMARY KEY, name varchar(100) NOT NULL, template_code text NOT NULL);
CREATE TABLE dcim_interface (
    id bigserial PRIMARY KEY,
    device_id bigint NOT NULL,
    name varchar(64) NOT NULL,
    type varchar(50) NOT NULL,
    parent_id bigint,
    bridge_id bigint,
    lag_id bigint,
    mtu integer,
    mac_address macaddr,
    untagged_vlan_id bigint,
    vrf_id bigint
);
CREATE TABLE ipam_vrf (id bigserial PRIMARY KEY, name varchar(100) NOT NULL, rd varchar(21) UNIQUE, tenant_id bigint);
CREATE TABLE ipam_role (id bigserial PRIMARY KEY, name varchar(100) NOT NULL UNIQUE, weight smallint NOT NULL);
CREATE TABLE ipam_vlangroup (id bigserial PRIMARY KEY, name varchar(100) NOT NULL, scope_type_id integer, scope_id bigint);
CREATE TABLE ipam_vlan (id bigserial PRIMARY KEY, vid smallint NOT NULL, name varchar(64) NOT NULL, site_id bigint, group_id bigint, tenant_id bigint, role_id bigint);
CREATE TABLE ipam_prefix (
    id bigserial PRIMARY KEY,
    prefix cidr NOT NULL,
    site_id bigint,
    vrf_id bigint,
    tenant_id bigint,
    vlan_id bigint,
    role_id bigint,
    is_pool boolean NOT NULL,
    status varchar(50) NOT NULL
);
CREATE TABLE ipam_ipaddress (
    id bigserial PRIMARY KEY,
    address inet NOT NULL,
    vrf_id bigint,
    tenant_id bigint,
    assigned_object_type_id integer,
    assigned_object_id bigint,
    nat_inside_id bigint,
    status varchar(50) NOT NULL,
    dns_name varchar(255) NOT NULL
);
CREATE TABLE extras_tag (id bigserial PRIMARY KEY, name varchar(100) NOT NULL UNIQUE, slug varchar(100) NOT NULL UNIQUE, color varchar(6) NOT NULL);
CREATE TABLE extras_taggeditem (id bigserial PRIMARY KEY, object_id integer NOT NULL, content_type_id integer NOT NULL, tag_id bigint NOT NULL);
CREATE TABLE core_objectchange (
    id bigserial PRIMARY KEY,
    time timestamptz NOT NULL,
    user_id integer,
    user_name varchar(150) NOT NULL,
    request_id uuid NOT NULL,
    action varchar(50) NOT NULL,
    changed_object_type_id integer NOT NULL,
    changed_object_id bigint NOT NULL,
    related_object_type_id integer,
    related_object_id bigint,
    object_repr varchar(200) NOT NULL
);
CREATE TABLE extras_journalentry (
    id bigserial PRIMARY KEY,
    assigned_object_type_id integer NOT NULL,
    assigned_object_id bigint NOT NULL,
    created_by_id integer,
    kind varchar(30) NOT NULL,
    comments text NOT NULL
);
