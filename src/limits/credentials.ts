import { sha256Hex } from '../lib/secrets.js';
import type { Clock } from '../lib/clock.js';
import { createTtlCache } from '../lib/lru.js';
import { onRedis, type CounterStore } from './counter.js';

/**
 * Credentials that authenticated recently, so that a blocked address can still let its tenants in
 * without a store query per request from it (issue 12 §2). Knowing a credential is not trusting it:
 * the request is still authenticated as usual; this only decides whether it may try. Kept as a hash
 * (`credentialId`), never as the credential.
 */
export interface KnownCredentials {
  /** The user the credential authenticated as on this instance within the last day; from memory. */
  recall(id: string): string | undefined;
  /** Whether any instance saw it authenticate within the last day (Redis); false without Redis or while it is away. */
  knownElsewhere(id: string): Promise<boolean>;
  /** It just authenticated as `userId`. Shared with the other instances, at most once an hour per credential. */
  remember(id: string, userId: string): void;
  /** A known credential just failed (revoked, rotated): it is not let past a block again, here or elsewhere. */
  forget(id: string): void;
  /** Entries held in this process (bounded). */
  size(): number;
}

/** How long a credential stays known after it last authenticated: a tenant used at least daily is never shut out by a block. */
const KNOWN_MS = 24 * 3_600_000;
/** How often one instance renews a credential in Redis: one write per credential and hour, not per request. */
const SHARE_EVERY_MS = 3_600_000;
/** Bounded like the session-token cache: far more tenants than one gateway serves, a few MB at most. */
const MAX_KNOWN = 50_000;

/** `kind` keeps credential spaces apart: a customer key and a session token with the same text are two credentials. */
export function credentialId(kind: string, credential: string): string {
  return sha256Hex(`${kind}\n${credential}`);
}

export function createKnownCredentials(store: CounterStore, clock: Clock): KnownCredentials {
  const now = () => clock.now().getTime();
  const local = createTtlCache<string, { userId: string; sharedAt: number }>({ max: MAX_KNOWN, ttlMs: KNOWN_MS, now });
  const key = (id: string) => `${store.keyPrefix}known:${id}`;

  function remember(id: string, userId: string): void {
    const entry = local.get(id);
    const share = entry?.userId !== userId || now() - entry.sharedAt >= SHARE_EVERY_MS;
    local.set(id, { userId, sharedAt: share ? now() : (entry?.sharedAt ?? now()) });
    // Not awaited: the request that authenticated does not wait for Redis (issue 15, the send path).
    if (share) void onRedis(store, (client) => client.set(key(id), userId, 'PX', KNOWN_MS));
  }

  return {
    recall: (id) => local.get(id)?.userId,
    knownElsewhere: async (id) => (await onRedis(store, (client) => client.exists(key(id)))) === 1,
    remember,
    forget: (id) => {
      local.delete(id);
      void onRedis(store, (client) => client.del(key(id)));
    },
    size: () => local.size,
  };
}
