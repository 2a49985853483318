import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { openPostgres } from '../../../src/store/postgres.js';
import { runMigrations } from '../../../src/store/migrate.js';
import { customer, createTestApp } from '../../helpers/app.js';
import { seedUser } from '../../helpers/seed.js';
import { createAppWithSimulator } from '../../helpers/sim.js';
import { createTestDatabase, storeKind } from '../../helpers/store.js';
import { createTcpProxy } from '../../helpers/tcp-proxy.js';
import type { SimApp } from '../gateway/helpers.js';

let t: SimApp;
beforeAll(async () => { t = await createAppWithSimulator(); });
afterAll(async () => { await t.close(); });
beforeEach(() => { t.sim.reset(); });

describe('GET /ready', () => {
  it('200 when the store answers and the provider is reachable', async () => {
    const res = await t.app.inject({ url: '/ready' });
    expect(res.statusCode).toBe(200);
    // More checks may be listed (redis, encryption: deps.ts); these two are always there.
    expect(res.json()).toMatchObject({ status: 'ready', checks: { store: 'ok', provider: 'ok' } });
    expect(Object.values(res.json().checks as Record<string, string>).every((c) => c === 'ok')).toBe(true);
  });

  it('503 naming the provider when it is down, 200 again once it is back', async () => {
    t.sim.setDown(true);
    const down = await t.app.inject({ url: '/ready' });
    expect(down.statusCode).toBe(503);
    expect(down.json()).toMatchObject({ status: 'not_ready', checks: { store: 'ok', provider: 'down' }, details: { provider: 'provider unavailable' },
      message: 'not ready: provider down', code: 'NOT_READY' });
    t.sim.setDown(false);
    expect((await t.app.inject({ url: '/ready' })).statusCode).toBe(200);
  });

  it('503 when the provider answers its health check with an error or too slowly', async () => {
    t.sim.failNext('/health', { status: 500 });
    expect((await t.app.inject({ url: '/ready' })).json().details).toMatchObject({ provider: 'provider answered its health check with an error' });
    t.sim.setLatency(2_500, '/health');
    const slow = await t.app.inject({ url: '/ready' });
    expect(slow.statusCode).toBe(503);
    expect(slow.json().details.provider).toMatch(/timed out|no answer within/);
  });

  it('503 when no provider is configured; /health stays 200 and touches neither', async () => {
    const bare = await createTestApp();
    try {
      const res = await bare.app.inject({ url: '/ready' });
      expect(res.statusCode).toBe(503);
      expect(res.json()).toMatchObject({ checks: { store: 'ok', provider: 'down' }, details: { provider: 'provider is not configured' } });
      expect((await bare.app.inject({ url: '/health' })).statusCode).toBe(200);
    } finally {
      await bare.close();
    }
  });
});

// Issue 7, bad input: a store that goes away mid-run → readiness 503 and clear errors, then recovery
// without a restart. PostgreSQL is reached through a proxy the test stops and starts (PGlite is
// in-process and cannot go away).
describe.runIf(storeKind === 'postgres')('store outage (PostgreSQL)', () => {
  it('503 while PostgreSQL is unreachable, clear 503 errors for requests, recovery once it is back', async () => {
    const database = await createTestDatabase('postgres');
    const url = new URL(database.url!);
    const proxy = await createTcpProxy({ host: url.hostname, port: Number(url.port || 5432) });
    url.host = `127.0.0.1:${proxy.port}`;
    const db = openPostgres(url.toString());
    await runMigrations(db);
    const own = await createAppWithSimulator({ db });
    try {
      const user = await seedUser(own.app);
      expect((await own.app.inject({ url: '/v1/me', headers: customer(user.apiKey) })).statusCode).toBe(200);

      await proxy.stop();
      const ready = await own.app.inject({ url: '/ready' });
      expect(ready.statusCode).toBe(503);
      expect(ready.json()).toMatchObject({ status: 'not_ready', checks: { store: 'down', provider: 'ok' },
        details: { store: expect.stringMatching(/^database unavailable, try again shortly/) }, code: 'NOT_READY' });
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
