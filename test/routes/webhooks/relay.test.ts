import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { verifyDelivery } from '../../../src/lib/webhook-signature.js';
import { customer } from '../../helpers/app.js';
import { freePort, startReceiver, type Receiver } from '../../helpers/receiver.js';
import { seedUser } from '../../helpers/seed.js';
import { createAppWithSimulator } from '../../helpers/sim.js';
import { waitFor } from '../../helpers/wait.js';
import { webhooksSettled } from '../../helpers/webhooks.js';

const GLOBAL_KEY = 'global-hmac-key-for-tests-0123456789abcdef';
const SECRET = 'c'.repeat(64);
let t: Awaited<ReturnType<typeof createAppWithSimulator>>;
let receiver: Receiver;
let base = '';

beforeAll(async () => {
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  receiver = await startReceiver();
  t = await createAppWithSimulator({
    env: {
      GATEWAY_PUBLIC_URL: base,
      WA_GLOBAL_HMAC_KEY: GLOBAL_KEY,
      WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true',
      WEBHOOK_RETRY_SCHEDULE: '100ms,100ms,100ms',
      WEBHOOK_TIMEOUT_MS: '500',
    },
  });
  await t.app.listen({ port, host: '127.0.0.1' });
});
afterAll(async () => {
  await t.close();
  await receiver.close();
});
beforeEach(() => {
  t.sim.reset();
  t.sim.configure({ globalWebhookUrl: `${base}/webhook/wa`, globalHmacKey: GLOBAL_KEY });
  receiver.received.splice(0);
  receiver.answerWith();
  receiver.setHang(false);
});

async function relayedSession(settings: Record<string, unknown> = {}) {
  const owner = await seedUser(t.app);
  const res = await t.app.inject({
    method: 'POST',
    url: '/v1/sessions',
    headers: customer(owner.apiKey),
    payload: {
      session_name: 'relay',
      webhook_url: receiver.url,
      webhook_secret: SECRET,
      auto_connect: true,
      auto_read_enabled: true,
      events: 'Message',
      ...settings,
    },
  });
  expect(res.statusCode).toBe(201);
  const session = res.json().session as { session_id: string; session_token: string };
  return { ...owner, sessionId: session.session_id, token: session.session_token };
}

// The app runs on a manual clock and the test drives the outbox: each look moves the clock past the
// retry pause (100 ms) and runs a round of deliveries, so a retry is made as soon as it is due.
const round = () => t.deps.deliverWebhooks();
const retryRound = async () => {
  t.clock.advance(100);
  await round();
};
const until = (check: () => Promise<boolean> | boolean, what: string, timeoutMs?: number) =>
  waitFor(check, { what, between: retryRound, ...(timeoutMs ? { timeoutMs } : {}) });
const waitForDeliveries = (count: number) => receiver.waitFor(count, { between: retryRound });
/** The message ids of the deliveries that arrived, from genfity-wa's form body. */
const messageIds = () => receiver.received.map((r) => JSON.parse(new URLSearchParams(r.body).get('jsonData')!).event.Info.ID as string);
type Injected = { event: { Info: { ID: string } } };
const deliveries = async (apiKey: string, sessionId: string) =>
  (await t.app.inject({ url: `/v1/sessions/${sessionId}/webhook-deliveries`, headers: customer(apiKey) })).json().deliveries as Array<
    Record<string, unknown>
  >;

describe('webhook relay: provisioning and delivery', () => {
  it('points the provider at the gateway with a per-session key, never at the customer URL', async () => {
    const { sessionId } = await relayedSession();
    const user = t.sim.findUserById(sessionId)!;
    expect(user.webhook).toMatch(new RegExp(`^${base}/webhook/wa/s/[0-9a-f]{32}$`));
    expect(user.hmacKeyActive).toBe(true);
    expect(user.events.split(',')).toEqual(expect.arrayContaining(['Message', 'Connected', 'LoggedOut']));
  });

  it('an incoming message is delivered once (session and global webhook), as genfity-wa posted it, signed, and marked read', async () => {
    const { sessionId, token } = await relayedSession();
    t.sim.pair(sessionId, { phone: '6281200000009' });
    const event = t.sim.injectMessage(sessionId, { text: 'halo', from: '6281299999999' }) as unknown as Injected;
    const [got] = await receiver.waitFor(1, { between: round });
    // The default format is genfity-wa's own: the form body it posted to the gateway, byte for byte.
    const posted = t.sim.deliveries.find((d) => d.eventType === 'Message' && d.target === 'user')!;
    expect(got!.raw.equals(Buffer.from(posted.body))).toBe(true);
    expect(got!.headers['content-type']).toBe(posted.headers['Content-Type']);
    expect(JSON.parse(new URLSearchParams(got!.body).get('jsonData')!)).toMatchObject({
      type: 'Message',
      event: { Info: { ID: event.event.Info.ID } },
    });
    expect(got!.headers['x-hmac-signature']).toBe(createHmac('sha256', SECRET).update(got!.raw).digest('hex'));
    const id = String(got!.headers['x-webhook-id']);
    expect(id).toMatch(/^evt_/);
    expect(got!.headers['x-webhook-event']).toBe('Message');
    const ts = Number(got!.headers['x-webhook-timestamp']);
    expect(verifyDelivery(SECRET, id, ts, got!.raw, String(got!.headers['x-webhook-signature']))).toBe(true);
    expect(verifyDelivery('wrong', id, ts, got!.raw, String(got!.headers['x-webhook-signature']))).toBe(false);
    await until(() => t.sim.requests.some((r) => r.path === '/chat/markread'), 'the message marked read');
    const read = t.sim.requests.find((r) => r.path === '/chat/markread')!;
    expect(read.headers.token).toBe(token);
    expect(JSON.parse(read.body)).toMatchObject({ Id: [event.event.Info.ID] });
    // Once: a later message is the marker. When it has come and the gateway has settled, a second copy
    // of the first (its global-webhook twin) would have come before it.
    const marker = t.sim.injectMessage(sessionId, { text: 'marker' }) as unknown as Injected;
    await receiver.waitFor(2, { between: round });
    await webhooksSettled(t, t.sim);
    expect(receiver.received).toHaveLength(2);
    expect(messageIds()).toEqual([event.event.Info.ID, marker.event.Info.ID]);
  });

  it("webhook_format envelope: the gateway's JSON envelope, signed both ways", async () => {
    const { sessionId } = await relayedSession({ webhook_format: 'envelope' });
    t.sim.pair(sessionId, { phone: '6281200000011' });
    const event = t.sim.injectMessage(sessionId, { text: 'halo' }) as unknown as Injected;
    const [got] = await receiver.waitFor(1, { between: round });
    const body = JSON.parse(got!.body);
    expect(body).toMatchObject({
      id: expect.stringMatching(/^evt_/),
      type: 'Message',
      session_id: sessionId,
      timestamp: expect.any(String),
      data: { type: 'Message', event: { Info: { ID: event.event.Info.ID } } },
    });
    expect(got!.headers['content-type']).toBe('application/json');
    expect(got!.headers['x-webhook-id']).toBe(body.id);
    expect(got!.headers['x-hmac-signature']).toBe(createHmac('sha256', SECRET).update(got!.raw).digest('hex'));
    const ts = Number(got!.headers['x-webhook-timestamp']);
    expect(verifyDelivery(SECRET, body.id, ts, got!.body, String(got!.headers['x-webhook-signature']))).toBe(true);
  });

  it('pairing events update the stored session state; events the customer did not ask for are not delivered', async () => {
    const { sessionId, apiKey } = await relayedSession();
    t.sim.pair(sessionId, { phone: '6281200000010' });
    await until(
      async () => (await t.app.inject({ url: '/v1/sessions', headers: customer(apiKey) })).json().sessions[0].logged_in === true,
      'the session stored as logged in',
    );
    const [session] = (await t.app.inject({ url: '/v1/sessions', headers: customer(apiKey) })).json().sessions;
    expect(session).toMatchObject({ connected: true, logged_in: true, status: 'connected', jid: expect.stringContaining('6281200000010') });
    // A Message (asked for) is the marker: once it has come and the gateway has settled, a pairing event would have come too.
    t.sim.injectMessage(sessionId, { text: 'marker' });
    await receiver.waitFor(1, { between: round });
    await webhooksSettled(t, t.sim);
    expect(receiver.received.map((r) => r.headers['x-webhook-event'])).toEqual(['Message']);
  });

  it('a receiver that fails is retried until it accepts; the record says so', async () => {
    const { sessionId, apiKey } = await relayedSession();
    receiver.answerWith(500, 503);
    t.sim.pair(sessionId);
    t.sim.injectMessage(sessionId);
    await waitForDeliveries(3);
    await until(async () => (await deliveries(apiKey, sessionId))[0]?.status === 'delivered', 'the delivery recorded as delivered');
    expect((await deliveries(apiKey, sessionId))[0]).toMatchObject({ status: 'delivered', attempts: 3, last_status_code: 200 });
  });

  it('gives up after the last retry, and a 4xx is final at once; redeliver starts again', async () => {
    const { sessionId, apiKey } = await relayedSession();
    receiver.answerWith(500, 500, 500, 500);
    t.sim.pair(sessionId);
    t.sim.injectMessage(sessionId);
    await until(async () => (await deliveries(apiKey, sessionId))[0]?.status === 'failed', 'the delivery given up');
    const [failed] = await deliveries(apiKey, sessionId);
    expect(failed).toMatchObject({ attempts: 4, last_status_code: 500, next_attempt_at: null });
    receiver.answerWith(410);
    const redo = await t.app.inject({
      method: 'POST',
      url: `/v1/sessions/${sessionId}/webhook-deliveries/${failed!.id}/redeliver`,
      headers: customer(apiKey),
    });
    expect(redo.statusCode).toBe(202);
    await until(async () => (await deliveries(apiKey, sessionId))[0]?.attempts === 1, 'the redelivery attempted');
    expect((await deliveries(apiKey, sessionId))[0]).toMatchObject({ status: 'failed', last_status_code: 410 });
  });

  it('a receiver that hangs costs bounded time and is retried', async () => {
    const { sessionId, apiKey } = await relayedSession();
    receiver.setHang(true);
    t.sim.pair(sessionId);
    t.sim.injectMessage(sessionId);
    await waitForDeliveries(1);
    receiver.setHang(false);
    await until(async () => (await deliveries(apiKey, sessionId))[0]?.status === 'delivered', 'the retry delivered', 8_000);
    expect(Number((await deliveries(apiKey, sessionId))[0]!.attempts)).toBeGreaterThanOrEqual(2);
  });

  it("a test ping is signed and goes through the outbox, in genfity-wa's JSON shape", async () => {
    const { sessionId, apiKey } = await relayedSession();
    const res = await t.app.inject({ method: 'POST', url: `/v1/sessions/${sessionId}/webhook-deliveries/test`, headers: customer(apiKey) });
    expect(res.statusCode).toBe(202);
    const [got] = await receiver.waitFor(1, { between: round });
    expect(got!.headers['content-type']).toBe('application/json');
    expect(JSON.parse(got!.body)).toEqual({
      type: 'Test',
      event: { message: 'test event from the WA Support Gateway' },
      userID: sessionId,
      instanceName: 'relay',
    });
    expect(got!.headers['x-webhook-event']).toBe('Test');
    await until(
      async () => (await t.app.inject({ url: '/metrics' })).body.includes('wa_gateway_webhook_deliveries_total{outcome="delivered"}'),
      'the delivery counted in /metrics',
    );
    expect(got!.headers['x-hmac-signature']).toBe(createHmac('sha256', SECRET).update(got!.raw).digest('hex'));
    const id = String(got!.headers['x-webhook-id']);
    expect(
      verifyDelivery(SECRET, id, Number(got!.headers['x-webhook-timestamp']), got!.raw, String(got!.headers['x-webhook-signature'])),
    ).toBe(true);
  });

  it('a test ping in envelope format is the envelope', async () => {
    const { sessionId, apiKey } = await relayedSession({ webhook_format: 'envelope' });
    await t.app.inject({ method: 'POST', url: `/v1/sessions/${sessionId}/webhook-deliveries/test`, headers: customer(apiKey) });
    const [got] = await receiver.waitFor(1, { between: round });
    expect(JSON.parse(got!.body)).toMatchObject({
      id: got!.headers['x-webhook-id'],
      type: 'Test',
      session_id: sessionId,
      data: { type: 'Test', event: { message: 'test event from the WA Support Gateway' } },
    });
  });
});
