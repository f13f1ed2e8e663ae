-- Modelled on Mastodon's schema (db/schema.rb), reduced to what a wave touches.
-- Ids of accounts and statuses are snowflakes like Mastodon's timestamp_id():
-- milliseconds since the epoch shifted left 16 bits, plus a sequence.

CREATE SEQUENCE IF NOT EXISTS timestamp_id_seq;

CREATE OR REPLACE FUNCTION timestamp_id() RETURNS bigint AS $$
  SELECT ((floor(extract(epoch FROM clock_timestamp()) * 1000))::bigint << 16)
         | (nextval('timestamp_id_seq') & 65535);
$$ LANGUAGE sql VOLATILE;

CREATE TABLE IF NOT EXISTS settings (
  var text PRIMARY KEY,
  value text NOT NULL
);

CREATE TABLE IF NOT EXISTS oauth_applications (
  id bigserial PRIMARY KEY,
  name text NOT NULL,
  uid text NOT NULL UNIQUE,
  secret text NOT NULL,
  redirect_uri text NOT NULL,
  scopes text NOT NULL,
  website text,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS accounts (
  id bigint PRIMARY KEY DEFAULT timestamp_id(),
  username text NOT NULL,
  domain text,
  display_name text NOT NULL DEFAULT '',
  note text NOT NULL DEFAULT '',
  locked boolean NOT NULL DEFAULT false,
  bot boolean NOT NULL DEFAULT false,
  discoverable boolean,
  private_key text,
  public_key text NOT NULL DEFAULT '',
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX IF NOT EXISTS index_accounts_on_username_and_domain_lower
  ON accounts (lower(username), COALESCE(lower(domain), ''));

CREATE TABLE IF NOT EXISTS account_stats (
  account_id bigint PRIMARY KEY REFERENCES accounts(id) ON DELETE CASCADE,
  statuses_count bigint NOT NULL DEFAULT 0,
  following_count bigint NOT NULL DEFAULT 0,
  followers_count bigint NOT NULL DEFAULT 0,
  last_status_at timestamptz
);

CREATE TABLE IF NOT EXISTS users (
  id bigserial PRIMARY KEY,
  account_id bigint NOT NULL UNIQUE REFERENCES accounts(id) ON DELETE CASCADE,
  email text NOT NULL,
  encrypted_password text NOT NULL,
  confirmation_token text UNIQUE,
  confirmation_sent_at timestamptz,
  confirmed_at timestamptz,
  approved boolean NOT NULL DEFAULT true,
  disabled boolean NOT NULL DEFAULT false,
  role text NOT NULL DEFAULT '',
  locale text,
  time_zone text,
  reason text,
  agreement boolean NOT NULL DEFAULT false,
  sign_up_ip inet,
  created_by_application_id bigint REFERENCES oauth_applications(id) ON DELETE SET NULL,
  current_sign_in_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX IF NOT EXISTS index_users_on_email_lower ON users (lower(email));

CREATE TABLE IF NOT EXISTS oauth_access_tokens (
  id bigserial PRIMARY KEY,
  token text NOT NULL UNIQUE,
  application_id bigint REFERENCES oauth_applications(id) ON DELETE CASCADE,
  resource_owner_id bigint REFERENCES users(id) ON DELETE CASCADE,
  scopes text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  revoked_at timestamptz
);

CREATE TABLE IF NOT EXISTS statuses (
  id bigint PRIMARY KEY DEFAULT timestamp_id(),
  account_id bigint NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  text text NOT NULL DEFAULT '',
  spoiler_text text NOT NULL DEFAULT '',
  sensitive boolean NOT NULL DEFAULT false,
  visibility smallint NOT NULL DEFAULT 0,
  language text,
  in_reply_to_id bigint,
  in_reply_to_account_id bigint,
  reblog_of_id bigint REFERENCES statuses(id) ON DELETE CASCADE,
  application_id bigint,
  local boolean NOT NULL DEFAULT true,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS index_statuses_20190820 ON statuses (account_id, id DESC);
CREATE INDEX IF NOT EXISTS index_statuses_public_20250129 ON statuses (id DESC) WHERE visibility = 0 AND reblog_of_id IS NULL;
CREATE UNIQUE INDEX IF NOT EXISTS index_statuses_on_account_id_and_reblog_of_id ON statuses (account_id, reblog_of_id) WHERE reblog_of_id IS NOT NULL;
-- Mastodon's, for threads (context), who boosted a post and deleting a boosted
-- post (the cascade would otherwise scan every status).
CREATE INDEX IF NOT EXISTS index_statuses_on_in_reply_to_id ON statuses (in_reply_to_id) WHERE in_reply_to_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS index_statuses_on_reblog_of_id_and_account_id ON statuses (reblog_of_id, account_id);

CREATE TABLE IF NOT EXISTS status_stats (
  status_id bigint PRIMARY KEY REFERENCES statuses(id) ON DELETE CASCADE,
  replies_count bigint NOT NULL DEFAULT 0,
  reblogs_count bigint NOT NULL DEFAULT 0,
  favourites_count bigint NOT NULL DEFAULT 0
);

CREATE TABLE IF NOT EXISTS follows (
  id bigserial PRIMARY KEY,
  account_id bigint NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  target_account_id bigint NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  show_reblogs boolean NOT NULL DEFAULT true,
  notify boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (account_id, target_account_id)
);
CREATE INDEX IF NOT EXISTS index_follows_on_target_account_id ON follows (target_account_id);

CREATE TABLE IF NOT EXISTS favourites (
  id bigserial PRIMARY KEY,
  account_id bigint NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  status_id bigint NOT NULL REFERENCES statuses(id) ON DELETE CASCADE,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (account_id, status_id)
);
CREATE INDEX IF NOT EXISTS index_favourites_on_status_id ON favourites (status_id);

CREATE TABLE IF NOT EXISTS notifications (
  id bigserial PRIMARY KEY,
  account_id bigint NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  from_account_id bigint NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  type text NOT NULL,
  status_id bigint REFERENCES statuses(id) ON DELETE CASCADE,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS index_notifications_on_account_id_and_id ON notifications (account_id, id DESC);

-- Read by the streaming server for every update on a public or hashtag stream
-- (the stand-in has no API to fill them yet, so the checks always pass, at
-- Mastodon's cost of one pooled query per update per listener).
CREATE TABLE IF NOT EXISTS blocks (
  id bigserial PRIMARY KEY,
  account_id bigint NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  target_account_id bigint NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (account_id, target_account_id)
);
CREATE TABLE IF NOT EXISTS mutes (
  id bigserial PRIMARY KEY,
  account_id bigint NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  target_account_id bigint NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (account_id, target_account_id)
);
CREATE TABLE IF NOT EXISTS account_domain_blocks (
  id bigserial PRIMARY KEY,
  account_id bigint NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  domain text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (account_id, domain)
);

-- Federation (see federation/README.md). Remote accounts are accounts with a
-- domain; their ActivityPub addresses live in the columns Mastodon uses.
ALTER TABLE accounts ADD COLUMN IF NOT EXISTS uri text;
ALTER TABLE accounts ADD COLUMN IF NOT EXISTS url text;
ALTER TABLE accounts ADD COLUMN IF NOT EXISTS inbox_url text;
ALTER TABLE accounts ADD COLUMN IF NOT EXISTS shared_inbox_url text;
ALTER TABLE accounts ADD COLUMN IF NOT EXISTS followers_url text;
ALTER TABLE accounts ADD COLUMN IF NOT EXISTS last_webfingered_at timestamptz;
CREATE INDEX IF NOT EXISTS index_accounts_on_uri ON accounts (uri) WHERE uri IS NOT NULL;

ALTER TABLE statuses ADD COLUMN IF NOT EXISTS uri text;
CREATE UNIQUE INDEX IF NOT EXISTS index_statuses_on_uri ON statuses (uri) WHERE uri IS NOT NULL;

-- A follow of a remote account waits here for its Accept.
CREATE TABLE IF NOT EXISTS follow_requests (
  id bigserial PRIMARY KEY,
  account_id bigint NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  target_account_id bigint NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  uri text NOT NULL,
  show_reblogs boolean NOT NULL DEFAULT true,
  notify boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (account_id, target_account_id)
);

CREATE TABLE IF NOT EXISTS unavailable_domains (
  id bigserial PRIMARY KEY,
  domain text NOT NULL UNIQUE,
  created_at timestamptz NOT NULL DEFAULT now()
);
