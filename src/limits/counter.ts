import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import type { RedisHealth } from './redis-health.js';

/** One fixed window per key, counted in Redis when it is usable and in process memory otherwise. */
export interface CounterSpec {
  /** Part of the key: `<keyPrefix><name>:<key>`. */
  name: string;
  points: number;
  windowSeconds: number;
  /** Once the count first exceeds `points`, the key is held for this long instead (0: never). */
  blockSeconds: number;
}

export interface CounterResult {
  over: boolean;
  /** Count in the current window or block, this request included. */
  consumed: number;
  remaining: number;
  /** Until the window (or the block) ends. */
  msBeforeNext: number;
}

export interface Counter {
  consume(key: string): Promise<CounterResult>;
  /** The key's count without counting this call; null when nothing was counted in the current window. */
  peek(key: string): Promise<CounterResult | null>;
  /** Keys held in process memory (primary store or fallback copy). */
  trackedKeys(): number;
}

export interface CounterStore {
  keyPrefix: string;
  redis?: { client: Redis; health: RedisHealth; timeoutMs: number };
}

/**
 * Runs `command` on the shared Redis when it is usable, within its timeout; undefined when there is
 * no Redis, it is away, or the command failed (the outage is recorded), so the caller answers from memory.
 */
export async function onRedis<T>(store: CounterStore, command: (client: Redis) => Promise<T>): Promise<T | undefined> {
  const redis = store.redis;
  if (!redis?.health.available()) return undefined;
  try {
    const result = await withTimeout(command(redis.client), redis.timeoutMs);
    redis.health.succeeded();
    return result;
  } catch (error) {
    redis.health.failed(error);
    return undefined;
  }
}

export function createCounter(spec: CounterSpec, store: CounterStore): Counter {
  const options = {
    keyPrefix: `${store.keyPrefix}${spec.name}`,
    points: spec.points,
    duration: spec.windowSeconds,
    blockDuration: spec.blockSeconds,
  };
  // Every record carries its own expiry timer in the library, so memory holds only live windows
  // and blocks (SPEC §8: the Go service's maps never shrank).
  const memory = new RateLimiterMemory(options);
  // Not ready → fail at once (no wait in ioredis' offline queue); memory answers instead.
  const shared = store.redis && new RateLimiterRedis({ ...options, storeClient: store.redis.client, rejectIfRedisNotReady: true });

  async function consume(key: string): Promise<CounterResult> {
    const counted = shared && (await onRedis(store, () => settle(shared.consume(key))));
    return counted ?? settle(memory.consume(key));
  }

  async function peek(key: string): Promise<CounterResult | null> {
    const read = (limiter: RateLimiterMemory | RateLimiterRedis) => async () => {
      const res = await limiter.get(key);
      return res === null ? null : toResult(res, res.consumedPoints > spec.points);
    };
    const viaRedis = shared && (await onRedis(store, read(shared)));
    return viaRedis !== undefined ? viaRedis : read(memory)();
  }

  return { consume, peek, trackedKeys: () => memory.dump().storage.length };
}

/** The library rejects with a RateLimiterRes when over the limit and with an Error when the store fails. */
async function settle(pending: Promise<RateLimiterRes>): Promise<CounterResult> {
  try {
    return toResult(await pending, false);
  } catch (error) {
    if (error instanceof RateLimiterRes) return toResult(error, true);
    throw error;
  }
}

function toResult(res: RateLimiterRes, over: boolean): CounterResult {
  return { over, consumed: res.consumedPoints, remaining: res.remainingPoints, msBeforeNext: res.msBeforeNext };
}

/** A Redis that accepts the connection but never answers must not hold requests up (SPEC §8: timeouts). */
function withTimeout<T>(pending: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`redis did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([pending, expired]).finally(() => clearTimeout(timer));
}
