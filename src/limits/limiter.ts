import type { Redis } from 'ioredis';
import { systemClock, type Clock } from '../lib/clock.js';
import { createCounter, type CounterResult } from './counter.js';
import { createRedisHealth, type LimitLogger } from './redis-health.js';

/** PUBLIC_RATE_LIMIT_WINDOW_SECONDS, PUBLIC_RATE_LIMIT_MAX_REQUEST, PUBLIC_SPAM_MAX_PER_10S, PUBLIC_SPAM_BLOCK_MINUTES. */
export interface PublicLimitSettings {
  windowSeconds: number;
  maxRequests: number;
  spamMaxPer10s: number;
  /** 0: no block, each request over the spam limit is refused until the 10 s window ends. */
  spamBlockMinutes: number;
}

/**
 * `limit`/`remaining` describe the request window (`maxRequests` per `windowSeconds`).
 * `resetMs` is relative: milliseconds until that window ends, or, when refused for spam, until the block ends.
 */
export type LimitDecision =
  | { allowed: true; limit: number; remaining: number; resetMs: number }
  | {
      allowed: false;
      reason: 'blocked' | 'spam' | 'rate';
      message: string;
      retryAfterSeconds: number;
      limit: number;
      remaining: 0;
      resetMs: number;
    };

export interface PublicLimiter {
  /** One request from `key` (a client IP). Never rejects because Redis is down: memory answers then. */
  consume(key: string): Promise<LimitDecision>;
  /** 'memory' | 'redis' | 'memory-fallback' (Redis configured but unreachable) — for readiness. */
  mode(): 'memory' | 'redis' | 'memory-fallback';
  /** Keys currently held in process memory (primary store or Redis fallback), for metrics and tests. */
  trackedKeys(): number;
  /** Stops watching the Redis client; the client itself belongs to the caller and stays open. */
  close(): Promise<void>;
}

export interface PublicLimiterOptions {
  /** Shared store: every instance on the same Redis (and prefix) shares counters and blocks. */
  redis?: Redis;
  logger?: LimitLogger;
  /** Prefix of every Redis key. Default `wa-gw:`. */
  keyPrefix?: string;
  /** A Redis command slower than this is answered from memory. Default 250. */
  redisTimeoutMs?: number;
  /** After a failed command, Redis is tried again this often while the client still says `ready`. Default 1000. */
  redisProbeIntervalMs?: number;
  clock?: Clock;
}

/** The Go service's answers, word for word (go-service-api §5): clients show them. */
export const LIMIT_MESSAGES = {
  blocked: 'ip blocked due to spam',
  spam: 'spam detected',
  rate: 'rate limit exceeded',
} as const;

/** Fixed in the Go service, not a setting. */
const SPAM_WINDOW_SECONDS = 10;

/**
 * The Go service's `PublicRateLimiter` (go-service-api §5) without its defects (SPEC §8, B18):
 * state expires with its window, is shared through Redis when configured, and every refusal says
 * when to retry. Order as in Go: a blocked key is refused without touching the request counter;
 * otherwise both counters count (refused requests too), the spam check comes before the rate check.
 */
export function createPublicLimiter(settings: PublicLimitSettings, options: PublicLimiterOptions = {}): PublicLimiter {
  assertSettings(settings);
  const blockSeconds = settings.spamBlockMinutes > 0 ? Math.max(1, Math.round(settings.spamBlockMinutes * 60)) : 0;
  const health =
    options.redis &&
    createRedisHealth(options.redis, {
      clock: options.clock ?? systemClock,
      logger: options.logger,
      probeIntervalMs: options.redisProbeIntervalMs ?? 1000,
    });
  const store = {
    keyPrefix: options.keyPrefix ?? 'wa-gw:',
    redis: options.redis && health ? { client: options.redis, health, timeoutMs: options.redisTimeoutMs ?? 250 } : undefined,
  };
  const spam = createCounter({ name: 'spam', points: settings.spamMaxPer10s, windowSeconds: SPAM_WINDOW_SECONDS, blockSeconds }, store);
  const rate = createCounter({ name: 'rate', points: settings.maxRequests, windowSeconds: settings.windowSeconds, blockSeconds: 0 }, store);
  const limit = settings.maxRequests;

  async function consume(key: string): Promise<LimitDecision> {
    const spamCount = await spam.consume(key);
    if (isBlocked(spamCount)) return refuse('blocked', spamCount, limit);
    const rateCount = await rate.consume(key);
    if (spamCount.over) return refuse('spam', spamCount, limit);
    if (rateCount.over) return refuse('rate', rateCount, limit);
    return { allowed: true, limit, remaining: rateCount.remaining, resetMs: Math.max(0, rateCount.msBeforeNext) };
  }

  /**
   * The spam key becomes the block when the count first exceeds the limit, so `limit + 1` is the
   * request that starts the block ("spam detected") and anything above it arrived during the block.
   */
  function isBlocked(count: CounterResult): boolean {
    return blockSeconds > 0 && count.over && count.consumed > settings.spamMaxPer10s + 1;
  }

  return {
    consume,
    mode: () => (health === undefined ? 'memory' : health.degraded() ? 'memory-fallback' : 'redis'),
    trackedKeys: () => spam.trackedKeys() + rate.trackedKeys(),
    close: async () => {
      health?.close();
    },
  };
}

function refuse(reason: 'blocked' | 'spam' | 'rate', count: CounterResult, limit: number): LimitDecision {
  const resetMs = Math.max(0, count.msBeforeNext);
  // Retry-After of 0 would invite an immediate retry into the same refusal.
  const retryAfterSeconds = Math.max(1, Math.ceil(resetMs / 1000));
  return { allowed: false, reason, message: LIMIT_MESSAGES[reason], retryAfterSeconds, limit, remaining: 0, resetMs };
}

function assertSettings(s: PublicLimitSettings): void {
  const problems = [
    Number.isInteger(s.windowSeconds) && s.windowSeconds >= 1 ? null : 'windowSeconds must be an integer ≥ 1',
    Number.isInteger(s.maxRequests) && s.maxRequests >= 1 ? null : 'maxRequests must be an integer ≥ 1',
    Number.isInteger(s.spamMaxPer10s) && s.spamMaxPer10s >= 1 ? null : 'spamMaxPer10s must be an integer ≥ 1',
    Number.isFinite(s.spamBlockMinutes) && s.spamBlockMinutes >= 0 ? null : 'spamBlockMinutes must be ≥ 0',
  ].filter((p) => p !== null);
  if (problems.length > 0) throw new Error(`invalid public limit settings: ${problems.join('; ')}`);
}
