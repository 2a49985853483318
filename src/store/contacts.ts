import type { ParsedContact, StoredContact } from '../lib/contacts.js';
import type { Queryable } from './db.js';

export interface ContactRow {
  id: number;
  user_id: string;
  session_id: string;
  j_id: string;
  name: string | null;
  phone: string | null;
  raw: Record<string, unknown> | null;
  last_synced_at: Date | null;
  created_at: Date | null;
  updated_at: Date | null;
}

export async function listContacts(q: Queryable, userId: string, sessionId: string, search: string | null): Promise<ContactRow[]> {
  const { rows } = await q.query<ContactRow>(
    `SELECT * FROM wa_session_contacts WHERE user_id = $1 AND session_id = $2
       AND ($3::text IS NULL OR name ILIKE '%' || $3 || '%' OR phone LIKE '%' || $3 || '%' OR j_id LIKE '%' || $3 || '%')
     ORDER BY name NULLS LAST, j_id`,
    [userId, sessionId, search],
  );
  return rows;
}

/** What the diff needs of the cache, and nothing more. */
export async function listStoredContacts(q: Queryable, userId: string, sessionId: string): Promise<StoredContact[]> {
  const { rows } = await q.query<StoredContact>(
    'SELECT j_id, name, phone, raw FROM wa_session_contacts WHERE user_id = $1 AND session_id = $2',
    [userId, sessionId],
  );
  return rows;
}

/** New and changed contacts in one statement; each row meets its twin through the unique key. */
export async function upsertContacts(q: Queryable, userId: string, sessionId: string, contacts: ParsedContact[], now: Date): Promise<void> {
  if (contacts.length === 0) return;
  await q.query(
    `INSERT INTO wa_session_contacts (user_id, session_id, j_id, name, phone, raw, last_synced_at, created_at, updated_at)
     SELECT $1, $2, c.jid, c.name, c.phone, c.raw, $4, $4, $4 FROM jsonb_to_recordset($3::jsonb) AS c(jid text, name text, phone text, raw jsonb)
     ON CONFLICT (user_id, session_id, j_id) DO UPDATE SET
       name = EXCLUDED.name, phone = EXCLUDED.phone, raw = EXCLUDED.raw, updated_at = EXCLUDED.updated_at`,
    [userId, sessionId, JSON.stringify(contacts), now],
  );
}

export async function deleteContacts(q: Queryable, userId: string, sessionId: string, jids: string[]): Promise<void> {
  if (jids.length === 0) return;
  await q.query('DELETE FROM wa_session_contacts WHERE user_id = $1 AND session_id = $2 AND j_id = ANY($3::text[])', [
    userId,
    sessionId,
    jids,
  ]);
}

/** Every contact the provider still lists was seen by this sync. */
export async function markContactsSynced(q: Queryable, userId: string, sessionId: string, now: Date): Promise<void> {
  await q.query('UPDATE wa_session_contacts SET last_synced_at = $3 WHERE user_id = $1 AND session_id = $2', [userId, sessionId, now]);
}
