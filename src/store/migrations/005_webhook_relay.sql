-- Webhook relay (SPEC §6). The provider posts to the gateway at a per-session address, signed with a
-- per-session key the gateway chose; the gateway relays to the customer through a durable outbox.
ALTER TABLE wa_sessions ADD COLUMN IF NOT EXISTS relay_id varchar(64);
ALTER TABLE wa_sessions ADD COLUMN IF NOT EXISTS relay_hmac_key text;
CREATE UNIQUE INDEX IF NOT EXISTS uq_wa_sessions_relay_id ON wa_sessions (relay_id);

-- One row per provider event and session, kept for a short while: its key makes the provider's
-- retries, and the same event arriving through both the session and the global webhook, count once.
CREATE TABLE IF NOT EXISTS gateway_webhook_events (
  id bigserial PRIMARY KEY,
  session_row_id bigint NOT NULL,
  event_key varchar(128) NOT NULL,
  event_type varchar(64) NOT NULL,
  payload jsonb NOT NULL,
  received_at timestamptz NOT NULL,
  processed_at timestamptz
);
CREATE UNIQUE INDEX IF NOT EXISTS uq_gateway_webhook_events_key ON gateway_webhook_events (session_row_id, event_key);
CREATE INDEX IF NOT EXISTS idx_gateway_webhook_events_unprocessed ON gateway_webhook_events (received_at) WHERE processed_at IS NULL;

-- The outbox: one row per delivery to a customer URL, until delivered or given up, then pruned.
CREATE TABLE IF NOT EXISTS gateway_webhook_deliveries (
  id bigserial PRIMARY KEY,
  event_id varchar(64) NOT NULL,
  session_row_id bigint NOT NULL,
  user_id varchar(64) NOT NULL,
  session_id varchar(128) NOT NULL,
  event_type varchar(64) NOT NULL,
  url text NOT NULL,
  body text NOT NULL,
  status varchar(16) NOT NULL DEFAULT 'pending',
  attempts integer NOT NULL DEFAULT 0,
  next_attempt_at timestamptz NOT NULL,
  locked_until timestamptz,
  last_status_code integer,
  last_error text,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  delivered_at timestamptz
);
CREATE INDEX IF NOT EXISTS idx_gateway_webhook_deliveries_due ON gateway_webhook_deliveries (next_attempt_at) WHERE status = 'pending';
CREATE INDEX IF NOT EXISTS idx_gateway_webhook_deliveries_session ON gateway_webhook_deliveries (user_id, session_id, created_at DESC);
