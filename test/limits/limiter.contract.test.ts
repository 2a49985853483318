import type { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { LOOKUPS_WHILE_BLOCKED } from '../../src/limits/budgets.js';
import { credentialId } from '../../src/limits/credentials.js';
import { createPublicLimiter, type PublicLimitSettings, type PublicLimiter } from '../../src/limits/limiter.js';
import { connectRedis, consumeMany, consumeUserMany, createRunPrefix, deleteKeys, sleep } from './helpers.js';

// go-service-api §5 per address and issue 12 §2 per user, run on both stores. Windows of 1–4 s keep it quick; timings are checked only
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
    expect(await limiter.consumeAddress('203.0.113.2')).toMatchObject({ allowed: false, reason: 'rate', retryAfterSeconds: 1 });
    await sleep(600);
    expect(await limiter.consumeAddress('203.0.113.2')).toMatchObject({ allowed: false, reason: 'rate' });
    await sleep(600);
    expect(await limiter.consumeAddress('203.0.113.2')).toMatchObject({ allowed: true, remaining: 1 });
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
    expect(await limiter.consumeAddress('203.0.113.7')).toMatchObject({ allowed: false, reason: 'blocked' });
    expect(await limiter.consumeAddress('203.0.113.70')).toMatchObject({ allowed: true, remaining: 0 });
    expect(await limiter.consumeAddress('2001:db8::7')).toMatchObject({ allowed: true, remaining: 0 });
    expect(await limiter.consumeAddress('2001:db8::7')).toMatchObject({ allowed: false, reason: 'rate' });
  });

  it('keeps limiters with different prefixes (or processes without Redis) apart', async () => {
    const settings = { windowSeconds: 60, maxRequests: 1, spamMaxPer10s: 5, spamBlockMinutes: 1 };
    const a = make(settings);
    const b = make(settings);
    expect(await a.consumeAddress('203.0.113.8')).toMatchObject({ allowed: true });
    expect(await b.consumeAddress('203.0.113.8')).toMatchObject({ allowed: true });
  });

  it('refuses settings the Go service would have misread', () => {
    expect(() => make({ windowSeconds: 0, maxRequests: 1.5, spamMaxPer10s: 1, spamBlockMinutes: -1 })).toThrow(
      /windowSeconds.*maxRequests.*spamBlockMinutes/,
    );
  });

  describe('per user (issue 12 §2: a credential that authenticates counts against its user)', () => {
    it('allows maxRequests in a window, then "rate limit exceeded" with the window\'s Retry-After', async () => {
      const limiter = make({ windowSeconds: 2, maxRequests: 3, spamMaxPer10s: 10, spamBlockMinutes: 1 });
      const decisions = await consumeUserMany(limiter, 'user-a', 4);
      expect(decisions.slice(0, 3).map((d) => d.allowed && d.remaining)).toEqual([2, 1, 0]);
      expect(decisions[3]).toMatchObject({
        allowed: false,
        reason: 'rate',
        message: 'rate limit exceeded',
        retryAfterSeconds: 2,
        limit: 3,
      });
    });

    it('past the spam limit refuses as spam until the 10 s window ends; never blocked, whatever the block time', async () => {
      const limiter = make({ windowSeconds: 60, maxRequests: 100, spamMaxPer10s: 3, spamBlockMinutes: 60 });
      const decisions = await consumeUserMany(limiter, 'user-b', 6);
      expect(decisions.map((d) => (d.allowed ? 'ok' : d.reason))).toEqual(['ok', 'ok', 'ok', 'spam', 'spam', 'spam']);
      for (const d of decisions.slice(3)) {
        expect(d).toMatchObject({ message: 'spam detected', remaining: 0, limit: 100 });
        expect(d.allowed === false && d.retryAfterSeconds).toBeLessThanOrEqual(10);
      }
      expect(await limiter.addressBlock('user-b')).toBeNull();
    });

    it('counts refused requests too and checks spam before rate, as per address', async () => {
      const limiter = make({ windowSeconds: 60, maxRequests: 2, spamMaxPer10s: 3, spamBlockMinutes: 1 });
      const decisions = await consumeUserMany(limiter, 'user-c', 5);
      expect(decisions.map((d) => (d.allowed ? 'ok' : d.reason))).toEqual(['ok', 'ok', 'rate', 'spam', 'spam']);
    });

    it('keeps users apart from each other and from addresses', async () => {
      const limiter = make({ windowSeconds: 60, maxRequests: 2, spamMaxPer10s: 5, spamBlockMinutes: 1 });
      await consumeUserMany(limiter, '203.0.113.20', 3);
      expect(await limiter.consumeUser('203.0.113.20')).toMatchObject({ allowed: false, reason: 'rate' });
      expect(await limiter.consumeUser('user-d')).toMatchObject({ allowed: true, remaining: 1 });
      expect(await limiter.consumeAddress('203.0.113.20')).toMatchObject({ allowed: true, remaining: 1 });
    });

    it('remembers a refusal until its window ends, and counts nothing for it', async () => {
      const limiter = make({ windowSeconds: 1, maxRequests: 1, spamMaxPer10s: 10, spamBlockMinutes: 1 });
      expect(limiter.userRefusal('user-e')).toBeNull();
      await consumeUserMany(limiter, 'user-e', 2);
      expect(limiter.userRefusal('user-e')).toMatchObject({
        allowed: false,
        reason: 'rate',
        message: 'rate limit exceeded',
        retryAfterSeconds: 1,
      });
      expect(limiter.userRefusal('user-f')).toBeNull();
      await sleep(1100);
      expect(limiter.userRefusal('user-e')).toBeNull();
      expect(await limiter.consumeUser('user-e')).toMatchObject({ allowed: true, remaining: 0 });
    });
  });

  describe('per address, for requests no credential let in (issue 12 §2)', () => {
    it('reads a block without counting: null before it, "ip blocked due to spam" during it', async () => {
      const limiter = make({ windowSeconds: 60, maxRequests: 100, spamMaxPer10s: 3, spamBlockMinutes: 60 });
      for (let i = 0; i < 5; i += 1) expect(await limiter.addressBlock('203.0.113.21')).toBeNull();
      expect((await consumeMany(limiter, '203.0.113.21', 4)).map((d) => (d.allowed ? 'ok' : d.reason))).toEqual(['ok', 'ok', 'ok', 'spam']);
      const block = await limiter.addressBlock('203.0.113.21');
      expect(block).toMatchObject({ allowed: false, reason: 'blocked', message: 'ip blocked due to spam', limit: 100 });
      expect(block!.retryAfterSeconds).toBeGreaterThan(3590);
      expect(await limiter.addressBlock('203.0.113.22')).toBeNull();
    });

    it('with a block of 0 minutes the read refuses as spam until the 10 s window ends', async () => {
      const limiter = make({ windowSeconds: 60, maxRequests: 100, spamMaxPer10s: 2, spamBlockMinutes: 0 });
      await consumeMany(limiter, '203.0.113.23', 3);
      const block = await limiter.addressBlock('203.0.113.23');
      expect(block).toMatchObject({ reason: 'spam', message: 'spam detected' });
      expect(block!.retryAfterSeconds).toBeLessThanOrEqual(10);
    });

    it(`allows ${LOOKUPS_WHILE_BLOCKED} credential lookups per address and 10 s window, then none`, async () => {
      const limiter = make({ windowSeconds: 60, maxRequests: 100, spamMaxPer10s: 3, spamBlockMinutes: 60 });
      const answers = [];
      for (let i = 0; i < LOOKUPS_WHILE_BLOCKED + 2; i += 1) answers.push(await limiter.lookupWhileBlocked('203.0.113.24'));
      expect(answers).toEqual([...Array(LOOKUPS_WHILE_BLOCKED).fill(true), false, false]);
      expect(await limiter.lookupWhileBlocked('203.0.113.25')).toBe(true);
    });
  });

  it('recalls the user of a credential that authenticated here until it is forgotten', () => {
    const limiter = make({ windowSeconds: 60, maxRequests: 1, spamMaxPer10s: 1, spamBlockMinutes: 1 });
    const key = credentialId('customer-key', 'gwa_example');
    expect(limiter.credentials.recall(key)).toBeUndefined();
    limiter.credentials.remember(key, 'user-g');
    expect(limiter.credentials.recall(key)).toBe('user-g');
    expect(limiter.credentials.recall(credentialId('session-token', 'gwa_example'))).toBeUndefined();
    limiter.credentials.forget(key);
    expect(limiter.credentials.recall(key)).toBeUndefined();
  });
});
