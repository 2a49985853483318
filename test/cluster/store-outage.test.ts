import { describe, expect, it } from 'vitest';
import { openPostgres } from '../../src/store/postgres.js';
import { runMigrations } from '../../src/store/migrate.js';
import { customer } from '../helpers/app.js';
import { seedUser } from '../helpers/seed.js';
import { createAppWithSimulator } from '../helpers/sim.js';
import { createTestDatabase } from '../helpers/store.js';
import { createTcpProxy } from '../helpers/tcp-proxy.js';

// Issue 7, bad input: a store that goes away mid-run → readiness 503 and clear errors, then recovery
// without a restart. PostgreSQL is reached through a proxy the test stops and starts (PGlite is
// in-process and cannot go away).
describe('store outage (PostgreSQL)', () => {
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
