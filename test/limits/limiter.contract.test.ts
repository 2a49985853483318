import type { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createPublicLimiter, type PublicLimitSettings, type PublicLimiter } from '../../src/limits/limiter.js';
import { connectRedis, consumeMany, createRunPrefix, deleteKeys, sleep } from './helpers.js';

// go-service-api §5, run on both stores. Windows of 1–4 s keep it quick; timings are checked only
// as window arithmetic (retry-after), never as performance.
const prefixes = createRunPrefix();
let redis: Redis;
const open: PublicLimiter[] = [];

beforeAll(async () => {
  redis = connectRedis();
  await redis.ping(); // resolves once the client is ready, so the first limiter starts on Redis
});
afterEach(async () => {
  await Promise.all(open.splice(0).map((l) => l.close()));
});
afterAll(async () => {
  await deleteKeys(redis, prefixes.root);
  await redis.quit();
});

const stores = [
  ['memory', (s: PublicLimitSettings) => createPublicLimiter(s)],
  ['redis', (s: PublicLimitSettings) => createPublicLimiter(s, { redis, keyPrefix: prefixes.next() })],
] as const;

const seconds = (n: number) => n / 60;

describe.each(stores)('public limiter on %s', (store, build) => {
  const make = (s: PublicLimitSettings) => {
    const limiter = build(s);
    open.push(limiter);
    return limiter;
  };

  it('reports its store', () => {
    expect(make({ windowSeconds: 1, maxRequests: 1, spamMaxPer10s: 1, spamBlockMinutes: 0 }).mode()).toBe(store);
  });

  it('allows maxRequests in a window and refuses the next with "rate limit exceeded"', async () => {
    const limiter = make({ windowSeconds: 2, maxRequests: 3, spamMaxPer10s: 10, spamBlockMinutes: 1 });
    const decisions = await consumeMany(limiter, '203.0.113.1', 4);
    expect(decisions.slice(0, 3).map((d) => d.allowed && d.remaining)).toEqual([2, 1, 0]);
    for (const d of decisions.slice(0, 3)) {
      expect(d).toMatchObject({ allowed: true, limit: 3 });
      expect(d.resetMs).toBeGreaterThan(1000);
      expect(d.resetMs).toBeLessThanOrEqual(2000);
    }
    expect(decisions[3]).toMatchObject({
      allowed: false,
      reason: 'rate',
      message: 'rate limit exceeded',
      retryAfterSeconds: 2,
      limit: 3,
      remaining: 0,
    });
  });

  it('starts a new window when the old one ends; refused requests do not extend it', async () => {
    const limiter = make({ windowSeconds: 1, maxRequests: 2, spamMaxPer10s: 10, spamBlockMinutes: 1 });
    await consumeMany(limiter, '203.0.113.2', 2);
    expect(await limiter.consume('203.0.113.2')).toMatchObject({ allowed: false, reason: 'rate', retryAfterSeconds: 1 });
    await sleep(600);
    expect(await limiter.consume('203.0.113.2')).toMatchObject({ allowed: false, reason: 'rate' });
    await sleep(600);
    expect(await limiter.consume('203.0.113.2')).toMatchObject({ allowed: true, remaining: 1 });
  });

  it('detects spam once, then blocks with "ip blocked due to spam" until the block ends', async () => {
    const limiter = make({ windowSeconds: 60, maxRequests: 100, spamMaxPer10s: 3, spamBlockMinutes: 60 });
    const decisions = await consumeMany(limiter, '203.0.113.3', 6);
    expect(decisions.slice(0, 3).every((d) => d.allowed)).toBe(true);
    expect(decisions[3]).toMatchObject({
      allowed: false,
      reason: 'spam',
      message: 'spam detected',
      retryAfterSeconds: 3600,
      remaining: 0,
      limit: 100,
    });
    for (const d of decisions.slice(4)) {
      expect(d).toMatchObject({ allowed: false, reason: 'blocked', message: 'ip blocked due to spam' });
      expect(d.allowed === false && d.retryAfterSeconds).toBeGreaterThan(3590);
      expect(d.allowed === false && d.retryAfterSeconds).toBeLessThanOrEqual(3600);
    }
  });

  it('checks spam before rate: over both limits answers "spam detected"', async () => {
    const limiter = make({ windowSeconds: 60, maxRequests: 2, spamMaxPer10s: 3, spamBlockMinutes: 1 });
    const decisions = await consumeMany(limiter, '203.0.113.4', 5);
    expect(decisions.map((d) => (d.allowed ? 'ok' : d.reason))).toEqual(['ok', 'ok', 'rate', 'spam', 'blocked']);
    expect(decisions[4]).toMatchObject({ retryAfterSeconds: 60 });
  });

  it('lifts the block when it ends; requests refused as blocked did not count', async () => {
    const limiter = make({ windowSeconds: 4, maxRequests: 4, spamMaxPer10s: 2, spamBlockMinutes: seconds(1) });
    const first = await consumeMany(limiter, '203.0.113.5', 6);
    expect(first.map((d) => (d.allowed ? 'ok' : d.reason))).toEqual(['ok', 'ok', 'spam', 'blocked', 'blocked', 'blocked']);
    expect(first[2]).toMatchObject({ retryAfterSeconds: 1 });
    await sleep(1100);
    // Request window still open with 3 counted (2 allowed + the spam one), as in Go.
    const next = await consumeMany(limiter, '203.0.113.5', 2);
    expect(next[0]).toMatchObject({ allowed: true, remaining: 0 });
    expect(next[1]).toMatchObject({ allowed: false, reason: 'rate' });
    const retry = next[1]?.allowed === false ? next[1].retryAfterSeconds : 0;
    expect(retry).toBeGreaterThanOrEqual(2);
    expect(retry).toBeLessThanOrEqual(3);
  });

  it('with a block of 0 minutes refuses each request over the spam limit as spam until the 10 s window ends', async () => {
    const limiter = make({ windowSeconds: 60, maxRequests: 100, spamMaxPer10s: 2, spamBlockMinutes: 0 });
    const decisions = await consumeMany(limiter, '203.0.113.6', 4);
    expect(decisions.map((d) => (d.allowed ? 'ok' : d.reason))).toEqual(['ok', 'ok', 'spam', 'spam']);
    expect(decisions[3]).toMatchObject({ retryAfterSeconds: 10 });
  });

  it('keeps keys apart, IPv6 included', async () => {
    const limiter = make({ windowSeconds: 60, maxRequests: 1, spamMaxPer10s: 2, spamBlockMinutes: 1 });
    await consumeMany(limiter, '203.0.113.7', 4);
    expect(await limiter.consume('203.0.113.7')).toMatchObject({ allowed: false, reason: 'blocked' });
    expect(await limiter.consume('203.0.113.70')).toMatchObject({ allowed: true, remaining: 0 });
    expect(await limiter.consume('2001:db8::7')).toMatchObject({ allowed: true, remaining: 0 });
    expect(await limiter.consume('2001:db8::7')).toMatchObject({ allowed: false, reason: 'rate' });
  });

  it('keeps limiters with different prefixes (or processes without Redis) apart', async () => {
    const settings = { windowSeconds: 60, maxRequests: 1, spamMaxPer10s: 5, spamBlockMinutes: 1 };
    const a = make(settings);
    const b = make(settings);
    expect(await a.consume('203.0.113.8')).toMatchObject({ allowed: true });
    expect(await b.consume('203.0.113.8')).toMatchObject({ allowed: true });
  });

  it('refuses settings the Go service would have misread', () => {
    expect(() => make({ windowSeconds: 0, maxRequests: 1.5, spamMaxPer10s: 1, spamBlockMinutes: -1 })).toThrow(
      /windowSeconds.*maxRequests.*spamBlockMinutes/,
    );
  });
});
