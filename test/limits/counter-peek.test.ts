import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createManualClock } from '../../src/lib/clock.js';
import { createCounter, type CounterStore } from '../../src/limits/counter.js';
import { createRedisHealth } from '../../src/limits/redis-health.js';
import { connectRedis, createRunPrefix, deleteKeys, waitFor } from './helpers.js';

// `peek` reads a key's count without counting (issue 11 §2: an address that failed too often is refused
// before anything is read, and a refused request is not counted again), in memory and in Redis alike.
const prefixes = createRunPrefix();
let redis: Redis;
beforeAll(() => {
  redis = connectRedis();
});
afterAll(async () => {
  await deleteKeys(redis, prefixes.root);
  await redis.quit();
});

const stores: Array<[string, () => Promise<CounterStore>]> = [
  ['memory', async () => ({ keyPrefix: prefixes.next() })],
  [
    'redis',
    async () => {
      await waitFor(() => redis.status === 'ready');
      const health = createRedisHealth(redis, { clock: createManualClock(), probeIntervalMs: 1_000 });
      return { keyPrefix: prefixes.next(), redis: { client: redis, health, timeoutMs: 1_000 } };
    },
  ],
];

describe.each(stores)('counter peek (%s)', (_name, store) => {
  it('reads nothing for an unseen key, then the count, then the block, never counting itself', async () => {
    const counter = createCounter({ name: 'peek', points: 2, windowSeconds: 60, blockSeconds: 600 }, await store());
    expect(await counter.peek('198.51.100.7')).toBeNull();
    await counter.consume('198.51.100.7');
    await counter.consume('198.51.100.7');
    expect(await counter.peek('198.51.100.7')).toMatchObject({ over: false, consumed: 2 });
    expect(await counter.peek('198.51.100.7')).toMatchObject({ over: false, consumed: 2 });
    await counter.consume('198.51.100.7');
    const blocked = await counter.peek('198.51.100.7');
    expect(blocked).toMatchObject({ over: true });
    expect(blocked!.msBeforeNext).toBeGreaterThan(60_000);
    expect(await counter.peek('198.51.100.8')).toBeNull();
  });
});
