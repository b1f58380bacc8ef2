-- A discussion forum in the style of Discourse (Rails, integer ids), foreign keys dropped.
CREATE TABLE users (id serial PRIMARY KEY, username varchar(60) NOT NULL, name varchar, trust_level integer NOT NULL, approved_by_id integer, primary_group_id integer, flair_group_id integer, title varchar);
CREATE TABLE groups (id serial PRIMARY KEY, name varchar NOT NULL, user_count integer DEFAULT 0 NOT NULL, flair_upload_id integer);
CREATE TABLE group_users (id serial PRIMARY KEY, group_id integer NOT NULL, user_id integer NOT NULL, owner boolean DEFAULT false NOT NULL, notification_level integer DEFAULT 2 NOT NULL);
CREATE TABLE uploads (id serial PRIMARY KEY, user_id integer NOT NULL, original_filename varchar NOT NULL, filesize bigint NOT NULL, url varchar NOT NULL, sha1 varchar(40), access_control_post_id bigint);
CREATE TABLE categories (
    id serial PRIMARY KEY,
    name varchar(50) NOT NULL,
    color varchar(6) DEFAULT '0088CC' NOT NULL,
    topic_id integer,
    user_id integer NOT NULL,
    parent_category_id integer,
    uploaded_logo_id integer,
    uploaded_background_id integer,
    latest_post_id integer,
    latest_topic_id integer
);
CREATE TABLE topics (
    id serial PRIMARY KEY,
    title varchar NOT NULL,
    last_posted_at timestamp,
    user_id integer,
    last_post_user_id integer NOT NULL,
    category_id integer,
    featured_user1_id integer,
    featured_user2_id integer,
    featured_user3_id integer,
    deleted_by_id integer,
    image_upload_id bigint,
    archetype varchar DEFAULT 'regular' NOT NULL
);
CREATE TABLE posts (
    id serial PRIMARY KEY,
    user_id integer,
    topic_id integer NOT NULL,
    post_number integer NOT NULL,
    raw text NOT NULL,
    reply_to_post_number integer,
    reply_to_user_id integer,
    last_editor_id integer,
    deleted_by_id integer,
    locked_by_id integer,
    image_upload_id bigint
);
CREATE TABLE post_action_types (id serial PRIMARY KEY, name_key varchar(50) NOT NULL, is_flag boolean DEFAULT false NOT NULL);
CREATE TABLE post_actions (
    id serial PRIMARY KEY,
    post_id integer NOT NULL,
    user_id integer NOT NULL,
    post_action_type_id integer NOT NULL,
    deleted_by_id integer,
    agreed_by_id integer,
    disagreed_by_id integer,
    deferred_by_id integer,
    related_post_id integer
);
CREATE TABLE badge_types (id serial PRIMARY KEY, name varchar NOT NULL);
CREATE TABLE badge_groupings (id serial PRIMARY KEY, name varchar NOT NULL, position integer NOT NULL);
CREATE TABLE badges (
    id serial PRIMARY KEY,
    name varchar NOT NULL,
    badge_type_id integer NOT NULL,
    badge_grouping_id integer DEFAULT 5 NOT NULL,
    image_upload_id integer,
    grant_count integer DEFAULT 0 NOT NULL
);
CREATE TABLE notifications (
    id serial PRIMARY KEY,
    notification_type integer NOT NULL,
    user_id integer NOT NULL,
    data varchar(1000) NOT NULL,
    read boolean DEFAULT false NOT NULL,
    topic_id integer,
    post_number integer,
    post_action_id integer
);
CREATE TABLE user_badges (
    id serial PRIMARY KEY,
    badge_id integer NOT NULL,
    user_id integer NOT NULL,
    granted_at timestamp NOT NULL,
    granted_by_id integer NOT NULL,
    post_id integer,
    notification_id integer,
    seq integer DEFAULT 0 NOT NULL
);
CREATE TABLE user_profiles (
    user_id integer PRIMARY KEY,
    location varchar(3000),
    website varchar(3000),
    bio_raw text,
    profile_background_upload_id integer,
    card_background_upload_id integer,
    granted_title_badge_id bigint,
    featured_topic_id integer
);
CREATE TABLE topic_users (id serial PRIMARY KEY, user_id integer NOT NULL, topic_id integer NOT NULL, posted boolean DEFAULT false NOT NULL, last_read_post_number integer);
CREATE TABLE invites (id serial PRIMARY KEY, invite_key varchar(32) NOT NULL, email varchar, invited_by_id integer NOT NULL, redeemed_at timestamp);
CREATE TABLE invited_users (id serial PRIMARY KEY, user_id integer, invite_id integer NOT NULL, redeemed_at timestamp);
CREATE TABLE email_logs (
    id serial PRIMARY KEY,
    to_address varchar NOT NULL,
    email_type varchar NOT NULL,
    user_id integer,
    post_id integer,
    bounce_key uuid,
    message_id varchar,
    smtp_group_id integer
);
CREATE TABLE user_actions (
    id serial PRIMARY KEY,
    action_type integer NOT NULL,
    user_id integer NOT NULL,
    target_topic_id integer,
    target_post_id integer,
    target_user_id integer,
    acting_user_id integer
);
