import type { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createManualClock } from '../../src/lib/clock.js';
import { createPublicLimiter, type PublicLimiter } from '../../src/limits/limiter.js';
import { connectRedis, consumeMany, createRunPrefix, deleteKeys, startRedisRelay, waitFor, type RedisRelay } from './helpers.js';

const prefixes = createRunPrefix();
let admin: Redis;
const cleanups: Array<() => unknown> = [];

beforeAll(() => {
  admin = connectRedis();
});
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});
afterAll(async () => {
  await deleteKeys(admin, prefixes.root);
  await admin.quit();
});

function client(...args: Parameters<typeof connectRedis>): Redis {
  const c = connectRedis(...args);
  cleanups.push(() => c.disconnect());
  return c;
}

function limiter(...args: Parameters<typeof createPublicLimiter>): PublicLimiter {
  const l = createPublicLimiter(...args);
  cleanups.push(() => l.close());
  return l;
}

async function relay(): Promise<RedisRelay> {
  const r = await startRedisRelay();
  cleanups.push(() => r.close());
  return r;
}

const logger = () => ({ warn: vi.fn(), info: vi.fn() });
const settings = { windowSeconds: 60, maxRequests: 4, spamMaxPer10s: 6, spamBlockMinutes: 1 };

describe('redis store: one budget for every instance (SPEC §7)', () => {
  it('two limiters on two connections share counters and blocks', async () => {
    const keyPrefix = prefixes.next();
    const a = limiter(settings, { redis: client(), keyPrefix });
    const b = limiter(settings, { redis: client(), keyPrefix });
    await waitFor(() => a.mode() === 'redis' && b.mode() === 'redis');
    const turns = [a, b, a, b, a, b, b];
    const decisions = [];
    for (const l of turns) decisions.push(await l.consume('192.0.2.1'));
    expect(decisions.map((d) => (d.allowed ? d.remaining : d.reason))).toEqual([3, 2, 1, 0, 'rate', 'rate', 'spam']);
    expect(await a.consume('192.0.2.1')).toMatchObject({ reason: 'blocked', message: 'ip blocked due to spam' });
    expect(a.trackedKeys() + b.trackedKeys()).toBe(0);
    expect(await admin.keys(`${keyPrefix}*`)).toEqual(expect.arrayContaining([`${keyPrefix}rate:192.0.2.1`, `${keyPrefix}spam:192.0.2.1`]));
  });

  it('every key carries a TTL, so Redis does not grow with distinct clients either', async () => {
    const keyPrefix = prefixes.next();
    const l = limiter(settings, { redis: client(), keyPrefix });
    await waitFor(() => l.mode() === 'redis');
    await consumeMany(l, '192.0.2.2', 8);
    const keys = await admin.keys(`${keyPrefix}*`);
    expect(keys).toHaveLength(2);
    for (const key of keys) expect(await admin.pttl(key)).toBeGreaterThan(0);
  });
});

describe('redis store: outage and recovery', () => {
  it('answers from memory at once when Redis cannot be reached, and says so', async () => {
    const log = logger();
    const down = client('redis://127.0.0.1:1', { enableOfflineQueue: false, maxRetriesPerRequest: 0, retryStrategy: () => 50 });
    const l = limiter({ ...settings, maxRequests: 2 }, { redis: down, keyPrefix: prefixes.next(), logger: log });
    expect(l.mode()).toBe('memory-fallback');
    const decisions = await consumeMany(l, '192.0.2.3', 3);
    expect(decisions.map((d) => (d.allowed ? 'ok' : d.reason))).toEqual(['ok', 'ok', 'rate']);
    expect(l.mode()).toBe('memory-fallback');
    expect(l.trackedKeys()).toBe(2);
    expect(log.warn).toHaveBeenCalledTimes(1);
    expect(log.warn.mock.calls[0]?.[1]).toMatch(/redis unreachable/);
  });

  it('falls back when the connection drops, warns once, and returns to the shared counters when Redis is back', async () => {
    const log = logger();
    const r = await relay();
    const redis = client(`redis://127.0.0.1:${r.port}`, { retryStrategy: () => 20 });
    const keyPrefix = prefixes.next();
    const l = limiter({ ...settings, maxRequests: 3 }, { redis, keyPrefix, logger: log });
    await waitFor(() => l.mode() === 'redis');
    expect(await l.consume('192.0.2.4')).toMatchObject({ allowed: true, remaining: 2 });

    await r.cut();
    await waitFor(() => redis.status !== 'ready');
    expect(l.mode()).toBe('memory-fallback');
    const during = await consumeMany(l, '192.0.2.4', 3);
    expect(during.map((d) => d.allowed && d.remaining)).toEqual([2, 1, 0]);
    expect(log.warn).toHaveBeenCalledTimes(1);

    await r.restore();
    await waitFor(() => l.mode() === 'redis');
    expect(log.info).toHaveBeenCalledTimes(1);
    // Redis kept its count (1) through the outage: two more are allowed, not zero.
    const after = await consumeMany(l, '192.0.2.4', 3);
    expect(after.map((d) => (d.allowed ? d.remaining : d.reason))).toEqual([1, 0, 'rate']);
    expect(log.warn).toHaveBeenCalledTimes(1);
  });

  it('does not wait on a Redis that stops answering, and probes it again after the interval', async () => {
    const log = logger();
    const clock = createManualClock();
    const r = await relay();
    const redis = client(`redis://127.0.0.1:${r.port}`);
    const keyPrefix = prefixes.next();
    const l = limiter(settings, { redis, keyPrefix, logger: log, clock, redisTimeoutMs: 100, redisProbeIntervalMs: 5000 });
    await waitFor(() => l.mode() === 'redis');

    r.stall();
    expect(await l.consume('192.0.2.5')).toMatchObject({ allowed: true, remaining: 3 });
    expect(l.mode()).toBe('memory-fallback');
    expect(log.warn).toHaveBeenCalledTimes(1);
    expect(await l.consume('192.0.2.5')).toMatchObject({ allowed: true, remaining: 2 });

    r.resume();
    clock.advance(5000);
    // Only the first command (the spam counter) was sent before the outage was noticed; the request
    // counter of that request and the next one went to memory, so Redis' request window starts now.
    expect(await l.consume('192.0.2.5')).toMatchObject({ allowed: true, remaining: 3 });
    expect(await admin.get(`${keyPrefix}spam:192.0.2.5`)).toBe('2');
    expect(l.mode()).toBe('redis');
    expect(log.info).toHaveBeenCalledTimes(1);
  });
});
