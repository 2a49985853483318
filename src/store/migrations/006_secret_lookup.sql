-- Session tokens are found by a keyed hash once they are stored encrypted (SPEC §8: the Go service
-- kept them in plaintext). The plaintext column keeps its name and its unique index.
ALTER TABLE wa_sessions ADD COLUMN IF NOT EXISTS session_token_hash varchar(64);
CREATE UNIQUE INDEX IF NOT EXISTS uq_wa_sessions_session_token_hash ON wa_sessions (session_token_hash);
