-- Columns the gateway adds beside the Go schema. Only additions: nothing of the Go service is dropped.

-- Key info that can be shown without the hash (GET /internal/users/:id/apikey).
ALTER TABLE wa_service_users ADD COLUMN IF NOT EXISTS api_key_hint varchar(16);
ALTER TABLE wa_service_users ADD COLUMN IF NOT EXISTS api_key_updated_at timestamptz;

-- The message quota is per user and per subscription period (SPEC §3); a renewal starts a new one.
ALTER TABLE wa_user_subscriptions ADD COLUMN IF NOT EXISTS messages_used bigint NOT NULL DEFAULT 0;
ALTER TABLE wa_user_subscriptions ADD COLUMN IF NOT EXISTS period_started_at timestamptz;
CREATE INDEX IF NOT EXISTS idx_wa_user_subscriptions_user_provider ON wa_user_subscriptions (user_id, provider);

-- Settings the Go service dropped in its last commit and real clients still send (SPEC §2). A
-- database first made by the earlier Go commit already has the first two.
ALTER TABLE wa_sessions ADD COLUMN IF NOT EXISTS auto_read_enabled boolean DEFAULT false;
ALTER TABLE wa_sessions ADD COLUMN IF NOT EXISTS typing_enabled boolean DEFAULT false;
ALTER TABLE wa_sessions ADD COLUMN IF NOT EXISTS webhook_secret text;
CREATE INDEX IF NOT EXISTS idx_wa_sessions_user_session ON wa_sessions (user_id, session_id);
