-- The event list a session was provisioned with, so every later connect can resend all of it
-- (provider-contract §4: a connect without the full list stores "" and silences its webhooks).
ALTER TABLE wa_sessions ADD COLUMN IF NOT EXISTS events text;

-- The Go service duplicated every contact on each sync (go-service-api B1). Contacts are a cache of
-- the provider's list, so the duplicates are folded into the newest row before the key that makes a
-- sync one bulk upsert. No other table is touched.
DELETE FROM wa_session_contacts a USING wa_session_contacts b
 WHERE a.user_id = b.user_id AND a.session_id = b.session_id AND a.j_id = b.j_id AND a.id < b.id;
CREATE UNIQUE INDEX IF NOT EXISTS uq_wa_session_contacts_owner_jid ON wa_session_contacts (user_id, session_id, j_id);
