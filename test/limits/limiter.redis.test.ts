import type { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createManualClock } from '../../src/lib/clock.js';
import { credentialId } from '../../src/limits/credentials.js';
import { createPublicLimiter, type PublicLimiter } from '../../src/limits/limiter.js';
import {
  connectRedis,
  consumeMany,
  consumeUserMany,
  createRunPrefix,
  deleteKeys,
  startRedisRelay,
  waitFor,
  type RedisRelay,
} from './helpers.js';

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
    for (const l of turns) decisions.push(await l.consumeAddress('192.0.2.1'));
    expect(decisions.map((d) => (d.allowed ? d.remaining : d.reason))).toEqual([3, 2, 1, 0, 'rate', 'rate', 'spam']);
    expect(await a.consumeAddress('192.0.2.1')).toMatchObject({ reason: 'blocked', message: 'ip blocked due to spam' });
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

describe('redis store: users and known credentials are shared too (issue 12 §2)', () => {
  it("two limiters share a user's budget, and the user's refusal is remembered by the one that gave it", async () => {
    const keyPrefix = prefixes.next();
    const a = limiter(settings, { redis: client(), keyPrefix });
    const b = limiter(settings, { redis: client(), keyPrefix });
    await waitFor(() => a.mode() === 'redis' && b.mode() === 'redis');
    const decisions = [];
    for (const l of [a, b, a, b, a, b, b]) decisions.push(await l.consumeUser('user-1'));
    expect(decisions.map((d) => (d.allowed ? d.remaining : d.reason))).toEqual([3, 2, 1, 0, 'rate', 'rate', 'spam']);
    expect(a.userRefusal('user-1')).toMatchObject({ reason: 'rate' });
    expect(b.userRefusal('user-1')).toMatchObject({ reason: 'spam' });
    // Counted per user, never blocked: the address of the same name is untouched.
    expect(await a.addressBlock('user-1')).toBeNull();
    const keys = await admin.keys(`${keyPrefix}*`);
    expect(keys.sort()).toEqual([`${keyPrefix}user-rate:user-1`, `${keyPrefix}user-spam:user-1`]);
    for (const key of keys) expect(await admin.pttl(key)).toBeGreaterThan(0);
  });

  it('a credential remembered on one instance is known on the other, with a TTL, until it is forgotten', async () => {
    const keyPrefix = prefixes.next();
    const a = limiter(settings, { redis: client(), keyPrefix });
    const b = limiter(settings, { redis: client(), keyPrefix });
    await waitFor(() => a.mode() === 'redis' && b.mode() === 'redis');
    const id = credentialId('session-token', 'wat_shared');
    expect(await b.credentials.knownElsewhere(id)).toBe(false);
    a.credentials.remember(id, 'user-2');
    await vi.waitFor(async () => expect(await b.credentials.knownElsewhere(id)).toBe(true));
    expect(b.credentials.recall(id)).toBeUndefined();
    const ttl = await admin.pttl(`${keyPrefix}known:${id}`);
    expect(ttl).toBeGreaterThan(23 * 3_600_000);
    expect(await admin.keys(`${keyPrefix}known:*`)).toEqual([`${keyPrefix}known:${id}`]);
    b.credentials.forget(id);
    await vi.waitFor(async () => expect(await a.credentials.knownElsewhere(id)).toBe(false));
  });

  it('writes a known credential to Redis once, not on every request', async () => {
    const keyPrefix = prefixes.next();
    const redis = client();
    const l = limiter(settings, { redis, keyPrefix });
    await waitFor(() => l.mode() === 'redis');
    const sent: string[] = [];
    const monitor = await admin.duplicate().monitor();
    cleanups.push(() => monitor.disconnect());
    monitor.on('monitor', (_time: string, args: string[]) => {
      if (String(args[1]).startsWith(`${keyPrefix}known:`)) sent.push(String(args[0]).toLowerCase());
    });
    const id = credentialId('customer-key', 'gwa_often');
    for (let i = 0; i < 20; i += 1) l.credentials.remember(id, 'user-3');
    await vi.waitFor(async () => expect(await l.credentials.knownElsewhere(id)).toBe(true));
    await vi.waitFor(() => expect(sent.filter((c) => c === 'exists').length).toBeGreaterThanOrEqual(1));
    expect(sent.filter((c) => c === 'set')).toHaveLength(1);
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

  it('counts users in memory and knows no other instance while Redis cannot be reached', async () => {
    const down = client('redis://127.0.0.1:1', { enableOfflineQueue: false, maxRetriesPerRequest: 0, retryStrategy: () => 50 });
    const l = limiter({ ...settings, maxRequests: 2 }, { redis: down, keyPrefix: prefixes.next(), logger: logger() });
    const decisions = await consumeUserMany(l, 'user-4', 3);
    expect(decisions.map((d) => (d.allowed ? 'ok' : d.reason))).toEqual(['ok', 'ok', 'rate']);
    expect(await l.addressBlock('192.0.2.9')).toBeNull();
    expect(await l.lookupWhileBlocked('192.0.2.9')).toBe(true);
    const id = credentialId('customer-key', 'gwa_offline');
    l.credentials.remember(id, 'user-4');
    expect(l.credentials.recall(id)).toBe('user-4');
    expect(await l.credentials.knownElsewhere(id)).toBe(false);
  });

  it('falls back when the connection drops, warns once, and returns to the shared counters when Redis is back', async () => {
    const log = logger();
    const r = await relay();
    const redis = client(`redis://127.0.0.1:${r.port}`, { retryStrategy: () => 20 });
    const keyPrefix = prefixes.next();
    const l = limiter({ ...settings, maxRequests: 3 }, { redis, keyPrefix, logger: log });
    await waitFor(() => l.mode() === 'redis');
    expect(await l.consumeAddress('192.0.2.4')).toMatchObject({ allowed: true, remaining: 2 });

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
    expect(await l.consumeAddress('192.0.2.5')).toMatchObject({ allowed: true, remaining: 3 });
    expect(l.mode()).toBe('memory-fallback');
    expect(log.warn).toHaveBeenCalledTimes(1);
    expect(await l.consumeAddress('192.0.2.5')).toMatchObject({ allowed: true, remaining: 2 });

    r.resume();
    clock.advance(5000);
    // Only the first command (the spam counter) was sent before the outage was noticed; the request
    // counter of that request and the next one went to memory, so Redis' request window starts now.
    expect(await l.consumeAddress('192.0.2.5')).toMatchObject({ allowed: true, remaining: 3 });
    expect(await admin.get(`${keyPrefix}spam:192.0.2.5`)).toBe('2');
    expect(l.mode()).toBe('redis');
    expect(log.info).toHaveBeenCalledTimes(1);
  });
});
