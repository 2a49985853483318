import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { type ClusterBus, createMemoryBus } from './cluster/bus.js';
import { createPgBus } from './cluster/pg-bus.js';
import { createPgLifecycleLock } from './cluster/pg-lock.js';
import { createRedisBus } from './cluster/redis-bus.js';
import type { Config } from './config.js';
import type { Clock, Sleep } from './lib/clock.js';
import type { Random } from './lib/random.js';
import { createLifecycleLane } from './provider/lifecycle-lane.js';
import { createMemoryIdempotencyStore } from './services/idempotency.js';
import { createSharedIdempotencyStore, createTieredIdempotencyStore } from './services/idempotency-shared.js';
import { logErrors } from './lib/logger.js';
import type { Db } from './store/index.js';
import { openPostgres } from './store/postgres.js';

/**
 * Redis only when REDIS_URL is set; requests never queue behind a Redis that is away. Built without
 * connecting: a job connects it (jobs-deps.ts). Until then the limits answer from memory.
 */
export function createRedis(url: string | undefined, logger: Logger): Redis | undefined {
  if (!url) return undefined;
  const redis = new Redis(url, { enableOfflineQueue: false, maxRetriesPerRequest: 1, connectTimeout: 2_000, lazyConnect: true });
  redis.on('error', (err: Error) => logger.debug({ err }, 'redis connection error'));
  return redis;
}

/**
 * Idempotency-Keys get a small pool of their own whose commits do not wait for the disk
 * (`synchronous_commit=off`): a keyed send then costs two round trips instead of two flushes (about
 * 2.5× the keyed throughput here: bench/cluster-costs.ts). What it gives up: on a PostgreSQL crash,
 * key writes of its last ~0.6 s (3 × wal_writer_delay) can be lost, and a retry of such a send would
 * be sent again. Other instances see each write at once either way (visibility does not wait for the
 * flush). Its own pool also keeps keyed sends from queueing for the connections everything else uses.
 */
export function keyStoreUrl(url: string): string {
  const u = new URL(url);
  const given = u.searchParams.get('options');
  u.searchParams.set('options', `${given ? `${given} ` : ''}-c synchronous_commit=off`);
  return u.toString();
}
const KEY_STORE_POOL = 6;

/** Local answers of the fast path are kept at most this long (bounded in count and bytes too); PostgreSQL keeps them for the TTL. */
const LOCAL_IDEMPOTENCY_WINDOW_MS = 10 * 60_000;

/**
 * What makes many instances one gateway (SPEC §10 "Many instances are one", issue 13), built without
 * connecting anything:
 * - the lifecycle lane: this process's queue, then, on PostgreSQL, an advisory lock on a connection
 *   of its own (cluster/pg-lock.ts), opened by the first lifecycle call;
 * - the cluster bus: Redis pub/sub when REDIS_URL is set, else PostgreSQL LISTEN/NOTIFY, else (the
 *   embedded store: one process) in memory; it connects when first subscribed to;
 * - Idempotency-Keys: this process's memory in front of PostgreSQL (or the embedded store), always —
 *   a key must outlive a Redis restart or eviction for its whole TTL, and PostgreSQL is always there
 *   (on a pool of its own, see keyStoreUrl).
 */
export function createClusterParts(
  config: Readonly<Config>,
  f: { db: Db; clock: Clock; random: Random; sleep: Sleep; redis: Redis | undefined; logger: Logger },
) {
  const { env } = config;
  const instance = f.random.bytes(6).toString('hex');
  // The lock and LISTEN need connections of their own: only on a PostgreSQL server, never the embedded store.
  const url = config.store.kind === 'postgres' && f.db.kind === 'postgres' ? config.store.connectionString : null;
  const timeouts = config.storeTimeouts;
  const keysDb = url ? openPostgres(keyStoreUrl(url), timeouts, KEY_STORE_POOL) : f.db;
  const lock = url ? createPgLifecycleLock({ connectionString: url, timeouts, logger: f.logger }) : null;
  const bus: ClusterBus = f.redis
    ? createRedisBus({ redis: f.redis, channel: `${env.REDIS_KEY_PREFIX}bus`, origin: instance, logger: f.logger })
    : url
      ? createPgBus({
          connectionString: url,
          timeouts,
          query: (text, params) => f.db.query(text, params),
          origin: instance,
          clock: f.clock,
          logger: f.logger,
        })
      : createMemoryBus(f.logger);
  const idempotency = createTieredIdempotencyStore(
    createMemoryIdempotencyStore({
      clock: f.clock,
      windowMs: Math.min(config.idempotencyTtlMs, LOCAL_IDEMPOTENCY_WINDOW_MS),
      waitMs: env.IDEMPOTENCY_WAIT_MS,
    }),
    createSharedIdempotencyStore({
      db: keysDb,
      clock: f.clock,
      sleep: f.sleep,
      policy: { ttlMs: config.idempotencyTtlMs, waitMs: env.IDEMPOTENCY_WAIT_MS, owner: instance },
      onError: logErrors(f.logger),
    }),
  );
  return {
    instance,
    lifecycle: createLifecycleLane({ waitMs: env.PROVIDER_LIFECYCLE_WAIT_MS, ...(lock ? { lock } : {}) }),
    bus,
    idempotency,
    async close(): Promise<void> {
      await bus.close();
      await lock?.close();
      if (keysDb !== f.db) await keysDb.close();
    },
  };
}
export type ClusterParts = ReturnType<typeof createClusterParts>;
