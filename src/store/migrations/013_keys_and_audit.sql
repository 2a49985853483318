-- Issue 18 (SPEC §10 "Keys like a key platform").

-- Rotation with overlap: the key replaced by a rotation with `grace_seconds` keeps working until
-- `previous_api_key_expires_at`. Stored as the current key is, its SHA-256 (the Go format), never in
-- plaintext. One previous key at most: a later rotation overwrites it (its grace ends at once).
ALTER TABLE wa_service_users ADD COLUMN IF NOT EXISTS previous_api_key varchar(128);
ALTER TABLE wa_service_users ADD COLUMN IF NOT EXISTS previous_api_key_expires_at timestamptz;
CREATE INDEX IF NOT EXISTS idx_wa_service_users_previous_api_key ON wa_service_users (previous_api_key) WHERE previous_api_key IS NOT NULL;

-- Last use of each key, to the minute, written from memory at most once a minute per key.
ALTER TABLE wa_service_users ADD COLUMN IF NOT EXISTS api_key_last_used_at timestamptz;
ALTER TABLE wa_service_users ADD COLUMN IF NOT EXISTS previous_api_key_last_used_at timestamptz;

-- The audit trail: one row per change, written in the change's own transaction. `changes` maps a
-- field to {"before","after"}, or, for a secret, to "set" / "changed" / "cleared" (never the value).
CREATE TABLE IF NOT EXISTS gateway_audit_log (
  id bigserial PRIMARY KEY,
  at timestamptz NOT NULL,
  actor_type varchar(16) NOT NULL,
  actor_name varchar(128) NOT NULL,
  action varchar(64) NOT NULL,
  user_id varchar(64) NOT NULL,
  session_id varchar(128),
  request_id varchar(128),
  ip varchar(64),
  changes jsonb NOT NULL
);
CREATE INDEX IF NOT EXISTS idx_gateway_audit_log_user ON gateway_audit_log (user_id, at DESC, id DESC);
CREATE INDEX IF NOT EXISTS idx_gateway_audit_log_at ON gateway_audit_log (at DESC, id DESC);
