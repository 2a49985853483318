import { AppError } from '../errors.js';
import type { Clock } from '../lib/clock.js';
import { createTtlCache } from '../lib/lru.js';
import type { Db } from '../store/index.js';
import { findByToken, type TokenRow } from '../store/gateway.js';
import type { SecretCodec } from './secret-codec.js';
import { DEFAULT_PROVIDER } from './subscriptions.js';
import { requireTenantAccess } from './tenant-access.js';

/** Who a `/wa/*` request acts as: the session its token opens, with its owner and subscription. */
export type SessionPrincipal = TokenRow;

/**
 * Session token → session, owner and subscription for the hot path (SPEC §4 design note). Hits come
 * from memory for at most `ttlMs`, so a token revoked on another instance stops working within that
 * time; changes made through this instance drop the entries at once.
 */
export function createSessionTokens(deps: { db: Db; clock: Clock; codec: Pick<SecretCodec, 'lookup'>; ttlMs?: number; max?: number }) {
  const { db, clock } = deps;
  const cache = createTtlCache<string, TokenRow>({ max: deps.max ?? 50_000, ttlMs: deps.ttlMs ?? 1_000, now: () => clock.now().getTime() });

  /** Refuses a missing token (401), an unknown one (403, as the Go service), an inactive owner (B8) or a lapsed plan. */
  async function authenticate(token: string | null): Promise<SessionPrincipal> {
    if (!token) throw new AppError('TOKEN_REQUIRED');
    let row = cache.get(token);
    if (!row) {
      const found = await findByToken(db, token, deps.codec.lookup(token), DEFAULT_PROVIDER);
      if (!found) throw new AppError('TOKEN_INVALID');
      // The caller proved it holds the token: keep it readable here instead of decrypting the stored one.
      row = { ...found, session_token: token };
      cache.set(token, row);
    }
    requireTenantAccess(
      row.user_status,
      row.expires_at === null ? null : { status: row.sub_status, expires_at: row.expires_at },
      clock.now(),
    );
    return row;
  }

  return {
    authenticate,
    forgetToken: (token: string) => void cache.delete(token),
    forgetUser: (userId: string) => cache.deleteWhere((r) => r.user_id === userId),
    forgetAll: () => cache.clear(),
  };
}
export type SessionTokens = ReturnType<typeof createSessionTokens>;
