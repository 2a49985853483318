import type { Queryable } from './db.js';

/** A used key: in flight while `owner` is set, answered once `status` is. */
export interface IdempotencyRow {
  fingerprint: string;
  owner: string | null;
  lease_until: Date | null;
  status: number | null;
  headers: Record<string, string> | null;
  body: Buffer | null;
}

export interface IdempotencyClaimInput {
  key: string;
  fingerprint: string;
  owner: string;
  now: Date;
  leaseUntil: Date;
  expiresAt: Date;
}

/**
 * Takes `key` for `owner` in one statement: a new key, one past its TTL, or one in flight whose
 * owner's lease lapsed (for the same request only: another request with a used key is refused
 * whatever became of the first). True when `owner` holds it now.
 */
export async function claimIdempotencyKey(q: Queryable, c: IdempotencyClaimInput): Promise<boolean> {
  const { rows } = await q.query(
    `INSERT INTO gateway_idempotency_keys AS k (key, fingerprint, owner, lease_until, expires_at, created_at)
     VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (key) DO UPDATE SET fingerprint = EXCLUDED.fingerprint, owner = EXCLUDED.owner,
       lease_until = EXCLUDED.lease_until, expires_at = EXCLUDED.expires_at, created_at = EXCLUDED.created_at,
       status = NULL, headers = NULL, body = NULL
     WHERE k.expires_at <= EXCLUDED.created_at
        OR (k.owner IS NOT NULL AND k.lease_until <= EXCLUDED.created_at AND k.fingerprint = EXCLUDED.fingerprint)
     RETURNING key`,
    [c.key, c.fingerprint, c.owner, c.leaseUntil, c.expiresAt, c.now],
  );
  return rows.length === 1;
}

/** The key as it stands, or null when it is unused or past its TTL. */
export async function findIdempotencyKey(q: Queryable, key: string, now: Date): Promise<IdempotencyRow | null> {
  const { rows } = await q.query<IdempotencyRow>(
    `SELECT fingerprint, owner, lease_until, status, headers, body FROM gateway_idempotency_keys
     WHERE key = $1 AND expires_at > $2`,
    [key, now],
  );
  const row = rows[0];
  // PGlite returns bytea as a Uint8Array, pg as a Buffer.
  return row ? { ...row, body: row.body ? Buffer.from(row.body) : null } : null;
}

/** Pushes the lease of a claim still in flight; false when the claim is no longer `owner`'s. */
export async function renewIdempotencyLease(q: Queryable, key: string, owner: string, leaseUntil: Date): Promise<boolean> {
  const { rowCount } = await q.query('UPDATE gateway_idempotency_keys SET lease_until = $3 WHERE key = $1 AND owner = $2', [
    key,
    owner,
    leaseUntil,
  ]);
  return rowCount === 1;
}

/** Keeps the provider's answer for the claim; false when the claim is no longer `owner`'s. */
export async function completeIdempotencyKey(
  q: Queryable,
  key: string,
  owner: string,
  answer: { status: number; headers: Record<string, string>; body: Buffer },
): Promise<boolean> {
  const { rowCount } = await q.query(
    `UPDATE gateway_idempotency_keys SET owner = NULL, lease_until = NULL, status = $3, headers = $4::jsonb, body = $5
     WHERE key = $1 AND owner = $2`,
    [key, owner, answer.status, JSON.stringify(answer.headers), answer.body],
  );
  return rowCount === 1;
}

/** Gives up a claim that got no answer: the key is free for a retry. */
export async function releaseIdempotencyKey(q: Queryable, key: string, owner: string): Promise<void> {
  await q.query('DELETE FROM gateway_idempotency_keys WHERE key = $1 AND owner = $2', [key, owner]);
}

/** Deletes up to `limit` keys past their TTL; the number deleted. */
export async function pruneIdempotencyKeys(q: Queryable, now: Date, limit: number): Promise<number> {
  const { rowCount } = await q.query(
    `DELETE FROM gateway_idempotency_keys WHERE key IN (
       SELECT key FROM gateway_idempotency_keys WHERE expires_at <= $1 ORDER BY expires_at LIMIT $2)`,
    [now, limit],
  );
  return rowCount;
}
