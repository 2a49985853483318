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
  /** `credentialId`, remembered for the credentials seen recently: a SHA-256 per request is a share of a send (issue 15). */
  idOf(kind: string, credential: string): string;
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
/** Credentials whose id is remembered, per kind: the ones in use, not every tenant. */
const MAX_IDS = 10_000;

/** `kind` keeps credential spaces apart: a customer key and a session token with the same text are two credentials. */
export function credentialId(kind: string, credential: string): string {
  return sha256Hex(`${kind}\n${credential}`);
}

export function createKnownCredentials(store: CounterStore, clock: Clock): KnownCredentials {
  const now = () => clock.now().getTime();
  const local = createTtlCache<string, { userId: string; sharedAt: number }>({ max: MAX_KNOWN, ttlMs: KNOWN_MS, now });
  const key = (id: string) => `${store.keyPrefix}known:${id}`;

  // Per credential kind, the ids of the credentials seen last (guessed ones included: bounded, ~2.5 MB).
  const ids = new Map<string, ReturnType<typeof createTtlCache<string, string>>>();
  function idOf(kind: string, credential: string): string {
    let cache = ids.get(kind);
    if (!cache) {
      cache = createTtlCache<string, string>({ max: MAX_IDS, ttlMs: KNOWN_MS, now });
      ids.set(kind, cache);
    }
    let id = cache.get(credential);
    if (id === undefined) {
      id = credentialId(kind, credential);
      cache.set(credential, id);
    }
    return id;
  }

  /**
   * Kept as it is while it is fresh: the entry (and Redis) is renewed once an hour per credential, so
   * it lasts 23 to 24 hours after its last use, and a request writes nothing in between.
   */
  function remember(id: string, userId: string): void {
    const entry = local.get(id);
    const at = now();
    if (entry?.userId === userId && at - entry.sharedAt < SHARE_EVERY_MS) return;
    local.set(id, { userId, sharedAt: at });
    // Not awaited: the request that authenticated does not wait for Redis (issue 15, the send path).
    void onRedis(store, (client) => client.set(key(id), userId, 'PX', KNOWN_MS));
  }

  return {
    idOf,
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
