import type { Queryable } from './db.js';
import type { ParsedContact } from '../lib/contacts.js';

export interface ContactRow {
  id: number; user_id: string; session_id: string; j_id: string; name: string | null; phone: string | null;
  raw: Record<string, unknown> | null; last_synced_at: Date | null; created_at: Date | null; updated_at: Date | null;
}

export async function listContacts(q: Queryable, userId: string, sessionId: string, search: string | null): Promise<ContactRow[]> {
  const { rows } = await q.query<ContactRow>(
    `SELECT * FROM wa_session_contacts WHERE user_id = $1 AND session_id = $2
       AND ($3::text IS NULL OR name ILIKE '%' || $3 || '%' OR phone LIKE '%' || $3 || '%' OR j_id LIKE '%' || $3 || '%')
     ORDER BY name NULLS LAST, j_id`, [userId, sessionId, search]);
  return rows;
}

export interface SyncCounts { added: number; updated: number; removed: number; total: number }

/**
 * Makes the cache equal to the provider's list in one statement (SPEC §3: 10k+ contacts sync in
 * bulk, not row by row). The `old` snapshot gives the counts; unchanged rows keep their updated_at.
 */
export async function replaceContacts(q: Queryable, userId: string, sessionId: string, contacts: ParsedContact[], now: Date): Promise<SyncCounts> {
  const { rows } = await q.query<SyncCounts>(
    `WITH incoming AS (
       SELECT * FROM jsonb_to_recordset($3::jsonb) AS c(jid text, name text, phone text, raw jsonb)),
     old AS (SELECT j_id, name, phone, raw FROM wa_session_contacts WHERE user_id = $1 AND session_id = $2),
     upserted AS (
       INSERT INTO wa_session_contacts AS t (user_id, session_id, j_id, name, phone, raw, last_synced_at, created_at, updated_at)
       SELECT $1, $2, jid, name, phone, raw, $4, $4, $4 FROM incoming
       ON CONFLICT (user_id, session_id, j_id) DO UPDATE SET
         name = EXCLUDED.name, phone = EXCLUDED.phone, raw = EXCLUDED.raw, last_synced_at = EXCLUDED.last_synced_at,
         updated_at = CASE WHEN (t.name, t.phone, t.raw) IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.phone, EXCLUDED.raw)
                           THEN EXCLUDED.updated_at ELSE t.updated_at END
       RETURNING 1),
     removed AS (
       DELETE FROM wa_session_contacts c WHERE c.user_id = $1 AND c.session_id = $2
         AND NOT EXISTS (SELECT 1 FROM incoming i WHERE i.jid = c.j_id) RETURNING 1)
     SELECT
       (SELECT count(*) FROM incoming i WHERE NOT EXISTS (SELECT 1 FROM old o WHERE o.j_id = i.jid)) AS added,
       (SELECT count(*) FROM incoming i JOIN old o ON o.j_id = i.jid
         WHERE (o.name, o.phone, o.raw) IS DISTINCT FROM (i.name, i.phone, i.raw)) AS updated,
       (SELECT count(*) FROM removed) AS removed,
       (SELECT count(*) FROM upserted) AS total`,
    [userId, sessionId, JSON.stringify(contacts), now]);
  return rows[0]!;
}
