-- Issue 11 §5: content-identical events (`Connected {}`, `Disconnected {}`) are separate occurrences,
-- so an event key is no longer unique per session. Which webhook each stored event arrived through
-- (the session's own, the provider's global one, or both) tells a second copy of one occurrence from
-- the next occurrence. Rows stored before this migration count as seen through both.
DROP INDEX IF EXISTS uq_gateway_webhook_events_key;
CREATE INDEX IF NOT EXISTS idx_gateway_webhook_events_key ON gateway_webhook_events (session_row_id, event_key, received_at);
CREATE INDEX IF NOT EXISTS idx_gateway_webhook_events_session ON gateway_webhook_events (session_row_id, id);
ALTER TABLE gateway_webhook_events ADD COLUMN IF NOT EXISTS via_session boolean NOT NULL DEFAULT true;
ALTER TABLE gateway_webhook_events ADD COLUMN IF NOT EXISTS via_global boolean NOT NULL DEFAULT true;
ALTER TABLE gateway_webhook_events ALTER COLUMN via_session SET DEFAULT false;
ALTER TABLE gateway_webhook_events ALTER COLUMN via_global SET DEFAULT false;
