import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { verifyDelivery } from '../../../src/lib/webhook-signature.js';
import { customer, internal } from '../../helpers/app.js';
import { freePort, startReceiver, type Receiver } from '../../helpers/receiver.js';
import { seedUser } from '../../helpers/seed.js';
import { createAppWithSimulator } from '../../helpers/sim.js';
import { waitFor } from '../../helpers/wait.js';
import { deliveryRound, webhooksSettled } from '../../helpers/webhooks.js';

// Issue 11 §10 (a tenant who is not served gets no relay and no auto-read) and §12 (deliveries go
// where the session points now, signed with its secret now).
const SECRET_1 = '1'.repeat(64);
const SECRET_2 = '2'.repeat(64);
let t: Awaited<ReturnType<typeof createAppWithSimulator>>;
let first: Receiver;
let second: Receiver;

beforeAll(async () => {
  const port = await freePort();
  [first, second] = await Promise.all([startReceiver(), startReceiver()]);
  t = await createAppWithSimulator({
    env: {
      GATEWAY_PUBLIC_URL: `http://127.0.0.1:${port}`,
      WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true',
      WEBHOOK_RETRY_SCHEDULE: '1m',
    },
  });
  await t.app.listen({ port, host: '127.0.0.1' });
});
afterAll(async () => {
  await t.close();
  await Promise.all([first.close(), second.close()]);
});
beforeEach(() => {
  t.sim.reset();
  for (const r of [first, second]) {
    r.received.splice(0);
    r.answerWith();
  }
});

async function relayedSession(expiresAt = '2030-01-01T00:00:00Z') {
  const owner = await seedUser(t.app, { expires_at: expiresAt });
  const res = await t.app.inject({
    method: 'POST',
    url: '/v1/sessions',
    headers: customer(owner.apiKey),
    payload: {
      session_name: 'targets',
      webhook_url: first.url,
      webhook_secret: SECRET_1,
      auto_connect: true,
      auto_read_enabled: true,
      events: 'Message,Disconnected',
    },
  });
  expect(res.statusCode).toBe(201);
  return { ...owner, sessionId: res.json().session.session_id as string };
}

/** Waits for `check`, running a round of the outbox between looks (deliveries are the test's to drive). */
const until = (check: () => Promise<boolean> | boolean, what: string) => waitFor(check, { what, between: deliveryRound(t) });
/** The session's deliveries, newest first, without the gateway's own SessionHealth events (issue 16), which come beside them. */
const deliveries = async (s: { apiKey: string; sessionId: string }) =>
  (
    (await t.app.inject({ url: `/v1/sessions/${s.sessionId}/webhook-deliveries`, headers: customer(s.apiKey) })).json().deliveries as Array<
      Record<string, any>
    >
  ).filter((d) => d.event_type !== 'SessionHealth');
/** What a receiver got, without SessionHealth events. */
const relayed = <T extends { headers: Record<string, unknown> }>(r: { received: T[] }) =>
  r.received.filter((got) => got.headers['x-webhook-event'] !== 'SessionHealth');
const storedState = async (sessionId: string) =>
  (await t.db.query<{ status: string }>('SELECT status FROM wa_sessions WHERE session_id = $1', [sessionId])).rows[0]!.status;
const eventsStored = async (sessionId: string) =>
  (
    await t.db.query<{ n: number }>(
      'SELECT count(*) AS n FROM gateway_webhook_events e JOIN wa_sessions s ON s.id = e.session_row_id WHERE s.session_id = $1',
      [sessionId],
    )
  ).rows[0]!.n;

describe('issue 11 §10: events of a tenant who is not served', () => {
  it.each([
    {
      name: 'an inactive user',
      lapse: async (s: { userId: string }) =>
        void (await t.app.inject({
          method: 'PUT',
          url: `/internal/users/${s.userId}`,
          headers: internal(),
          payload: { status: 'inactive' },
        })),
      expiresAt: '2030-01-01T00:00:00Z',
    },
    {
      name: 'a subscription that has just expired (by the clock, before any sweep)',
      lapse: async () => t.clock.advance(2 * 3_600_000),
      expiresAt: new Date(Date.parse('2026-06-01T00:00:00Z') + 3_600_000).toISOString(),
    },
  ])('$name: no delivery, no auto-read; the stored session state still follows', async ({ lapse, expiresAt }) => {
    t.clock.set('2026-06-01T00:00:00Z');
    const s = await relayedSession(expiresAt);
    t.sim.pair(s.sessionId, { phone: '6281200000081' });
    await until(async () => (await storedState(s.sessionId)) === 'connected', 'the session stored as connected');
    await webhooksSettled(t, t.sim);
    await lapse(s);
    const before = await eventsStored(s.sessionId);
    first.received.splice(0);
    t.sim.clearRequests();
    t.sim.injectMessage(s.sessionId, { text: 'still there?' });
    t.sim.injectEvent(s.sessionId, 'Disconnected', {});
    await until(async () => (await storedState(s.sessionId)) === 'disconnected', 'the session stored as disconnected');
    await until(async () => (await eventsStored(s.sessionId)) >= before + 2, 'both events stored');
    // Both events processed (an auto-read is made before its event counts as processed) and the outbox
    // settled: a delivery or a read that was going to happen has happened.
    await webhooksSettled(t, t.sim);
    expect(first.received).toEqual([]);
    expect(t.sim.requests.filter((r) => r.path === '/chat/markread')).toEqual([]);
    const queued = await t.db.query<{ n: number }>(
      "SELECT count(*) AS n FROM gateway_webhook_deliveries WHERE session_id = $1 AND event_type IN ('Message', 'Disconnected')",
      [s.sessionId],
    );
    expect(queued.rows[0]!.n).toBe(0);
  });
});

describe('issue 11 §12: retries and redeliveries follow the session', () => {
  const settings = (s: { apiKey: string; sessionId: string }, payload: object) =>
    t.app.inject({ method: 'PUT', url: `/v1/sessions/${s.sessionId}/settings`, headers: customer(s.apiKey), payload });
  const redeliver = (s: { apiKey: string; sessionId: string }, id: number) =>
    t.app.inject({ method: 'POST', url: `/v1/sessions/${s.sessionId}/webhook-deliveries/${id}/redeliver`, headers: customer(s.apiKey) });
  const ping = (s: { apiKey: string; sessionId: string }) =>
    t.app.inject({ method: 'POST', url: `/v1/sessions/${s.sessionId}/webhook-deliveries/test`, headers: customer(s.apiKey) });

  it('a redelivery after the URL and secret changed goes to the new URL, signed with the new secret', async () => {
    const s = await relayedSession();
    const queued = (await ping(s)).json().delivery;
    await until(() => relayed(first).length === 1, 'the ping at the first URL');
    await until(async () => (await deliveries(s))[0]!.status === 'delivered', 'the ping recorded as delivered');
    expect((await settings(s, { webhook_url: second.url, webhook_secret: SECRET_2 })).statusCode).toBe(200);
    expect((await redeliver(s, queued.id)).statusCode).toBe(202);
    // The session's own SessionHealth news may reach the new URL first: wait for the redelivery itself.
    await until(() => relayed(second).length === 1, 'the redelivery at the second URL');
    const [got] = relayed(second);
    const id = String(got!.headers['x-webhook-id']);
    expect(id).toBe(queued.event_id);
    const signature = String(got!.headers['x-webhook-signature']);
    expect(verifyDelivery(SECRET_2, id, Number(got!.headers['x-webhook-timestamp']), got!.body, signature)).toBe(true);
    await until(async () => (await deliveries(s))[0]!.status === 'delivered', 'the redelivery recorded as delivered');
    expect((await deliveries(s))[0]).toMatchObject({ url: second.url, attempts: 1 });
    expect(relayed(first)).toHaveLength(1);
  });

  it('a retry goes to the URL the session has when it is due', async () => {
    const s = await relayedSession();
    first.answerWith(503);
    await ping(s);
    await until(async () => (await deliveries(s))[0]!.attempts === 1, 'the first attempt recorded');
    await settings(s, { webhook_url: second.url });
    t.clock.advance(5 * 60_000);
    await until(async () => (await deliveries(s))[0]!.status === 'delivered', 'the retry recorded as delivered');
    expect(relayed(second)).toHaveLength(1);
    expect((await deliveries(s))[0]).toMatchObject({ url: second.url, attempts: 2, last_status_code: 200 });
  });

  it('a session without a URL any more: the delivery fails at once and says why', async () => {
    const s = await relayedSession();
    const queued = (await ping(s)).json().delivery;
    await until(async () => (await deliveries(s))[0]!.status === 'delivered', 'the ping recorded as delivered');
    await settings(s, { webhook_url: '' });
    expect((await redeliver(s, queued.id)).statusCode).toBe(202);
    await until(async () => (await deliveries(s))[0]!.status === 'failed', 'the redelivery given up');
    expect((await deliveries(s))[0]).toMatchObject({ attempts: 1, last_status_code: null, last_error: 'the session has no webhook_url' });
  });
});
