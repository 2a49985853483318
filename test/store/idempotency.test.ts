import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as store from '../../src/store/idempotency.js';
import { openTestStore } from '../helpers/store.js';

// Issue 13 item 2: the shared Idempotency-Key record, one statement per step, on both stores.
let s: Awaited<ReturnType<typeof openTestStore>>;
beforeAll(async () => {
  s = await openTestStore();
});
afterAll(async () => {
  await s.close();
});

const T0 = new Date('2026-06-01T00:00:00Z');
const at = (ms: number) => new Date(T0.getTime() + ms);
const claim = (key: string, fingerprint: string, owner: string, now = T0) =>
  store.claimIdempotencyKey(s.db, {
    key,
    fingerprint,
    owner,
    now,
    leaseUntil: new Date(now.getTime() + 10_000),
    expiresAt: new Date(now.getTime() + 60_000),
  });
const answer = { status: 200, headers: { 'content-type': 'application/json' }, body: Buffer.from('{"ok":true}\n') };

describe('idempotency key records', () => {
  it('one claim wins; the answer is kept by its owner only and read back byte for byte', async () => {
    expect(await claim('1:a', 'fp', 'i1:1')).toBe(true);
    expect(await claim('1:a', 'fp', 'i2:1')).toBe(false);
    expect(await store.findIdempotencyKey(s.db, '1:a', T0)).toMatchObject({ fingerprint: 'fp', owner: 'i1:1', status: null });
    expect(await store.completeIdempotencyKey(s.db, '1:a', 'i2:1', answer)).toBe(false);
    expect(await store.completeIdempotencyKey(s.db, '1:a', 'i1:1', answer)).toBe(true);
    const row = await store.findIdempotencyKey(s.db, '1:a', T0);
    expect(row).toMatchObject({ owner: null, status: 200, headers: answer.headers });
    expect(Buffer.isBuffer(row!.body) && row!.body.equals(answer.body)).toBe(true);
  });

  it('a lapsed lease is taken over by the same request only; a renewed one is not lapsed', async () => {
    expect(await claim('1:b', 'fp', 'i1:1')).toBe(true);
    expect(await store.renewIdempotencyLease(s.db, '1:b', 'i1:1', at(20_000))).toBe(true);
    expect(await claim('1:b', 'fp', 'i2:1', at(15_000))).toBe(false);
    expect(await claim('1:b', 'other', 'i2:1', at(25_000))).toBe(false);
    expect(await claim('1:b', 'fp', 'i2:1', at(25_000))).toBe(true);
    // The first owner's late answer no longer lands.
    expect(await store.completeIdempotencyKey(s.db, '1:b', 'i1:1', answer)).toBe(false);
  });

  it("past its TTL a key is anyone's, and a released key is free at once", async () => {
    expect(await claim('1:c', 'fp', 'i1:1')).toBe(true);
    await store.completeIdempotencyKey(s.db, '1:c', 'i1:1', answer);
    expect(await claim('1:c', 'other', 'i2:1', at(59_000))).toBe(false);
    expect(await store.findIdempotencyKey(s.db, '1:c', at(60_000))).toBeNull();
    expect(await claim('1:c', 'other', 'i2:1', at(60_000))).toBe(true);
    await store.releaseIdempotencyKey(s.db, '1:c', 'i2:1');
    expect(await claim('1:c', 'third', 'i3:1', at(60_000))).toBe(true);
  });

  it('prunes expired keys in bounded batches, oldest first, and nothing else', async () => {
    // A day later than the keys above: those are all expired by then and go first.
    const day = 86_400_000;
    expect(await store.pruneIdempotencyKeys(s.db, at(day), 100)).toBe(3);
    for (let i = 0; i < 5; i += 1) await claim(`2:${i}`, 'fp', 'i1:1', at(day + i * 1_000));
    expect(await store.pruneIdempotencyKeys(s.db, at(day + 62_500), 2)).toBe(2);
    expect(await store.findIdempotencyKey(s.db, '2:1', at(day))).toBeNull();
    expect(await store.findIdempotencyKey(s.db, '2:2', at(day))).not.toBeNull();
    expect(await store.pruneIdempotencyKeys(s.db, at(day + 62_500), 100)).toBe(1);
    expect(await store.findIdempotencyKey(s.db, '2:3', at(day))).not.toBeNull();
  });
});
