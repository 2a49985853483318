import { createHash } from 'node:crypto';
import type { ClusterBus } from '../cluster/bus.js';
import { AppError } from '../errors.js';
import type { Clock } from '../lib/clock.js';
import type { OnError } from '../lib/logger.js';
import { createTtlCache } from '../lib/lru.js';
import { findSessionByToken, type TokenRow } from '../store/session-tokens.js';
import type { SealedStore } from './secret-codec.js';
import { DEFAULT_PROVIDER } from './subscriptions.js';
import { requireTenantAccess } from './tenant-access.js';

/** Who a `/wa/*` request acts as: the session its token opens, with its owner and subscription. */
export type SessionPrincipal = TokenRow;

/** The bus channel of revocations: `{"user":id}` or `{"token":fingerprint}`; never a token itself. */
export const REVOCATION_CHANNEL = 'session-tokens.revoked';

type Revocation = { user: string } | { token: string };

/** What names a token on the bus: a SHA-256 of it (a token is 32 random bytes: it cannot be walked back). */
const fingerprint = (token: string) => createHash('sha256').update(token).digest('base64url');

/**
 * Session token → session, owner and subscription for the hot path (SPEC §4 design note). Hits come
 * from memory for at most `ttlMs`. A change (session deleted or changed, user or plan changed) drops
 * the entries here at once and is published on the cluster bus, so every other instance drops them
 * too within milliseconds (`listen`); the TTL stays the safety net for a message the bus lost.
 */
export function createSessionTokens(deps: {
  store: SealedStore;
  clock: Clock;
  bus?: Pick<ClusterBus, 'publish' | 'subscribe'>;
  /** How many tokens are kept, and how long (default: 50,000 for 1 s). */
  cache?: { ttlMs?: number; max?: number };
  onError: OnError;
}) {
  const { clock } = deps;
  const { db, codec } = deps.store;
  const cache = createTtlCache<string, { row: TokenRow; fingerprint: string }>({
    max: deps.cache?.max ?? 50_000,
    ttlMs: deps.cache?.ttlMs ?? 1_000,
    now: () => clock.now().getTime(),
  });
  // A lookup that started before a revocation must not put what it read back into the cache.
  let generation = 0;

  /** Refuses a missing token (401), an unknown one (403, as the Go service), an inactive owner (B8) or a lapsed plan. */
  async function authenticate(token: string | null): Promise<SessionPrincipal> {
    if (!token) throw new AppError('TOKEN_REQUIRED');
    let row = cache.get(token)?.row;
    if (!row) {
      const seen = generation;
      const found = await findSessionByToken(db, token, codec.lookup(token), DEFAULT_PROVIDER);
      if (!found) throw new AppError('TOKEN_INVALID');
      // The caller proved it holds the token: keep it readable here instead of decrypting the stored one.
      row = { ...found, session_token: token };
      if (seen === generation) cache.set(token, { row, fingerprint: fingerprint(token) });
    }
    requireTenantAccess(
      row.user_status,
      row.expires_at === null ? null : { status: row.sub_status, expires_at: row.expires_at },
      clock.now(),
    );
    return row;
  }

  function drop(revocation: Revocation): void {
    generation += 1;
    if ('user' in revocation) cache.deleteWhere((e) => e.row.user_id === revocation.user);
    else cache.deleteWhere((e) => e.fingerprint === revocation.token);
  }

  /**
   * Tells the other instances (after the change is committed: callers call `forget*` last). A bus that
   * is down drops it (they drop the token within the cache's TTL anyway; /ready says the bus is down).
   */
  function publish(revocation: Revocation): void {
    deps.bus?.publish(REVOCATION_CHANNEL, JSON.stringify(revocation)).then(
      (sent) => {
        if (!sent) deps.onError(new Error('the cluster bus is down'), 'token revocation not sent to the other instances');
      },
      (error: unknown) => deps.onError(error, 'token revocation not sent to the other instances'),
    );
  }

  /** Subscribes to other instances' revocations; returns the unsubscribe. */
  function listen(): () => void {
    if (!deps.bus) return () => undefined;
    return deps.bus.subscribe(REVOCATION_CHANNEL, (payload, meta) => {
      if (meta.local) return;
      const message = parseRevocation(payload);
      if (message) drop(message);
    });
  }

  return {
    authenticate,
    forgetToken: (token: string) => {
      generation += 1;
      cache.delete(token);
      publish({ token: fingerprint(token) });
    },
    forgetUser: (userId: string) => {
      drop({ user: userId });
      publish({ user: userId });
    },
    forgetAll: () => {
      generation += 1;
      cache.clear();
    },
    listen,
  };
}
export type SessionTokens = ReturnType<typeof createSessionTokens>;

function parseRevocation(payload: string): Revocation | null {
  try {
    const m = JSON.parse(payload) as Record<string, unknown>;
    if (typeof m.user === 'string') return { user: m.user };
    if (typeof m.token === 'string') return { token: m.token };
  } catch {
    // Not ours to understand: ignored.
  }
  return null;
}
