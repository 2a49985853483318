import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUS_MAX_PAYLOAD_BYTES, type ClusterBus, createMemoryBus } from '../../src/cluster/bus.js';
import { createPgBus } from '../../src/cluster/pg-bus.js';
import { createRedisBus } from '../../src/cluster/redis-bus.js';
import { systemClock } from '../../src/lib/clock.js';
import { createTestDatabase, type TestDatabase } from '../helpers/store.js';
import { waitFor } from '../helpers/wait.js';

// Issue 13 item 3: one bus interface, three transports. Two buses on one transport stand for two
// instances. The same contract runs on each.
const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const TIMEOUTS = { connectTimeoutMs: 5_000, queryTimeoutMs: 5_000 };
let database: TestDatabase;
let pool: pg.Pool;
const redisClients: Redis[] = [];
const prefix = `gw-bus-test-${randomBytes(4).toString('hex')}:`;

beforeAll(async () => {
  database = await createTestDatabase('postgres');
  pool = new pg.Pool({ connectionString: database.url! });
  // Dropping the database at the end cuts the pool's last connections: not a test failure.
  pool.on('error', () => undefined);
});
afterAll(async () => {
  for (const r of redisClients) r.disconnect();
  await pool.end();
  await database.drop();
});

function redisClient() {
  const redis = new Redis(REDIS_URL, { enableOfflineQueue: false, maxRetriesPerRequest: 1 });
  redis.on('error', () => undefined);
  redisClients.push(redis);
  return redis;
}

/** A PostgreSQL bus on the test database; publishing goes through `query` (the pool unless told otherwise). */
function pgBus(origin: string, query: (text: string, params: unknown[]) => Promise<unknown> = (t, p) => pool.query(t, p)) {
  return createPgBus({ connectionString: database.url!, timeouts: TIMEOUTS, query, origin, clock: systemClock });
}

const transports: Array<[string, (origin: string) => ClusterBus]> = [
  ['PostgreSQL', (origin) => pgBus(origin)],
  ['Redis', (origin) => createRedisBus({ redis: redisClient(), channel: `${prefix}bus`, origin })],
];

/** Resolves with the next message on `channel`, or rejects after `ms`. */
function next(bus: ClusterBus, channel: string, ms = 3_000) {
  return new Promise<{ payload: string; local: boolean }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`nothing on ${channel} within ${ms} ms`)), ms);
    const stop = bus.subscribe(channel, (payload, meta) => {
      clearTimeout(timer);
      stop();
      resolve({ payload, local: meta.local });
    });
  });
}

const healthy = (bus: ClusterBus) => waitFor(() => bus.health().ok, 'the bus listening');

describe.each(transports)('cluster bus on %s', (_name, make) => {
  it('a message reaches the subscribers of its channel on the other instance, only theirs, quickly', async () => {
    const a = make('instance-a');
    const b = make('instance-b');
    try {
      const other: string[] = [];
      b.subscribe('other.channel', (p) => other.push(p));
      const heard = next(b, 'tokens.revoked');
      await healthy(b);
      // The listener may still be subscribing on the server: publish until it hears.
      let got: { payload: string; local: boolean } | null = null;
      heard.then((m) => {
        got = m;
      });
      await waitFor(() => got, {
        what: 'the message heard on the other instance',
        timeoutMs: 3_000,
        between: () => a.publish('tokens.revoked', '{"user":"u-1"}'),
        intervalMs: 50,
      });
      expect(got).toEqual({ payload: '{"user":"u-1"}', local: false });
      // Only theirs: a marker on the other channel, published after, arrives alone.
      await a.publish('other.channel', 'marker');
      await waitFor(() => other.length > 0, 'the marker on the other channel');
      expect(other).toEqual(['marker']);
      const mine = next(a, 'self.check');
      await healthy(a);
      await a.publish('self.check', 'x');
      expect(await mine).toEqual({ payload: 'x', local: true });
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('refuses a bad channel name and a payload over the bound, before anything is sent', async () => {
    const a = make('instance-a');
    try {
      a.subscribe('ok', () => undefined);
      await healthy(a);
      await expect(a.publish('Bad Channel', 'x')).rejects.toThrow(RangeError);
      await expect(a.publish('ok', 'x'.repeat(BUS_MAX_PAYLOAD_BYTES + 1))).rejects.toThrow(RangeError);
      expect(await a.publish('ok', 'x'.repeat(BUS_MAX_PAYLOAD_BYTES))).toBe(true);
    } finally {
      await a.close();
    }
  });
});

describe('cluster bus on PostgreSQL, connection lost', () => {
  it('reports the loss, reconnects by itself and hears again', async () => {
    const a = pgBus('a');
    const b = pgBus('b');
    try {
      b.subscribe('x', () => undefined);
      await healthy(b);
      await pool.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'wa-gateway bus'`);
      await waitFor(() => !b.health().ok, 'the bus reporting the loss');
      expect(b.health()).toMatchObject({ mode: 'postgres', ok: false, detail: expect.stringMatching(/^not listening/) });
      await healthy(b);
      const heard = next(b, 'x.again');
      await a.publish('x.again', 'back');
      expect((await heard).payload).toBe('back');
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('publishing while the store is unreachable resolves false (never throws)', async () => {
    const bus = pgBus('a', () => Promise.reject(new Error('ECONNREFUSED')));
    expect(await bus.publish('x', 'y')).toBe(false);
    await bus.close();
  });
});

describe('memory bus (the embedded store: one process)', () => {
  it('delivers to this process, marked local, after the publisher carried on', async () => {
    const bus = createMemoryBus();
    const seen: string[] = [];
    bus.subscribe('a.b', (p, meta) => seen.push(`${p}:${meta.local}`));
    await bus.publish('a.b', 'one');
    expect(seen).toEqual([]);
    await waitFor(() => seen.length === 1, 'the message delivered in this process');
    expect(seen).toEqual(['one:true']);
  });
});
