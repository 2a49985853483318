import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createPublicLimiter } from '../../src/limits/limiter.js';
import { consumeMany, consumeUserMany } from './helpers.js';

// The library's memory store reads Date.now() and sets a timer per record, so fake timers move
// its clock without waiting out the fixed 10 s spam window.
beforeEach(() => {
  vi.useFakeTimers({ toFake: ['Date', 'setTimeout', 'clearTimeout'] });
});
afterEach(() => {
  vi.useRealTimers();
});

const settings = { windowSeconds: 60, maxRequests: 100, spamMaxPer10s: 3, spamBlockMinutes: 10 };

describe('memory store: bounded state (SPEC §8: the Go maps never shrank)', () => {
  it('holds nothing once every window has passed, however many clients came', async () => {
    const limiter = createPublicLimiter(settings);
    for (let i = 0; i < 1000; i += 1) await limiter.consumeAddress(`10.0.${i >> 8}.${i & 255}`);
    expect(limiter.trackedKeys()).toBe(2000);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(limiter.trackedKeys()).toBe(1000);
    await vi.advanceTimersByTimeAsync(50_000);
    expect(limiter.trackedKeys()).toBe(0);
    await limiter.close();
  });

  it('holds a block exactly as long as it lasts', async () => {
    const limiter = createPublicLimiter(settings);
    for (let i = 0; i < 100; i += 1) await consumeMany(limiter, `10.1.0.${i}`, 4);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(limiter.trackedKeys()).toBe(100);
    expect(await limiter.consumeAddress('10.1.0.1')).toMatchObject({ reason: 'blocked', retryAfterSeconds: 540 });
    await vi.advanceTimersByTimeAsync(539_000);
    expect(limiter.trackedKeys()).toBe(100);
    // A blocked request touched no request counter, so nothing outlives the blocks.
    await vi.advanceTimersByTimeAsync(1_000);
    expect(limiter.trackedKeys()).toBe(0);
    expect(await limiter.consumeAddress('10.1.0.1')).toMatchObject({ allowed: true, remaining: 99 });
  });
});

describe('memory store: the fixed 10 s spam window', () => {
  it('resets after 10 s, so 3 requests every 10 s never trip it', async () => {
    const limiter = createPublicLimiter(settings);
    for (let round = 0; round < 5; round += 1) {
      const decisions = await consumeMany(limiter, '198.51.100.1', 3);
      expect(decisions.every((d) => d.allowed)).toBe(true);
      await vi.advanceTimersByTimeAsync(10_000);
    }
    expect(await limiter.consumeAddress('198.51.100.1')).toMatchObject({ allowed: true, remaining: 84 });
  });

  it('counts the 10 s from the first request of the window', async () => {
    const limiter = createPublicLimiter(settings);
    await limiter.consumeAddress('198.51.100.2');
    await vi.advanceTimersByTimeAsync(9_000);
    await consumeMany(limiter, '198.51.100.2', 2);
    expect(await limiter.consumeAddress('198.51.100.2')).toMatchObject({ reason: 'spam', retryAfterSeconds: 600 });
  });
});

describe('memory store: users (issue 12 §2)', () => {
  it('a user over the spam limit is served again once the 10 s window ends, with no block left behind', async () => {
    const limiter = createPublicLimiter(settings);
    const decisions = await consumeUserMany(limiter, 'village-1', 5);
    expect(decisions.map((d) => (d.allowed ? 'ok' : d.reason))).toEqual(['ok', 'ok', 'ok', 'spam', 'spam']);
    expect(decisions[3]).toMatchObject({ retryAfterSeconds: 10 });
    await vi.advanceTimersByTimeAsync(5_000);
    expect(limiter.userRefusal('village-1')).toMatchObject({ reason: 'spam', retryAfterSeconds: 5 });
    await vi.advanceTimersByTimeAsync(5_000);
    expect(limiter.userRefusal('village-1')).toBeNull();
    expect(await limiter.consumeUser('village-1')).toMatchObject({ allowed: true, remaining: 94 });
    await vi.advanceTimersByTimeAsync(60_000);
    expect(limiter.trackedKeys()).toBe(0);
  });
});
