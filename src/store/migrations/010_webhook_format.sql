-- Issue 12 §1: relay deliveries a genfity-wa receiver understands (SPEC §10).
-- `provider` delivers the event exactly as genfity-wa posted it; `envelope` the gateway's JSON envelope.
-- Sessions that were already relayed before this migration have been receiving envelopes and keep
-- them, so no receiver breaks on upgrade; every other session (direct mode, an adopted Go database)
-- was receiving genfity-wa's own posts and gets the default.
ALTER TABLE wa_sessions ADD COLUMN IF NOT EXISTS webhook_format varchar(16) NOT NULL DEFAULT 'provider';
UPDATE wa_sessions SET webhook_format = 'envelope' WHERE relay_id IS NOT NULL;

-- Switching the relay on: the relay URL genfity-wa was last pointed at for the session (null: never,
-- or before this migration), and why re-pointing gave up on a session (its provider user is gone).
ALTER TABLE wa_sessions ADD COLUMN IF NOT EXISTS relay_target text;
ALTER TABLE wa_sessions ADD COLUMN IF NOT EXISTS relay_skip_reason text;

-- A delivery keeps the exact bytes it sends and their content type: a provider body is signed as it
-- is, and text would not keep every byte of it (an invalid UTF-8 sequence). Existing bodies are JSON.
ALTER TABLE gateway_webhook_deliveries ALTER COLUMN body TYPE bytea USING convert_to(body, 'UTF8');
ALTER TABLE gateway_webhook_deliveries ADD COLUMN IF NOT EXISTS content_type varchar(255) NOT NULL DEFAULT 'application/json';

-- A job that runs for a while on one instance at a time holds a lease here, renewed as it works; a
-- lease whose holder died runs out and another instance takes the job over.
CREATE TABLE IF NOT EXISTS gateway_job_leases (
  job text PRIMARY KEY,
  holder text NOT NULL,
  expires_at timestamptz NOT NULL
);
