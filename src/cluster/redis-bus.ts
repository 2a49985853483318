import type { Redis } from 'ioredis';
import { type BusLogger, busEnds, type ClusterBus, createSubscribers } from './bus.js';

export interface RedisBusOptions {
  /** The gateway's Redis client (deps.ts): publishes go out on it, and fail at once while it is away. */
  redis: Redis;
  /** The physical channel: REDIS_KEY_PREFIX + "bus", so gateways sharing a Redis under other prefixes never hear each other. */
  channel: string;
  origin: string;
  logger?: BusLogger;
}

/**
 * The bus on Redis pub/sub (cluster/bus.ts), used when REDIS_URL is set: NOTIFY serialises the
 * commits of every transaction that sends one on a database-wide lock, so fan-out traffic (live
 * events) is cheaper here, and it works behind a transaction-pooling PgBouncer. A subscribed Redis
 * connection can do nothing else, so the first subscribe opens one of its own; ioredis reconnects
 * it and subscribes again by itself. Messages sent while either connection is away are lost.
 */
export function createRedisBus(options: RedisBusOptions): ClusterBus {
  const subscribers = createSubscribers(options.origin, options.logger);
  let subscriber: Redis | null = null;
  let down = false;

  function start(): void {
    if (subscriber) return;
    // Commands wait for the connection here: SUBSCRIBE must reach Redis once it is up.
    const own = options.redis.duplicate({ enableOfflineQueue: true, maxRetriesPerRequest: null, lazyConnect: false });
    subscriber = own;
    own.on('message', (channel: string, message: string) => {
      if (channel === options.channel) subscribers.deliver(message);
    });
    own.on('error', (err: Error) => {
      if (down) return;
      down = true;
      options.logger?.warn(
        { reason: (err as { code?: string }).code ?? err.message },
        'cluster bus not listening (Redis): messages from other instances are missed until it is back',
      );
    });
    own.on('ready', () => {
      if (down) options.logger?.info({}, 'cluster bus listening again (Redis)');
      down = false;
    });
    own.subscribe(options.channel).catch(() => undefined);
  }

  return {
    ...busEnds(options.origin, subscribers, {
      async send(raw) {
        // Not connected (yet, or any more): dropped at once, and a command never opens the connection itself.
        if (options.redis.status !== 'ready') throw new Error(`redis connection is ${options.redis.status}`);
        await options.redis.publish(options.channel, raw);
      },
      listen: start,
    }),
    health() {
      const publishing = options.redis.status === 'ready';
      const listening = !subscriber || subscriber.status === 'ready';
      if (publishing && listening) return { mode: 'redis', ok: true };
      const what = [publishing ? null : `publishing (${options.redis.status})`, listening ? null : `listening (${subscriber?.status})`];
      return { mode: 'redis', ok: false, detail: `Redis unreachable for ${what.filter(Boolean).join(' and ')}; retrying` };
    },
    async close() {
      const own = subscriber;
      subscriber = null;
      own?.disconnect();
    },
  };
}
