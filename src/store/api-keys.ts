import type { Queryable } from './db.js';

export interface NewKey {
  hash: string;
  hint: string;
  now: Date;
  /** Until when the replaced key keeps working; null: it stops now. */
  previousUntil: Date | null;
}

/**
 * Installs a new key (its SHA-256, as the Go service stored keys). With a grace the replaced key
 * becomes the previous one, with its last use; without, no previous key is left. Either way an older
 * previous key is overwritten: one previous key at most, so a second rotation ends the first grace.
 */
export async function rotateUserKey(q: Queryable, userId: string, key: NewKey): Promise<void> {
  await q.query(
    `UPDATE wa_service_users SET
       previous_api_key = CASE WHEN $5::timestamptz IS NULL THEN NULL ELSE customer_api_key END,
       previous_api_key_expires_at = $5,
       previous_api_key_last_used_at = CASE WHEN $5::timestamptz IS NULL THEN NULL ELSE api_key_last_used_at END,
       customer_api_key = $2, api_key_hint = $3, api_key_updated_at = $4, api_key_last_used_at = NULL, updated_at = $4
     WHERE id = $1`,
    [userId, key.hash, key.hint, key.now, key.previousUntil],
  );
}

export interface KeyUse {
  hash: string;
  /** The minute of the use. */
  at: Date;
}

/**
 * Moves the last use of each key forward (never back), whether it is a user's current or previous
 * key, in two statements for any number of keys. A row another instance already moved to this minute
 * is not written again.
 */
export async function recordKeyUses(q: Queryable, uses: readonly KeyUse[]): Promise<void> {
  if (uses.length === 0) return;
  const payload = JSON.stringify(uses);
  for (const [key, used] of [
    ['customer_api_key', 'api_key_last_used_at'],
    ['previous_api_key', 'previous_api_key_last_used_at'],
  ] as const) {
    await q.query(
      `UPDATE wa_service_users u SET ${used} = d.at
       FROM jsonb_to_recordset($1::jsonb) AS d(hash text, at timestamptz)
       WHERE u.${key} = d.hash AND (u.${used} IS NULL OR u.${used} < d.at)`,
      [payload],
    );
  }
}
