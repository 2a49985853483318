import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProviderSimulator, type ProviderSimulator } from '../../sim/provider-simulator.js';
import { createTestApp, customer, type TestApp } from '../helpers/app.js';
import { openEventStream } from '../helpers/event-stream.js';
import { freePort } from '../helpers/receiver.js';
import { seedUser } from '../helpers/seed.js';
import { SIM_ADMIN_TOKEN } from '../helpers/sim.js';
import { openTestStore } from '../helpers/store.js';

// SPEC §10 "Live events" / issue 16 §4: an event that instance A hears reaches a stream held on
// instance B, through the cluster bus: PostgreSQL LISTEN/NOTIFY, or Redis pub/sub when REDIS_URL is set.
// Two gateways on one PostgreSQL database; genfity-wa (the simulator) posts to A only.
const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

describe.each([
  ['PostgreSQL LISTEN/NOTIFY', false],
  ['Redis pub/sub', true],
])('live events across two instances (%s)', (_name, redis) => {
  let store: Awaited<ReturnType<typeof openTestStore>>;
  let sim: ProviderSimulator;
  let a: TestApp;
  let b: TestApp;
  let baseB = '';

  beforeAll(async () => {
    store = await openTestStore('postgres');
    sim = createProviderSimulator({ adminToken: SIM_ADMIN_TOKEN, connectStallMs: 0, webhookRetryCount: 1 });
    await sim.listen(0);
    const portA = await freePort();
    const env = {
      DATABASE_URL: store.database.url!,
      WA_SERVER_URL: sim.url,
      WA_ADMIN_TOKEN: SIM_ADMIN_TOKEN,
      GATEWAY_PUBLIC_URL: `http://127.0.0.1:${portA}`,
      ...(redis ? { REDIS_URL, REDIS_KEY_PREFIX: `gw-live-${randomBytes(4).toString('hex')}:` } : {}),
    };
    a = await createTestApp({ db: store.db, env });
    b = await createTestApp({ db: store.db, env });
    await a.app.listen({ port: portA, host: '127.0.0.1' });
    baseB = await b.app.listen({ port: 0, host: '127.0.0.1' });
    for (const t of [a, b]) t.deps.start();
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
    await sim?.close();
    await store?.close();
  });

  async function sessionOnA() {
    const owner = await seedUser(a.app);
    const res = await a.app.inject({
      method: 'POST',
      url: '/v1/sessions',
      headers: customer(owner.apiKey),
      payload: { session_name: 'two', auto_connect: true, events: 'Message' },
    });
    expect(res.statusCode).toBe(201);
    return { apiKey: owner.apiKey, sessionId: res.json().session.session_id as string };
  }

  it('state changes, provider events and the end of a deleted session reach a stream held on the other instance', async () => {
    const { apiKey, sessionId } = await sessionOnA();
    const s = await openEventStream(`${baseB}/v1/sessions/${sessionId}/events`, customer(apiKey));
    expect(s.status).toBe(200);
    await s.state();
    // genfity-wa posts to A; B's stream hears of it.
    sim.pair(sessionId, { phone: '6281200000601' });
    expect(await s.state((x) => x.health === 'healthy')).toMatchObject({ connected: true });
    sim.injectMessage(sessionId, { text: 'from A to B' });
    const m = await s.next((x) => x.event === 'Message');
    expect(JSON.parse(m.data!).event.Message.conversation).toBe('from A to B');
    expect(m.id).toMatch(/^evt_/);
    sim.injectEvent(sessionId, 'Disconnected', {});
    await s.state((x) => x.health === 'disconnected');
    // Deleted through A: B ends its stream.
    expect((await a.app.inject({ method: 'DELETE', url: `/v1/sessions/${sessionId}`, headers: customer(apiKey) })).statusCode).toBe(200);
    await s.ended;
    expect(b.deps.services.liveEvents.openCount()).toBe(0);
  });
});
