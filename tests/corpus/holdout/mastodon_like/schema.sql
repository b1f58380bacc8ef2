-- A federated social network in the style of Mastodon's db/schema.rb (bigint ids), foreign keys dropped.
CREATE TABLE accounts (
    id bigserial PRIMARY KEY,
    username character varying DEFAULT ''::character varying NOT NULL,
    domain character varying,
    display_name character varying DEFAULT ''::character varying NOT NULL,
    uri character varying DEFAULT ''::character varying NOT NULL,
    moved_to_account_id bigint,
    suspended_at timestamp without time zone,
    created_at timestamp without time zone NOT NULL
);
CREATE TABLE user_roles (id bigserial PRIMARY KEY, name character varying DEFAULT ''::character varying NOT NULL, permissions bigint DEFAULT 0 NOT NULL);
CREATE TABLE invites (id bigserial PRIMARY KEY, user_id bigint NOT NULL, code character varying DEFAULT ''::character varying NOT NULL, max_uses integer);
CREATE TABLE oauth_applications (
    id bigserial PRIMARY KEY,
    name character varying NOT NULL,
    uid character varying NOT NULL,
    secret character varying NOT NULL,
    redirect_uri text NOT NULL,
    owner_id bigint,
    owner_type character varying
);
CREATE TABLE users (
    id bigserial PRIMARY KEY,
    email character varying DEFAULT ''::character varying NOT NULL,
    account_id bigint NOT NULL,
    invite_id bigint,
    created_by_application_id bigint,
    role_id bigint,
    otp_secret character varying,
    created_at timestamp without time zone NOT NULL
);
CREATE TABLE oauth_access_tokens (
    id bigserial PRIMARY KEY,
    token character varying NOT NULL,
    resource_owner_id bigint,
    application_id bigint,
    scopes character varying,
    revoked_at timestamp without time zone
);
CREATE TABLE conversations (id bigserial PRIMARY KEY, uri character varying);
CREATE TABLE statuses (
    id bigint PRIMARY KEY,
    uri character varying,
    text text DEFAULT ''::text NOT NULL,
    account_id bigint NOT NULL,
    in_reply_to_id bigint,
    in_reply_to_account_id bigint,
    reblog_of_id bigint,
    application_id bigint,
    conversation_id bigint,
    poll_id bigint,
    visibility integer DEFAULT 0 NOT NULL,
    created_at timestamp without time zone NOT NULL
);
CREATE TABLE polls (
    id bigserial PRIMARY KEY,
    account_id bigint,
    status_id bigint,
    expires_at timestamp without time zone,
    options character varying[] DEFAULT '{}'::character varying[] NOT NULL
);
CREATE TABLE poll_votes (id bigserial PRIMARY KEY, account_id bigint, poll_id bigint, choice integer DEFAULT 0 NOT NULL);
CREATE TABLE follows (
    id bigserial PRIMARY KEY,
    account_id bigint NOT NULL,
    target_account_id bigint NOT NULL,
    show_reblogs boolean DEFAULT true NOT NULL,
    uri character varying
);
CREATE TABLE blocks (id bigserial PRIMARY KEY, account_id bigint NOT NULL, target_account_id bigint NOT NULL);
CREATE TABLE favourites (id bigserial PRIMARY KEY, account_id bigint NOT NULL, status_id bigint NOT NULL);
CREATE TABLE mentions (id bigserial PRIMARY KEY, status_id bigint, account_id bigint, silent boolean DEFAULT false NOT NULL);
CREATE TABLE scheduled_statuses (id bigserial PRIMARY KEY, account_id bigint, scheduled_at timestamp without time zone, params jsonb);
CREATE TABLE media_attachments (
    id bigint PRIMARY KEY,
    status_id bigint,
    account_id bigint,
    scheduled_status_id bigint,
    file_file_name character varying,
    remote_url character varying DEFAULT ''::character varying NOT NULL,
    blurhash character varying
);
CREATE TABLE notifications (
    id bigserial PRIMARY KEY,
    activity_id bigint NOT NULL,
    activity_type character varying NOT NULL,
    account_id bigint NOT NULL,
    from_account_id bigint NOT NULL,
    type character varying
);
CREATE TABLE reports (
    id bigserial PRIMARY KEY,
    status_ids bigint[] DEFAULT '{}'::bigint[] NOT NULL,
    comment text DEFAULT ''::text NOT NULL,
    account_id bigint NOT NULL,
    target_account_id bigint NOT NULL,
    action_taken_by_account_id bigint,
    assigned_account_id bigint,
    uri character varying
);
CREATE TABLE account_warnings (
    id bigserial PRIMARY KEY,
    account_id bigint,
    target_account_id bigint,
    action integer DEFAULT 0 NOT NULL,
    report_id bigint,
    text text DEFAULT ''::text NOT NULL
);
CREATE TABLE lists (id bigserial PRIMARY KEY, account_id bigint NOT NULL, title character varying DEFAULT ''::character varying NOT NULL);
CREATE TABLE list_accounts (id bigserial PRIMARY KEY, list_id bigint NOT NULL, account_id bigint NOT NULL, follow_id bigint);
CREATE TABLE tags (id bigserial PRIMARY KEY, name character varying DEFAULT ''::character varying NOT NULL);
CREATE TABLE statuses_tags (status_id bigint NOT NULL, tag_id bigint NOT NULL, PRIMARY KEY (tag_id, status_id));
CREATE TABLE web_push_subscriptions (
    id bigserial PRIMARY KEY,
    endpoint character varying NOT NULL,
    key_p256dh character varying NOT NULL,
    access_token_id bigint,
    user_id bigint
);
CREATE TABLE preview_cards (id bigserial PRIMARY KEY, url character varying DEFAULT ''::character varying NOT NULL, title character varying);
CREATE TABLE preview_cards_statuses (preview_card_id bigint NOT NULL, status_id bigint NOT NULL, PRIMARY KEY (status_id, preview_card_id));
CREATE TABLE custom_emojis (id bigserial PRIMARY KEY, shortcode character varying DEFAULT ''::character varying NOT NULL, domain character varying, category_id bigint);
CREATE TABLE custom_emoji_categories (id bigserial PRIMARY KEY, name character varying);
CREATE TABLE session_activations (
    id bigserial PRIMARY KEY,
    session_id character varying NOT NULL,
    user_id bigint NOT NULL,
    access_token_id bigint,
    user_agent character varying DEFAULT ''::character varying NOT NULL
);
CREATE TABLE account_pins (id bigserial PRIMARY KEY, account_id bigint, target_account_id bigint);
