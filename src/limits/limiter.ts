import type { Redis } from 'ioredis';
import { systemClock, type Clock } from '../lib/clock.js';
import { createAddressBudget, createUserBudget } from './budgets.js';
import { createKnownCredentials, type KnownCredentials } from './credentials.js';
import type { LimitDecision, LimitRefusal } from './decision.js';
import { createRedisHealth, type LimitLogger } from './redis-health.js';

/** PUBLIC_RATE_LIMIT_WINDOW_SECONDS, PUBLIC_RATE_LIMIT_MAX_REQUEST, PUBLIC_SPAM_MAX_PER_10S, PUBLIC_SPAM_BLOCK_MINUTES. */
export interface PublicLimitSettings {
  windowSeconds: number;
  maxRequests: number;
  spamMaxPer10s: number;
  /** 0: no block, each request over the spam limit is refused until the 10 s window ends. */
  spamBlockMinutes: number;
}

export type { LimitDecision, LimitRefusal } from './decision.js';
export { LIMIT_MESSAGES } from './decision.js';

/**
 * Two budgets of the same size (issue 12 §2, SPEC §10): a request its credential let in counts
 * against its user; one without a credential, or whose credential was refused, against its address.
 * Only an address is ever blocked.
 */
export interface PublicLimiter {
  /** An address's request that no credential let in: the Go limiter (go-service-api §5), blocks included. */
  consumeAddress(ip: string): Promise<LimitDecision>;
  /** The refusal of a blocked address (read only: nothing counted), or null when it is not blocked. */
  addressBlock(ip: string): Promise<LimitRefusal | null>;
  /** One of the few credential lookups a blocked address may make per spam window (`LOOKUPS_WHILE_BLOCKED`). */
  lookupWhileBlocked(ip: string): Promise<boolean>;
  /** A request its credential let in as `userId`: past the spam limit refused for the rest of the 10 s window, never blocked. */
  consumeUser(userId: string): Promise<LimitDecision>;
  /** The refusal this instance last gave `userId`, while it lasts; from memory, nothing counted. */
  userRefusal(userId: string): LimitRefusal | null;
  credentials: KnownCredentials;
  /** 'memory' | 'redis' | 'memory-fallback' (Redis configured but unreachable) — for readiness. */
  mode(): 'memory' | 'redis' | 'memory-fallback';
  /** Counter keys currently held in process memory (primary store or Redis fallback), for metrics and tests. */
  trackedKeys(): number;
  /** Stops watching the Redis client; the client itself belongs to the caller and stays open. */
  close(): Promise<void>;
}

export interface PublicLimiterOptions {
  /** Shared store: every instance on the same Redis (and prefix) shares counters, blocks and known credentials. */
  redis?: Redis;
  logger?: LimitLogger;
  /** Prefix of every Redis key. Default `wa-gw:`. */
  keyPrefix?: string;
  /** A Redis command slower than this is answered from memory. Default 250. */
  redisTimeoutMs?: number;
  /** After a failed command, Redis is tried again this often while the client still says `ready`. Default 1000. */
  redisProbeIntervalMs?: number;
  /** Wall time: the counters' windows run on it too. */
  clock?: Clock;
}

/**
 * The Go service's `PublicRateLimiter` (go-service-api §5) without its defects (SPEC §8, B18):
 * state expires with its window, is shared through Redis when configured, and every refusal says
 * when to retry. Per address, order as in Go: a blocked key is refused without touching the request
 * counter; otherwise both counters count (refused requests too), the spam check before the rate check.
 */
export function createPublicLimiter(settings: PublicLimitSettings, options: PublicLimiterOptions = {}): PublicLimiter {
  assertSettings(settings);
  const clock = options.clock ?? systemClock;
  const health =
    options.redis &&
    createRedisHealth(options.redis, { clock, logger: options.logger, probeIntervalMs: options.redisProbeIntervalMs ?? 1000 });
  const store = {
    keyPrefix: options.keyPrefix ?? 'wa-gw:',
    redis: options.redis && health ? { client: options.redis, health, timeoutMs: options.redisTimeoutMs ?? 250 } : undefined,
  };
  const blockSeconds = settings.spamBlockMinutes > 0 ? Math.max(1, Math.round(settings.spamBlockMinutes * 60)) : 0;
  const budget = { ...settings, blockSeconds };
  const address = createAddressBudget(budget, store);
  const user = createUserBudget(budget, store, clock);
  const counters = [...address.counters, ...user.counters];
  return {
    consumeAddress: address.consume,
    addressBlock: address.block,
    lookupWhileBlocked: address.lookupWhileBlocked,
    consumeUser: user.consume,
    userRefusal: user.refusal,
    credentials: createKnownCredentials(store, clock),
    mode: () => (health === undefined ? 'memory' : health.degraded() ? 'memory-fallback' : 'redis'),
    trackedKeys: () => counters.reduce((sum, c) => sum + c.trackedKeys(), 0),
    close: async () => {
      health?.close();
    },
  };
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
