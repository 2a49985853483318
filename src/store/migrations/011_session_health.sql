-- Session health (SPEC §10, issue 16). `health` is what the gateway last concluded from the provider:
-- healthy, disconnected, logged_out, silent or unknown (never asked yet, adopted sessions included).
-- `last_event_at`: the last time the provider was heard from for the session (an event, a successful
-- call), written coalesced, at most about once a minute per session. `last_checked_at`: the last
-- reconciliation with the provider's /session/status, which also tells a pass what is still due.
ALTER TABLE wa_sessions ADD COLUMN IF NOT EXISTS health varchar(16) NOT NULL DEFAULT 'unknown';
ALTER TABLE wa_sessions ADD COLUMN IF NOT EXISTS last_event_at timestamptz;
ALTER TABLE wa_sessions ADD COLUMN IF NOT EXISTS last_checked_at timestamptz;
