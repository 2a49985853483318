import type { Clock, Sleep } from '../lib/clock.js';
import type { Queryable } from '../store/index.js';
import * as store from '../store/idempotency.js';
import { type IdempotencyClaim, type IdempotencyStore, type StoredAnswer, stillInFlight } from './idempotency.js';

export interface SharedIdempotencyPolicy {
  /** IDEMPOTENCY_TTL: how long a used key is remembered. */
  ttlMs: number;
  /** IDEMPOTENCY_WAIT_MS: how long a retry waits for an attempt in flight elsewhere (then 409). */
  waitMs: number;
  /** This instance, unique among those on the database (its claims are `<owner>:<n>`). */
  owner: string;
  /** A claim in flight is the instance's for this long, renewed every third of it while its call runs. */
  leaseMs?: number;
}

export interface SharedIdempotencyOptions {
  db: Queryable;
  clock: Clock;
  /** How a retry waits between looks at a key in flight elsewhere. */
  sleep: Sleep;
  policy: SharedIdempotencyPolicy;
  /** Failures that cost the client nothing now (pruning, renewing a lease, keeping an answer) are told here. */
  onError: (error: unknown, what: string) => void;
}

const POLL_FIRST_MS = 20;
const POLL_MAX_MS = 250;
const PRUNE_EVERY_MS = 60_000;
const PRUNE_BATCH = 1_000;

/**
 * `Idempotency-Key`s in PostgreSQL, shared by every instance (SPEC §10; store/idempotency.ts). A claim
 * is one INSERT … ON CONFLICT; an answer is one UPDATE. A retry that finds the key in flight on
 * another instance polls the row (20 ms, doubling to 250 ms) for at most `waitMs`, then answers 409.
 * A claim's lease is renewed while its call runs, so an instance that died mid-call holds the key for
 * at most `leaseMs`; after that a retry of the same request takes it over (and is sent: whether the
 * dead instance's attempt reached genfity-wa cannot be known). Keys past their TTL are taken over by
 * the next use and pruned in batches of 1,000 on a claim, once a minute per instance (sooner while
 * batches come back full).
 */
export function createSharedIdempotencyStore(options: SharedIdempotencyOptions): IdempotencyStore {
  const { db, clock, sleep, policy } = options;
  const leaseMs = policy.leaseMs ?? 10_000;
  const report = options.onError;
  const later = (ms: number) => new Date(clock.now().getTime() + ms);
  let claims = 0;
  let prunedAt = Number.NEGATIVE_INFINITY;

  function prune(): void {
    const now = clock.now();
    if (now.getTime() - prunedAt < PRUNE_EVERY_MS) return;
    prunedAt = now.getTime();
    store.pruneIdempotencyKeys(db, now, PRUNE_BATCH).then(
      // A full batch means more are waiting: the next claim prunes again.
      (deleted) => {
        if (deleted >= PRUNE_BATCH) prunedAt = Number.NEGATIVE_INFINITY;
      },
      (error: unknown) => report(error, 'idempotency prune failed'),
    );
  }

  /** Holds the claim's lease while its call runs; the answer (or its absence) ends it. */
  function claimed(key: string, owner: string): IdempotencyClaim {
    const renew = setInterval(() => {
      store
        .renewIdempotencyLease(db, key, owner, later(leaseMs))
        .catch((error: unknown) => report(error, 'idempotency lease renewal failed'));
    }, leaseMs / 3);
    renew.unref();
    return {
      kind: 'claimed',
      async keep(answer) {
        clearInterval(renew);
        // The client gets its answer either way; a retry elsewhere then waits out the lease and sends again.
        const kept = await store
          .completeIdempotencyKey(db, key, owner, answer)
          .catch((error: unknown) => report(error, 'idempotency answer not kept'));
        if (kept === false) report(new Error('claim taken over before its answer'), 'idempotency answer not kept');
      },
      async drop() {
        clearInterval(renew);
        await store.releaseIdempotencyKey(db, key, owner).catch((error: unknown) => report(error, 'idempotency key not released'));
      },
    };
  }

  /** The attempt in flight elsewhere: its answer, null once the key is free again, 409 past the bound. */
  async function awaitAnswer(key: string, fingerprint: string): Promise<StoredAnswer | null> {
    let waited = 0;
    let step = POLL_FIRST_MS;
    for (;;) {
      const row = await store.findIdempotencyKey(db, key, clock.now());
      if (!row || row.fingerprint !== fingerprint) return null;
      if (row.owner === null) return toAnswer(row);
      if (row.lease_until && row.lease_until.getTime() <= clock.now().getTime()) return null;
      if (waited >= policy.waitMs) throw stillInFlight();
      const pause = Math.min(step, policy.waitMs - waited);
      await sleep(pause);
      waited += pause;
      step = Math.min(step * 2, POLL_MAX_MS);
    }
  }

  async function claim(key: string, fingerprint: string): Promise<IdempotencyClaim> {
    prune();
    claims += 1;
    const owner = `${policy.owner}:${claims}`;
    const now = clock.now();
    const input = { key, fingerprint, owner, now, leaseUntil: later(leaseMs), expiresAt: later(policy.ttlMs) };
    if (await store.claimIdempotencyKey(db, input)) return claimed(key, owner);
    const row = await store.findIdempotencyKey(db, key, now);
    // Gone between the two statements (its attempt failed, or it expired): the caller claims again.
    if (!row) return { kind: 'held', fingerprint, answer: async () => null };
    if (row.owner === null) return { kind: 'held', fingerprint: row.fingerprint, answer: async () => toAnswer(row) };
    return { kind: 'held', fingerprint: row.fingerprint, answer: () => awaitAnswer(key, row.fingerprint) };
  }

  return { claim };
}

function toAnswer(row: store.IdempotencyRow): StoredAnswer {
  return { status: row.status ?? 502, headers: row.headers ?? {}, body: row.body ?? Buffer.alloc(0) };
}

/**
 * The in-process fast path in front of the shared store: a key in flight or answered on this instance
 * is answered here without a store read; only a key this instance has not seen goes to PostgreSQL.
 * Concurrent retries on one instance share one wait for an attempt running elsewhere.
 */
export function createTieredIdempotencyStore(local: IdempotencyStore, shared: IdempotencyStore): IdempotencyStore {
  return {
    async claim(key, fingerprint) {
      const here = await local.claim(key, fingerprint);
      if (here.kind === 'held') return here;
      let far: IdempotencyClaim;
      try {
        far = await shared.claim(key, fingerprint);
      } catch (error) {
        await here.drop();
        throw error;
      }
      if (far.kind === 'claimed') {
        return {
          kind: 'claimed',
          keep: async (answer) => {
            await far.keep(answer);
            await here.keep(answer);
          },
          drop: async () => {
            await far.drop();
            await here.drop();
          },
        };
      }
      if (far.fingerprint !== fingerprint) {
        await here.drop();
        return far;
      }
      const elsewhere = far;
      return {
        kind: 'held',
        fingerprint,
        async answer() {
          try {
            const answer = await elsewhere.answer();
            await (answer ? here.keep(answer) : here.drop());
            return answer;
          } catch (error) {
            await here.drop();
            throw error;
          }
        },
      };
    },
  };
}
