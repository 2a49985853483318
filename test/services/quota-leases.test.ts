import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createManualClock } from '../../src/lib/clock.js';
import { createQuota, leaseSize, type QuotaSubscription } from '../../src/services/quota.js';
import { DEFAULT_PROVIDER } from '../../src/services/subscriptions.js';
import type { Db, Queryable } from '../../src/store/index.js';
import { findSubscription, insertSubscription } from '../../src/store/subscriptions.js';
import { insertUserIfAbsent } from '../../src/store/users.js';
import { openTestStore } from '../helpers/store.js';

// Issue 15 §3: leases sized by demand (about a second of the recent send rate, at most an eighth of
// what remains, one at a time near the end), claimed ahead so that a steady sender never waits, and
// exact across instances on one store. Time is the injected clock; the store is real.

let store: Awaited<ReturnType<typeof openTestStore>>;
beforeAll(async () => {
  store = await openTestStore();
});
afterAll(async () => {
  await store.close();
});

let users = 0;
/** A user with a plan of `maxMessages` in the store; what a send knows of it. */
async function subscription(maxMessages: number): Promise<QuotaSubscription> {
  users += 1;
  const id = `lease-user-${users}`;
  const now = new Date('2026-01-01T00:00:00Z');
  await insertUserIfAbsent(store.db, { id, source: 'app', keyHash: `hash-${id}`, keyHint: 'x', createdBy: 'test', now });
  await insertSubscription(
    store.db,
    id,
    DEFAULT_PROVIDER,
    { expiresAt: new Date('2030-01-01T00:00:00Z'), maxSessions: 1, maxMessages },
    now,
  );
  const sub = (await findSubscription(store.db, id, DEFAULT_PROVIDER))!;
  return { id: sub.id, max_messages: sub.max_messages, period_started_at: sub.period_started_at };
}

const usedInDb = async (sub: QuotaSubscription) =>
  (await store.db.query<{ messages_used: number }>('SELECT messages_used FROM wa_user_subscriptions WHERE id = $1', [sub.id])).rows[0]!
    .messages_used;

const CLAIM = /SET messages_used = u\.messages_used \+ s\.granted/;

/**
 * The store as the quota sees it, with each claim recorded (how many messages it asked for); while
 * `hold()` is in force, claims wait until `let go()`: a slow database, on demand.
 */
function watchedStore(db: Db) {
  const claims: number[] = [];
  const underway = new Set<Promise<unknown>>();
  let gate: Promise<void> | null = null;
  let open: () => void = () => undefined;
  const query: Queryable['query'] = <Row>(text: string, params?: readonly unknown[]) => {
    if (!CLAIM.test(text)) return db.query<Row>(text, params);
    claims.push(Number(params?.[1]));
    const pending = (gate ?? Promise.resolve()).then(() => db.query<Row>(text, params));
    underway.add(pending);
    void pending.finally(() => underway.delete(pending)).catch(() => undefined);
    return pending;
  };
  return {
    db: { ...db, query } as Db,
    claims,
    /** Resolves once no claim is under way. */
    settled: () => Promise.allSettled([...underway]),
    hold() {
      gate = new Promise<void>((resolve) => {
        open = resolve;
      });
    },
    letGo() {
      gate = null;
      open();
    },
  };
}

/** Whether a reservation is answered without waiting on anything but already settled work. */
async function answeredAtOnce<T>(pending: Promise<T>): Promise<boolean> {
  return Promise.race([pending.then(() => true), new Promise<boolean>((resolve) => setImmediate(() => resolve(false)))]);
}

describe('leaseSize', () => {
  it.each([
    [0, 1_000_000, 10],
    [3, 1_000_000, 10],
    [200, 1_000_000, 200],
    [4_321.5, 1_000_000, 4_322],
    [1_000_000, 100_000_000, 10_000],
    [200, 800, 100],
    [200, 15, 1],
    [0, 0, 1],
  ])('%f sends/s with %i remaining → leases of %i', (rate, remaining, size) => expect(leaseSize(rate, remaining)).toBe(size));
});

describe('quota leases sized by demand', () => {
  it('a lease is about a second of the recent send rate, and shrinks again when sends slow down', async () => {
    const watched = watchedStore(store.db);
    const clock = createManualClock();
    const quota = createQuota({ db: watched.db, clock });
    const sub = await subscription(10_000_000);
    // 3 s at 200 sends/s, then 10 s of silence, then 20 s at 20 sends/s.
    let mostHeld = 0;
    for (let i = 0; i < 600; i += 1) {
      expect((await quota.reserve(sub)).ok).toBe(true);
      mostHeld = Math.max(mostHeld, quota.held(sub.id));
      clock.advance(5);
    }
    expect(watched.claims[0]).toBe(10);
    const busy = watched.claims.slice(-3);
    for (const size of busy) expect(size).toBeGreaterThanOrEqual(150);
    for (const size of busy) expect(size).toBeLessThanOrEqual(250);
    // Never much more than a second and a half of sends held here.
    expect(mostHeld).toBeLessThanOrEqual(330);
    clock.advance(10_000);
    const before = watched.claims.length;
    for (let i = 0; i < 400; i += 1) {
      expect((await quota.reserve(sub)).ok).toBe(true);
      clock.advance(50);
    }
    // What was left of the busy lease is used first; then a second of 20 sends/s at a time.
    const quiet = watched.claims.slice(before);
    expect(quiet.length).toBeGreaterThan(3);
    for (const size of quiet) expect(size).toBeLessThanOrEqual(25);
    await quota.release();
    expect(await usedInDb(sub)).toBe(1_000);
  });

  it('near the end leases shrink to one message: never more than an eighth of what remains', async () => {
    const watched = watchedStore(store.db);
    const clock = createManualClock();
    const quota = createQuota({ db: watched.db, clock });
    const sub = await subscription(500);
    let sent = 0;
    for (;;) {
      const held = await quota.reserve(sub);
      if (!held.ok) break;
      sent += 1;
      clock.advance(2);
    }
    expect(sent).toBe(500);
    let remaining = 500;
    for (const size of watched.claims) {
      expect(size).toBeLessThanOrEqual(Math.max(1, Math.floor(remaining / 8)));
      remaining -= Math.min(size, remaining);
    }
    expect(watched.claims.slice(-8)).toEqual([1, 1, 1, 1, 1, 1, 1, 1]);
    expect(await usedInDb(sub)).toBe(500);
  });

  it('refills ahead: once half of a lease is used the next is claimed, and sends go on without waiting for it', async () => {
    const watched = watchedStore(store.db);
    const clock = createManualClock();
    const quota = createQuota({ db: watched.db, clock });
    const sub = await subscription(10_000_000);
    // Steady state at 200 sends/s.
    for (let i = 0; i < 400; i += 1) {
      await quota.reserve(sub);
      clock.advance(5);
    }
    // The database becomes slow: the next claim is issued but does not land until let go.
    await watched.settled();
    watched.hold();
    const issued = watched.claims.length;
    let sends = 0;
    while (watched.claims.length === issued) {
      expect(await answeredAtOnce(quota.reserve(sub))).toBe(true);
      clock.advance(5);
      sends += 1;
      expect(sends).toBeLessThan(400);
    }
    const asked = watched.claims.at(-1)!;
    // Half a lease is still in hand while the claim is out: every one of those sends is answered at once.
    const inHand = quota.held(sub.id);
    expect(inHand).toBeGreaterThanOrEqual(Math.floor(asked / 2) - 1);
    for (let i = 0; i < inHand; i += 1) {
      expect(await answeredAtOnce(quota.reserve(sub))).toBe(true);
      clock.advance(5);
    }
    expect(watched.claims.length).toBe(issued + 1);
    // Only a send that finds the lease empty waits for the claim, and gets its message from it.
    const waiting = quota.reserve(sub);
    expect(await answeredAtOnce(waiting)).toBe(false);
    watched.letGo();
    expect((await waiting).ok).toBe(true);
    expect(quota.held(sub.id)).toBe(asked - 1);
    await quota.release();
  });

  it('is exact across two instances on one store: concurrent sends near the end of the quota, refunds included', async () => {
    const clock = createManualClock();
    const a = watchedStore(store.db);
    const b = watchedStore(store.db);
    const instances = [createQuota({ db: a.db, clock }), createQuota({ db: b.db, clock })];
    const sub = await subscription(3_000);
    let accepted = 0;
    let refunded = 0;
    let refusedRounds = 0;
    // Rounds of 20 concurrent sends on each instance, 50 ms apart (about 400 sends/s each), until a
    // whole round is refused; every tenth accepted message is refused by the provider and refunded.
    while (refusedRounds < 3) {
      const round = await Promise.all(instances.flatMap((quota) => Array.from({ length: 20 }, () => quota.reserve(sub))));
      const ok = round.filter((r) => r.ok).length;
      for (let i = 0; i < ok; i += 1) {
        accepted += 1;
        if (accepted % 10 === 0) {
          refunded += 1;
          instances[accepted % 2]!.refund(sub);
        }
      }
      refusedRounds = ok === 0 ? refusedRounds + 1 : 0;
      clock.advance(50);
    }
    // Sends that used a message: exactly the quota, never one more.
    expect(accepted - refunded).toBe(3_000);
    // The refunded messages were sent again from the lease that got them back, or handed back now.
    for (const quota of instances) await quota.release();
    expect(await usedInDb(sub)).toBe(3_000);
    // Both instances claimed large leases while much remained, and single messages at the end.
    for (const claims of [a.claims, b.claims]) {
      expect(Math.max(...claims)).toBeGreaterThan(20);
      expect(claims.at(-1)).toBe(1);
    }
  });
});
