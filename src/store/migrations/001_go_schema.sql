-- The schema of the Go service (go-service-api §10), created only where it is missing, so a fresh
-- database looks exactly like one the Go service made and an existing one is adopted untouched.
-- The odd column name j_id is the Go ORM's spelling of JID and is kept on purpose.

CREATE TABLE IF NOT EXISTS wa_service_users (
  id varchar(64) PRIMARY KEY,
  source_service varchar(64) NOT NULL,
  customer_api_key varchar(128) NOT NULL,
  created_by varchar(128),
  status varchar(32) DEFAULT 'active',
  provider_mapping jsonb,
  created_at timestamptz,
  updated_at timestamptz
);
CREATE UNIQUE INDEX IF NOT EXISTS idx_wa_service_users_customer_api_key ON wa_service_users (customer_api_key);
CREATE INDEX IF NOT EXISTS idx_wa_service_users_source_service ON wa_service_users (source_service);
CREATE INDEX IF NOT EXISTS idx_wa_service_users_status ON wa_service_users (status);

CREATE TABLE IF NOT EXISTS wa_user_subscriptions (
  id bigserial PRIMARY KEY,
  user_id varchar(64) NOT NULL,
  provider varchar(32) DEFAULT 'genfity-wa',
  max_sessions bigint DEFAULT 1,
  max_messages bigint DEFAULT 0,
  expires_at timestamptz NOT NULL,
  status varchar(16) DEFAULT 'active',
  created_at timestamptz,
  updated_at timestamptz
);
CREATE INDEX IF NOT EXISTS idx_wa_user_subscriptions_user_id ON wa_user_subscriptions (user_id);
CREATE INDEX IF NOT EXISTS idx_wa_user_subscriptions_provider ON wa_user_subscriptions (provider);
CREATE INDEX IF NOT EXISTS idx_wa_user_subscriptions_expires_at ON wa_user_subscriptions (expires_at);
CREATE INDEX IF NOT EXISTS idx_wa_user_subscriptions_status ON wa_user_subscriptions (status);

CREATE TABLE IF NOT EXISTS wa_sessions (
  id bigserial PRIMARY KEY,
  user_id varchar(64) NOT NULL,
  provider varchar(32) DEFAULT 'genfity-wa',
  session_id varchar(128) NOT NULL,
  session_name varchar(255),
  session_token text,
  webhook_url text,
  connected boolean DEFAULT false,
  logged_in boolean DEFAULT false,
  j_id varchar(255),
  status varchar(64) DEFAULT 'inactive',
  last_synced_at timestamptz,
  last_activity_at timestamptz,
  last_message_sent bigint DEFAULT 0,
  last_message_fail bigint DEFAULT 0,
  created_at timestamptz,
  updated_at timestamptz
);
CREATE INDEX IF NOT EXISTS idx_wa_sessions_user_id ON wa_sessions (user_id);
CREATE INDEX IF NOT EXISTS idx_wa_sessions_provider ON wa_sessions (provider);
CREATE INDEX IF NOT EXISTS idx_wa_sessions_session_id ON wa_sessions (session_id);
CREATE UNIQUE INDEX IF NOT EXISTS idx_wa_sessions_session_token ON wa_sessions (session_token);
CREATE INDEX IF NOT EXISTS idx_wa_sessions_status ON wa_sessions (status);

CREATE TABLE IF NOT EXISTS wa_session_message_stats (
  id bigserial PRIMARY KEY,
  user_id varchar(64) NOT NULL,
  session_id varchar(128) NOT NULL,
  message_type varchar(64),
  total_sent bigint DEFAULT 0,
  total_failed bigint DEFAULT 0,
  last_success_at timestamptz,
  last_failed_at timestamptz,
  created_at timestamptz,
  updated_at timestamptz
);
CREATE INDEX IF NOT EXISTS idx_wa_session_message_stats_user_id ON wa_session_message_stats (user_id);
CREATE INDEX IF NOT EXISTS idx_wa_session_message_stats_session_id ON wa_session_message_stats (session_id);
CREATE INDEX IF NOT EXISTS idx_wa_session_message_stats_message_type ON wa_session_message_stats (message_type);

CREATE TABLE IF NOT EXISTS wa_session_contacts (
  id bigserial PRIMARY KEY,
  user_id varchar(64) NOT NULL,
  session_id varchar(128) NOT NULL,
  j_id varchar(255) NOT NULL,
  name varchar(255),
  phone varchar(64),
  raw jsonb,
  last_synced_at timestamptz,
  created_at timestamptz,
  updated_at timestamptz
);
CREATE INDEX IF NOT EXISTS idx_wa_session_contacts_user_id ON wa_session_contacts (user_id);
CREATE INDEX IF NOT EXISTS idx_wa_session_contacts_session_id ON wa_session_contacts (session_id);
CREATE INDEX IF NOT EXISTS idx_wa_session_contacts_j_id ON wa_session_contacts (j_id);
