import { Client } from 'undici';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { customer } from '../../helpers/app.js';
import { createAppWithSimulator } from '../../helpers/sim.js';
import { openTestStore } from '../../helpers/store.js';
import { waitFor } from '../../helpers/wait.js';
import { pairedSession, providerCalls, type SimApp } from './helpers.js';

// Issue 13 item 1: connect, disconnect, logout and the full delete go through one lane, held for exactly
// the provider call (genfity-wa crashes on overlapping ones, contract §8). On PostgreSQL the app runs with
// DATABASE_URL, so the lane is the cluster-wide advisory lock; on the embedded store, the process queue.
const WAIT_MS = 300;
let t: SimApp;
let store: Awaited<ReturnType<typeof openTestStore>>;

beforeAll(async () => {
  store = await openTestStore();
  t = await createAppWithSimulator({
    db: store.db,
    env: {
      PROVIDER_LIFECYCLE_WAIT_MS: String(WAIT_MS),
      PROVIDER_TIMEOUT_MS: '1500',
      ...(store.database.url ? { DATABASE_URL: store.database.url } : {}),
    },
  });
});
afterAll(async () => {
  await t.close();
  await store.close();
});
afterEach(() => {
  t.sim.setLatency(0, '/session/disconnect');
  // Whatever a test did, genfity-wa never saw two lifecycle calls at once.
  expect(t.sim.lifecycle.overlaps).toBe(0);
});

const lifecycle = (token: string, path = '/session/disconnect') =>
  t.app.inject({ method: 'POST', url: `/v1/wa${path}`, headers: { token, 'content-type': 'application/json' }, payload: {} });

/** Resolves once the simulator has received `count` calls to `path` (the first one is then held by its latency). */
const received = (path: string, count = 1) => waitFor(() => providerCalls(t, path).length >= count, `${path} at the provider`);

describe('the lifecycle lane', () => {
  it(`a call still waiting after PROVIDER_LIFECYCLE_WAIT_MS → 503 PROVIDER_BUSY with Retry-After; it never reaches the provider`, async () => {
    const a = await pairedSession(t);
    const b = await pairedSession(t);
    t.sim.setLatency(1_000, '/session/disconnect');
    const held = lifecycle(a.token);
    await received('/session/disconnect');
    const started = Date.now();
    const busy = await lifecycle(b.token);
    expect(Date.now() - started).toBeGreaterThanOrEqual(WAIT_MS - 20);
    expect(busy.statusCode).toBe(503);
    expect(busy.json()).toEqual({ message: expect.any(String), code: 'PROVIDER_BUSY' });
    expect(busy.headers['retry-after']).toMatch(/^\d+$/);
    expect((await held).statusCode).toBe(200);
    expect(providerCalls(t, '/session/disconnect').map((c) => c.headers.token)).toEqual([a.token]);
    t.sim.setLatency(0, '/session/disconnect');
    expect((await lifecycle(b.token)).statusCode).toBe(200);
  });

  it("the gateway's own lifecycle calls wait in the same lane: a session delete past the bound is 503 and deletes nothing", async () => {
    const a = await pairedSession(t);
    const b = await pairedSession(t);
    t.sim.setLatency(1_000, '/session/disconnect');
    const held = lifecycle(a.token);
    await received('/session/disconnect');
    const del = await t.app.inject({ method: 'DELETE', url: `/v1/sessions/${b.sessionId}`, headers: customer(b.apiKey) });
    expect(del.statusCode).toBe(503);
    expect(del.json().code).toBe('PROVIDER_BUSY');
    await held;
    expect(t.sim.findUserById(b.sessionId)).toBeDefined();
    expect((await t.app.inject({ method: 'GET', url: '/v1/sessions', headers: customer(b.apiKey) })).json().sessions).toHaveLength(1);
    expect((await t.app.inject({ method: 'DELETE', url: `/v1/sessions/${b.sessionId}`, headers: customer(b.apiKey) })).statusCode).toBe(
      200,
    );
  });

  it('is given back after a provider error and after a provider timeout', async () => {
    const a = await pairedSession(t);
    t.sim.failNext('/session/disconnect', { status: 500, body: 'boom' });
    expect((await lifecycle(a.token)).statusCode).toBe(500);
    t.sim.setLatency(2_000, '/session/disconnect');
    expect((await lifecycle(a.token)).statusCode).toBe(504);
    t.sim.setLatency(0, '/session/disconnect');
    const next = await lifecycle(a.token, '/session/connect');
    expect(next.statusCode).toBeLessThan(503);
  });

  it('a client that goes away while waiting leaves the lane: its call never reaches the provider', async () => {
    const a = await pairedSession(t);
    const b = await pairedSession(t);
    const c = await pairedSession(t);
    const client = new Client(await t.app.listen({ port: 0, host: '127.0.0.1' }));
    try {
      t.sim.setLatency(250, '/session/disconnect');
      const held = lifecycle(a.token);
      await received('/session/disconnect');
      const gone = new AbortController();
      const abandoned = client
        .request({ method: 'POST', path: '/v1/wa/session/disconnect', headers: { token: b.token }, body: '{}', signal: gone.signal })
        .catch(() => 'aborted');
      // In the gateway (its body held), behind the held call: then its client goes.
      await waitFor(() => t.deps.gatewayBytesInFlight(b.userId) > 0, 'the second call in the gateway');
      gone.abort();
      expect(await abandoned).toBe('aborted');
      // Behind the abandoned call in the lane: when this one has been made, the abandoned one would have been too.
      const after = lifecycle(c.token);
      expect((await held).statusCode).toBe(200);
      expect((await after).statusCode).toBe(200);
      expect(providerCalls(t, '/session/disconnect').map((r) => r.headers.token)).toEqual([a.token, c.token]);
    } finally {
      await client.close();
    }
  });
});
