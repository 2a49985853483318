import type { Clock } from '../lib/clock.js';

/** The part of an ioredis client the health tracker reads; a plain EventEmitter with `status` fits too. */
export interface RedisStatusSource {
  readonly status: string;
  on(event: 'ready', listener: () => void): unknown;
  removeListener(event: 'ready', listener: () => void): unknown;
}

export interface LimitLogger {
  warn(obj: object, msg: string): void;
  info?(obj: object, msg: string): void;
}

/**
 * Whether the shared Redis store should be asked right now (SPEC §7: limits keep working when Redis
 * does not). The limiter answers from memory while this says no, and tries Redis again as soon as
 * the client is `ready` and, after a failed command, once every `probeIntervalMs`.
 */
export interface RedisHealth {
  /** True when the next command should go to Redis; false marks an outage if the client is not ready. */
  available(): boolean;
  /** Redis answered: ends an outage. */
  succeeded(): void;
  /** A command failed or timed out: starts an outage (logged once) or extends it. */
  failed(error: unknown): void;
  /** True while limits are answered from memory although Redis is configured. */
  degraded(): boolean;
  close(): void;
}

export interface RedisHealthDeps {
  clock: Clock;
  logger?: LimitLogger;
  probeIntervalMs: number;
}

export function createRedisHealth(redis: RedisStatusSource, deps: RedisHealthDeps): RedisHealth {
  let down = false;
  let lastFailureAt = Number.NEGATIVE_INFINITY;
  const now = () => deps.clock.now().getTime();

  function failed(error: unknown): void {
    lastFailureAt = now();
    if (down) return;
    down = true;
    // One line per outage, not per request: an outage under load would otherwise flood the log.
    deps.logger?.warn({ err: error }, 'redis unreachable: rate limits and spam blocks answered from memory (per instance)');
  }

  function succeeded(): void {
    if (!down) return;
    down = false;
    const log = deps.logger?.info ?? deps.logger?.warn;
    log?.call(deps.logger, {}, 'redis reachable again: rate limits and spam blocks shared across instances');
  }

  // ioredis emits `ready` after it reconnected and passed its own ready check, so readiness can
  // report `redis` again even if no request has come in since.
  const onReady = () => succeeded();
  redis.on('ready', onReady);

  function available(): boolean {
    if (redis.status !== 'ready') {
      failed(new Error(`redis connection is ${redis.status}`));
      return false;
    }
    return !down || now() - lastFailureAt >= deps.probeIntervalMs;
  }

  return {
    available,
    succeeded,
    failed,
    degraded: () => down || redis.status !== 'ready',
    close: () => {
      redis.removeListener('ready', onReady);
    },
  };
}
