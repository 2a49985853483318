import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { customer, internal } from '../../helpers/app.js';
import { freePort, startReceiver, type Receiver } from '../../helpers/receiver.js';
import { seedUser } from '../../helpers/seed.js';
import { createAppWithSimulator } from '../../helpers/sim.js';

// SPEC §10 "Session health" / issue 16 §1, §3: health on the session object, the transitions the
// provider's events and answers cause, silence on the manual clock, SessionHealth deliveries and the
// gauge. Relay mode, so the provider's events reach the gateway (and silence means something).
const HOUR = 3_600_000;
const SECRET = 'h'.repeat(40);
let t: Awaited<ReturnType<typeof createAppWithSimulator>>;
let receiver: Receiver;

beforeAll(async () => {
  const port = await freePort();
  receiver = await startReceiver();
  t = await createAppWithSimulator({
    env: {
      GATEWAY_PUBLIC_URL: `http://127.0.0.1:${port}`,
      WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true',
      SESSION_CHECK_INTERVAL: '1m',
    },
    overrides: { sleep: async () => undefined },
  });
  await t.app.listen({ port, host: '127.0.0.1' });
});
afterAll(async () => {
  await t.close();
  await receiver.close();
});
beforeEach(async () => {
  t.sim.reset();
  receiver.received.splice(0);
  // What earlier tests' sessions were heard saying is written now, so each test counts its own.
  await t.deps.flushSessionActivity();
});

async function session() {
  const owner = await seedUser(t.app);
  const res = await t.app.inject({
    method: 'POST',
    url: '/v1/sessions',
    headers: customer(owner.apiKey),
    // The Go default event list: it asks for connection news, so SessionHealth is delivered.
    payload: { session_name: 'desk', webhook_url: receiver.url, webhook_secret: SECRET, auto_connect: true },
  });
  expect(res.statusCode).toBe(201);
  const s = res.json().session as { session_id: string; session_token: string };
  return { ...owner, sessionId: s.session_id, token: s.session_token };
}
const view = async (apiKey: string) => (await t.app.inject({ url: '/v1/sessions', headers: customer(apiKey) })).json().sessions[0];
async function until<T>(probe: () => Promise<T>, done: (v: T) => boolean, ms = 5_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`not reached in ${ms} ms: ${JSON.stringify(value)}`);
    // The webhook outbox runs on the manual clock: moving it a little lets retries come due.
    t.clock.advance(10);
    await new Promise((r) => setTimeout(r, 20));
  }
}
const healthOf = (apiKey: string, health: string) =>
  until(
    () => view(apiKey),
    (s) => s.health === health,
  );
/** Every post the simulator made has been answered: nothing of it can arrive after the clock is moved on. */
const posted = () =>
  until(
    async () => t.sim.deliveries.every((d) => d.status !== undefined || d.error !== undefined),
    (done) => done,
  );
const healthDeliveries = () =>
  receiver.received.filter((r) => r.headers['x-webhook-event'] === 'SessionHealth').map((r) => JSON.parse(r.body) as Record<string, any>);
const waitForHealthDelivery = (health: string) =>
  until(
    async () => healthDeliveries(),
    (all) => all.some((d) => d.event.health === health),
  );

describe('session health follows the provider', () => {
  it('events move it: linked → healthy, Disconnected → disconnected, Connected → healthy, LoggedOut → logged_out', async () => {
    const { apiKey, sessionId, userId } = await session();
    expect(await view(apiKey)).toMatchObject({ health: 'unknown', last_event_at: null, last_checked_at: null });
    t.sim.pair(sessionId, { phone: '6281200000401' });
    const linked = await healthOf(apiKey, 'healthy');
    // Coming online is hearing from the provider.
    expect(Date.parse(linked.last_event_at)).toBeLessThanOrEqual(t.clock.now().getTime());
    t.sim.injectEvent(sessionId, 'Disconnected', {});
    await healthOf(apiKey, 'disconnected');
    t.sim.injectEvent(sessionId, 'Connected', {});
    await healthOf(apiKey, 'healthy');
    t.sim.injectEvent(sessionId, 'LoggedOut', { Reason: 401 });
    expect(await healthOf(apiKey, 'logged_out')).toMatchObject({ connected: false, logged_in: false, jid: '' });

    // The internal users view counts the user's sessions by health.
    const user = (await t.app.inject({ url: `/internal/users/${userId}`, headers: internal() })).json();
    expect(user.sessions_by_health).toEqual({ healthy: 0, disconnected: 0, logged_out: 1, silent: 0, unknown: 0 });
  });

  it("each change reaches the webhook as SessionHealth in genfity-wa's JSON shape, signed, through the outbox", async () => {
    const { apiKey, sessionId } = await session();
    t.sim.pair(sessionId, { phone: '6281200000402' });
    await healthOf(apiKey, 'healthy');
    t.sim.injectEvent(sessionId, 'Disconnected', {});
    await waitForHealthDelivery('disconnected');
    const got = receiver.received.find((r) => r.headers['x-webhook-event'] === 'SessionHealth' && r.body.includes('"disconnected"'))!;
    const body = JSON.parse(got.body);
    expect(body).toEqual({
      type: 'SessionHealth',
      event: expect.objectContaining({ health: 'disconnected', previous_health: 'healthy', connected: false, status: 'disconnected' }),
      userID: sessionId,
      instanceName: 'desk',
    });
    expect(got.headers['x-hmac-signature']).toBe(createHmac('sha256', SECRET).update(got.raw).digest('hex'));
    expect(got.headers['x-webhook-id']).toMatch(/^evt_/);
    // The delivery is a record like any other: listed, retried, redeliverable.
    const list = (await t.app.inject({ url: `/v1/sessions/${sessionId}/webhook-deliveries`, headers: customer(apiKey) })).json();
    expect(list.deliveries.filter((d: { event_type: string }) => d.event_type === 'SessionHealth').length).toBeGreaterThanOrEqual(2);
  });

  it('a session whose list asks for messages only gets no SessionHealth', async () => {
    const owner = await seedUser(t.app);
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/sessions',
      headers: customer(owner.apiKey),
      payload: { session_name: 'msgs', webhook_url: receiver.url, auto_connect: true, events: 'Message' },
    });
    const sessionId = res.json().session.session_id as string;
    t.sim.pair(sessionId);
    await healthOf(owner.apiKey, 'healthy');
    t.sim.injectEvent(sessionId, 'Disconnected', {});
    await healthOf(owner.apiKey, 'disconnected');
    await t.deps.deliverWebhooks();
    expect(healthDeliveries()).toEqual([]);
  });
});

describe('silence', () => {
  it('connected but nothing heard for SESSION_SILENT_AFTER is "silent"; an event heard again makes it healthy', async () => {
    const { apiKey, sessionId } = await session();
    t.sim.pair(sessionId, { phone: '6281200000403' });
    await healthOf(apiKey, 'healthy');
    await posted();
    await t.deps.flushSessionActivity();
    // The provider keeps saying "connected" while nothing arrives any more.
    t.sim.setSilent(sessionId, true);
    t.clock.advance(6 * HOUR - 60_000);
    await t.deps.sessionChecks.runPass();
    expect((await view(apiKey)).health).toBe('healthy');
    t.clock.advance(2 * 60_000);
    await t.deps.sessionChecks.runPass();
    expect(await view(apiKey)).toMatchObject({ health: 'silent', connected: true, logged_in: true });
    await waitForHealthDelivery('silent');

    // It speaks again: the event is heard at once, written at the next (coalesced) flush.
    t.sim.setSilent(sessionId, false);
    t.sim.injectMessage(sessionId, { text: 'halo' });
    const silentSince = t.clock.now().getTime();
    await until(
      async () => t.deps.flushSessionActivity(),
      (n) => n > 0,
    );
    const heard = await view(apiKey);
    expect(heard.health).toBe('healthy');
    expect(Date.parse(heard.last_event_at)).toBeGreaterThanOrEqual(silentSince);
    await waitForHealthDelivery('healthy');
  });

  it('a send WhatsApp accepted through the gateway is hearing from the provider too', async () => {
    const { apiKey, sessionId, token } = await session();
    t.sim.pair(sessionId, { phone: '6281200000404' });
    await healthOf(apiKey, 'healthy');
    await posted();
    await t.deps.flushSessionActivity();
    t.sim.setSilent(sessionId, true);
    t.clock.advance(7 * HOUR);
    await t.deps.sessionChecks.runPass();
    await healthOf(apiKey, 'silent');
    const sent = await t.app.inject({
      method: 'POST',
      url: '/wa/chat/send/text',
      headers: { token },
      payload: { Phone: '628777', Body: 'x' },
    });
    expect(sent.statusCode).toBe(200);
    expect(await t.deps.flushSessionActivity()).toBe(1);
    expect((await view(apiKey)).health).toBe('healthy');
  });

  it('last_event_at is written coalesced: a burst of events costs one write at the flush, not one each', async () => {
    const { apiKey, sessionId } = await session();
    t.sim.pair(sessionId);
    await healthOf(apiKey, 'healthy');
    await posted();
    await t.deps.flushSessionActivity();
    const before = (await view(apiKey)).last_event_at;
    t.clock.advance(60_000);
    for (let i = 0; i < 5; i += 1) t.sim.injectMessage(sessionId, { text: `m${i}` });
    await until(
      async () =>
        (await t.db.query<{ n: number }>('SELECT count(*) AS n FROM gateway_webhook_events WHERE event_type = $1', ['Message'])).rows[0]!.n,
      (n) => n >= 5,
    );
    expect((await view(apiKey)).last_event_at).toBe(before);
    expect(await t.deps.flushSessionActivity()).toBe(1);
    expect((await view(apiKey)).last_event_at).toBe(t.clock.now().toISOString());
  });
});

describe('wa_gateway_sessions{health}', () => {
  it('counts sessions by health from the store, every health present', async () => {
    await t.db.query('DELETE FROM wa_sessions');
    const a = await session();
    const b = await session();
    t.sim.pair(a.sessionId);
    await healthOf(a.apiKey, 'healthy');
    t.sim.pair(b.sessionId);
    await healthOf(b.apiKey, 'healthy');
    t.sim.injectEvent(b.sessionId, 'Disconnected', {});
    await healthOf(b.apiKey, 'disconnected');
    // Scrapes within ten seconds share one count: the clock moves past it.
    t.clock.advance(11_000);
    const text = (await t.app.inject({ url: '/metrics' })).body;
    const value = (health: string) => Number(new RegExp(`^wa_gateway_sessions\\{health="${health}"\\} (\\d+)$`, 'm').exec(text)?.[1]);
    expect(['healthy', 'disconnected', 'logged_out', 'silent', 'unknown'].map(value)).toEqual([1, 1, 0, 0, 0]);
  });
});
