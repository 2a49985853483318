import { describe, expect, it } from 'vitest';
import { limitHeaders } from '../../src/limits/headers.js';
import type { LimitDecision } from '../../src/limits/limiter.js';

describe('limitHeaders', () => {
  it.each<[string, LimitDecision, Record<string, string>]>([
    [
      'allowed',
      { allowed: true, limit: 120, remaining: 7, resetMs: 41_200 },
      { 'ratelimit-limit': '120', 'ratelimit-remaining': '7', 'ratelimit-reset': '42' },
    ],
    [
      'rate',
      { allowed: false, reason: 'rate', message: 'rate limit exceeded', retryAfterSeconds: 3, limit: 120, remaining: 0, resetMs: 2_100 },
      { 'ratelimit-limit': '120', 'ratelimit-remaining': '0', 'ratelimit-reset': '3', 'retry-after': '3' },
    ],
    [
      'blocked',
      {
        allowed: false,
        reason: 'blocked',
        message: 'ip blocked due to spam',
        retryAfterSeconds: 600,
        limit: 120,
        remaining: 0,
        resetMs: 600_000,
      },
      { 'ratelimit-limit': '120', 'ratelimit-remaining': '0', 'ratelimit-reset': '600', 'retry-after': '600' },
    ],
  ])('%s', (_, decision, expected) => {
    expect(limitHeaders(decision)).toEqual(expected);
  });
});
