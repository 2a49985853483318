import type { Queryable } from './db.js';
import { PROVISIONING, type SessionRow } from './sessions.js';

// Switching the relay on for sessions provisioned without it (issue 12 §1). `prefix` is the relay URL
// without the relay id (`<GATEWAY_PUBLIC_URL>/webhook/wa/s/`): a session is pointed when genfity-wa
// was last given `prefix || relay_id`, so a changed GATEWAY_PUBLIC_URL re-points every session again.
const TO_POINT = `status IS DISTINCT FROM '${PROVISIONING}' AND relay_skip_reason IS NULL
  AND (relay_id IS NULL OR relay_target IS DISTINCT FROM $1 || relay_id)`;

export async function countSessionsToPoint(q: Queryable, prefix: string): Promise<number> {
  const { rows } = await q.query<{ n: number }>(`SELECT count(*) AS n FROM wa_sessions WHERE ${TO_POINT}`, [prefix]);
  return rows[0]?.n ?? 0;
}

/** The next session, in row order after `afterRowId`, that genfity-wa does not post to the relay for yet. */
export async function findNextSessionToPoint(q: Queryable, prefix: string, afterRowId: number): Promise<SessionRow | null> {
  const { rows } = await q.query<SessionRow>(`SELECT * FROM wa_sessions WHERE ${TO_POINT} AND id > $2 ORDER BY id LIMIT 1`, [
    prefix,
    afterRowId,
  ]);
  return rows[0] ?? null;
}

/** Gives the session a relay id and key unless it has both; the row as it is then (null: gone). */
export async function assignRelay(q: Queryable, rowId: number, relayId: string, sealedKey: string): Promise<SessionRow | null> {
  await q.query(
    'UPDATE wa_sessions SET relay_id = $2, relay_hmac_key = $3 WHERE id = $1 AND (relay_id IS NULL OR relay_hmac_key IS NULL)',
    [rowId, relayId, sealedKey],
  );
  const { rows } = await q.query<SessionRow>('SELECT * FROM wa_sessions WHERE id = $1', [rowId]);
  return rows[0] ?? null;
}

/**
 * genfity-wa now posts the session's events to `target`; `events` is what the customer subscribed to.
 * Not a change the customer made: `updated_at` stays.
 */
export async function markRelayTarget(q: Queryable, rowId: number, target: string, events: string): Promise<void> {
  await q.query('UPDATE wa_sessions SET relay_target = $2, events = $3 WHERE id = $1', [rowId, target, events]);
}

export async function markRelaySkipped(q: Queryable, rowId: number, reason: string): Promise<void> {
  await q.query('UPDATE wa_sessions SET relay_skip_reason = $2 WHERE id = $1', [rowId, reason]);
}
