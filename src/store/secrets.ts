import type { Queryable } from './db.js';

export interface SecretRow {
  id: number;
  session_token: string | null;
  webhook_secret: string | null;
  relay_hmac_key: string | null;
}

/** Rows holding at least one secret not in `prefix` form: what an in-place encryption must visit. */
export async function listRowsWithPlainSecrets(q: Queryable, prefix: string, afterId: number, limit: number): Promise<SecretRow[]> {
  const { rows } = await q.query<SecretRow>(
    `SELECT id, session_token, webhook_secret, relay_hmac_key FROM wa_sessions
     WHERE id > $3 AND ((session_token <> '' AND session_token NOT LIKE $1 || '%') OR session_token_hash IS NULL
       OR (webhook_secret <> '' AND webhook_secret NOT LIKE $1 || '%') OR (relay_hmac_key <> '' AND relay_hmac_key NOT LIKE $1 || '%'))
     ORDER BY id LIMIT $2`,
    [prefix, limit, afterId],
  );
  return rows;
}

/** Every session row from `afterId`, for re-encryption under a new key. */
export async function listSecretRows(q: Queryable, afterId: number, limit: number): Promise<SecretRow[]> {
  const { rows } = await q.query<SecretRow>(
    'SELECT id, session_token, webhook_secret, relay_hmac_key FROM wa_sessions WHERE id > $1 ORDER BY id LIMIT $2',
    [afterId, limit],
  );
  return rows;
}

export async function writeSecrets(q: Queryable, row: SecretRow & { session_token_hash: string | null }): Promise<void> {
  await q.query(
    'UPDATE wa_sessions SET session_token = $2, session_token_hash = $3, webhook_secret = $4, relay_hmac_key = $5 WHERE id = $1',
    [row.id, row.session_token, row.session_token_hash, row.webhook_secret, row.relay_hmac_key],
  );
}

/** One instance at a time rewrites secrets (start-up of several instances together). */
export async function lockSecretRewrite(q: Queryable): Promise<void> {
  // 7_070_001 is the migration lock, 7_070_002 the expiry sweep's.
  await q.query('SELECT pg_advisory_xact_lock($1)', [7_070_003]);
}

/** Any one sealed secret, to check at start-up that the configured key is the one that sealed it. */
export async function findOneSealed(q: Queryable, prefix: string): Promise<string | null> {
  const { rows } = await q.query<{ v: string }>(`SELECT session_token AS v FROM wa_sessions WHERE session_token LIKE $1 || '%' LIMIT 1`, [
    prefix,
  ]);
  return rows[0]?.v ?? null;
}
