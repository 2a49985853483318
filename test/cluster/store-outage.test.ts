import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { openPostgres } from '../../src/store/postgres.js';
import { runMigrations } from '../../src/store/migrate.js';
import { customer, internal } from '../helpers/app.js';
import { seedUser } from '../helpers/seed.js';
import { createAppWithSimulator } from '../helpers/sim.js';
import { createTestDatabase } from '../helpers/store.js';
import { createTcpProxy } from '../helpers/tcp-proxy.js';

/** A fresh PostgreSQL database reached through a proxy the test can stop, start, stall and resume. */
async function proxiedDatabase(env: Record<string, string> = {}) {
  const database = await createTestDatabase('postgres');
  const url = new URL(database.url!);
  const proxy = await createTcpProxy({ host: url.hostname, port: Number(url.port || 5432) });
  url.host = `127.0.0.1:${proxy.port}`;
  const db = openPostgres(url.toString(), loadConfig(env).storeTimeouts);
  await runMigrations(db);
  return {
    db,
    proxy,
    direct: await database.open(),
    async close() {
      await db.close();
      await proxy.stop().catch(() => undefined);
      await database.drop();
    },
  };
}

// Issue 7, bad input: a store that goes away mid-run → readiness 503 and clear errors, then recovery
// without a restart. PostgreSQL is reached through a proxy the test stops and starts (PGlite is
// in-process and cannot go away).
describe('store outage (PostgreSQL)', () => {
  it('503 while PostgreSQL is unreachable, clear 503 errors for requests, recovery once it is back', async () => {
    const database = await createTestDatabase('postgres');
    const url = new URL(database.url!);
    const proxy = await createTcpProxy({ host: url.hostname, port: Number(url.port || 5432) });
    url.host = `127.0.0.1:${proxy.port}`;
    const db = openPostgres(url.toString(), loadConfig({}).storeTimeouts);
    await runMigrations(db);
    const own = await createAppWithSimulator({ db });
    try {
      const user = await seedUser(own.app);
      expect((await own.app.inject({ url: '/v1/me', headers: customer(user.apiKey) })).statusCode).toBe(200);

      await proxy.stop();
      const ready = await own.app.inject({ url: '/ready' });
      expect(ready.statusCode).toBe(503);
      expect(ready.json()).toMatchObject({
        status: 'not_ready',
        checks: { store: 'down', provider: 'ok' },
        details: { store: expect.stringMatching(/^database unavailable, try again shortly/) },
        code: 'NOT_READY',
      });
      const me = await own.app.inject({ url: '/v1/me', headers: customer(user.apiKey) });
      expect(me.statusCode).toBe(503);
      expect(me.json()).toEqual({ message: 'database unavailable, try again shortly', code: 'STORE_UNAVAILABLE' });
      expect((await own.app.inject({ url: '/health' })).statusCode).toBe(200);

      await proxy.start();
      expect((await own.app.inject({ url: '/ready' })).json()).toMatchObject({ status: 'ready', checks: { store: 'ok' } });
      expect((await own.app.inject({ url: '/v1/me', headers: customer(user.apiKey) })).statusCode).toBe(200);
    } finally {
      await own.close();
      await db.close();
      await proxy.stop().catch(() => undefined);
      await database.drop();
    }
  });
});

// Issue 11 §8: PostgreSQL that keeps its connections open and answers nothing. Each request must
// answer 503 STORE_UNAVAILABLE within a few seconds (measured by the HTTP client), and the pool must
// heal by itself once the database answers again, with no connection left inside a transaction.
describe('store stall (PostgreSQL)', () => {
  const QUERY_TIMEOUT_MS = 1_000;
  // The client's deadline: the statement timeout, its client-side grace, and a generous margin.
  const DEADLINE_MS = 6_000;

  it('answers 503 within the deadline on open and new connections, in and out of transactions, then heals', async () => {
    const store = await proxiedDatabase({ DB_QUERY_TIMEOUT_MS: String(QUERY_TIMEOUT_MS), DB_CONNECT_TIMEOUT_MS: '1000' });
    const own = await createAppWithSimulator({ db: store.db });
    const base = await own.app.listen({ port: 0, host: '127.0.0.1' });
    const call = async (path: string, init: RequestInit = {}) => {
      const started = Date.now();
      const res = await fetch(`${base}${path}`, { ...init, signal: AbortSignal.timeout(30_000) });
      return { status: res.status, body: (await res.json()) as unknown, ms: Date.now() - started };
    };
    const me = (apiKey: string) => call('/v1/me', { headers: customer(apiKey) });
    // PUT /internal/users runs in a transaction.
    const deactivate = (userId: string, status: string) =>
      call(`/internal/users/${userId}`, {
        method: 'PUT',
        headers: { ...internal(), 'content-type': 'application/json' },
        body: JSON.stringify({ status }),
      });
    try {
      const user = await seedUser(own.app);
      // Several connections open and idle in the pool before the stall.
      const warm = await Promise.all(Array.from({ length: 4 }, () => me(user.apiKey)));
      expect(warm.map((r) => r.status)).toEqual([200, 200, 200, 200]);

      store.proxy.stall();
      // A transaction on an open connection, then more requests than the pool has connections: open
      // ones, new ones and waits for a free one.
      const inTx = await deactivate(user.userId, 'active');
      const stalled = [inTx, ...(await Promise.all(Array.from({ length: 12 }, () => me(user.apiKey))))];
      for (const res of stalled) {
        expect(res.status).toBe(503);
        expect(res.body).toEqual({ message: 'database unavailable, try again shortly', code: 'STORE_UNAVAILABLE' });
        expect(res.ms).toBeLessThan(DEADLINE_MS);
      }
      // Every connection that waited on the silent database is discarded, none goes back to the pool
      // (connections the pool began for waiters that gave up meanwhile end at their connect timeout).
      await expect.poll(() => store.db.stats().total, { timeout: 8_000, interval: 50 }).toBe(0);

      store.proxy.resume();
      expect((await me(user.apiKey)).status).toBe(200);
      expect((await deactivate(user.userId, 'active')).status).toBe(200);
      const again = await Promise.all(Array.from({ length: 12 }, () => me(user.apiKey)));
      expect(again.map((r) => r.status)).toEqual(Array(12).fill(200));
      // No connection was handed back inside a transaction: once the discarded ones are gone, none is
      // left idle in one on the server.
      await expect
        .poll(
          async () =>
            (
              await store.direct.query<{ n: number }>(
                "SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND state LIKE 'idle in transaction%'",
              )
            ).rows[0]!.n,
          { timeout: 10_000, interval: 100 },
        )
        .toBe(0);
    } finally {
      await own.close();
      await store.direct.close();
      await store.close();
    }
  });

  it('a connection whose statement got no answer is closed, in a transaction or not, never handed out again', async () => {
    const store = await proxiedDatabase({ DB_QUERY_TIMEOUT_MS: String(QUERY_TIMEOUT_MS) });
    try {
      await Promise.all([store.db.query('SELECT 1'), store.db.query('SELECT 1'), store.db.query('SELECT 1')]);
      const open = store.db.stats().total;
      expect(store.db.stats().idle).toBe(open);
      store.proxy.stall();
      const started = Date.now();
      await expect(store.db.tx((q) => q.query('SELECT 1'))).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' });
      expect(store.db.stats()).toMatchObject({ total: open - 1, idle: open - 1 });
      await expect(store.db.query('SELECT 1')).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' });
      expect(store.db.stats()).toMatchObject({ total: open - 2, idle: open - 2 });
      expect(Date.now() - started).toBeLessThan(2 * DEADLINE_MS);
      store.proxy.resume();
      expect((await store.db.tx((q) => q.query<{ one: number }>('SELECT 1 AS one'))).rows).toEqual([{ one: 1 }]);
    } finally {
      await store.direct.close();
      await store.close();
    }
  });

  it('a statement the server runs too long is cancelled by its statement_timeout; a transaction may ask for longer', async () => {
    const store = await proxiedDatabase({ DB_QUERY_TIMEOUT_MS: String(QUERY_TIMEOUT_MS) });
    try {
      const started = Date.now();
      await expect(store.db.query('SELECT pg_sleep(30)')).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' });
      expect(Date.now() - started).toBeLessThan(DEADLINE_MS);
      await expect(store.db.tx((q) => q.query('SELECT pg_sleep(30)'))).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' });
      // A transaction may ask for a longer deadline (migrations, secret rewrites).
      const long = await store.db.tx((q) => q.query<{ ok: number }>('SELECT 1 AS ok FROM pg_sleep(1.5)'), { statementTimeoutMs: 5_000 });
      expect(long.rows).toEqual([{ ok: 1 }]);
      expect((await store.db.query<{ one: number }>('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
    } finally {
      await store.direct.close();
      await store.close();
    }
  });
});
