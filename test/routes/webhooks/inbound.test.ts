import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createSecretBox } from '../../../src/lib/secrets-at-rest.js';
import { customer, TEST_ENCRYPTION_KEY } from '../../helpers/app.js';
import { freePort, startReceiver, type Received, type Receiver } from '../../helpers/receiver.js';
import { seedUser } from '../../helpers/seed.js';
import { createAppWithSimulator } from '../../helpers/sim.js';
import { tenantIsolation } from '../../helpers/tenant-isolation.js';
import { deliveryRound, webhooksSettled } from '../../helpers/webhooks.js';

const GLOBAL_KEY = 'global-hmac-key-for-tests-0123456789abcdef';
let t: Awaited<ReturnType<typeof createAppWithSimulator>>;
let receiver: Receiver;
let base = '';
const sign = (key: string, body: string) => createHmac('sha256', key).update(body).digest('hex');
const relayKeyOf = async (sessionId: string) =>
  createSecretBox(TEST_ENCRYPTION_KEY).decrypt(
    (await t.db.query<{ relay_hmac_key: string }>('SELECT relay_hmac_key FROM wa_sessions WHERE session_id = $1', [sessionId])).rows[0]!
      .relay_hmac_key,
  );
const eventsStored = async () => (await t.db.query<{ n: number }>('SELECT count(*) AS n FROM gateway_webhook_events')).rows[0]!.n;

beforeAll(async () => {
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  receiver = await startReceiver();
  t = await createAppWithSimulator({
    env: {
      GATEWAY_PUBLIC_URL: base,
      WA_GLOBAL_HMAC_KEY: GLOBAL_KEY,
      WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true',
      GATEWAY_MAX_BODY_BYTES: '4096',
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
  receiver.received.splice(0);
});

async function relayed() {
  const owner = await seedUser(t.app);
  const res = await t.app.inject({
    method: 'POST',
    url: '/v1/sessions',
    headers: customer(owner.apiKey),
    payload: { session_name: 'in', webhook_url: receiver.url, auto_connect: true, events: 'All' },
  });
  const { session_id: sessionId, session_token: token } = res.json().session;
  const relayUrl = t.sim.findUserById(sessionId)!.webhook;
  return { ...owner, sessionId, token, path: new URL(relayUrl).pathname };
}

const formBody = (sessionId: string, type = 'Message', id = 'ABC123') =>
  new URLSearchParams({
    jsonData: JSON.stringify({
      type,
      event: { Info: { ID: id, Chat: '62811@s.whatsapp.net', Sender: '62811@s.whatsapp.net', IsFromMe: false } },
    }),
    userID: sessionId,
    instanceName: 'in',
  }).toString();

describe('inbound provider webhooks: errors', () => {
  it('unsigned or wrongly signed posts → 401 and nothing stored', async () => {
    const { sessionId, path } = await relayed();
    const before = await eventsStored();
    const body = formBody(sessionId);
    for (const signature of [undefined, 'deadbeef', sign('another-key-that-is-long-enough-000000', body)]) {
      const res = await t.app.inject({
        method: 'POST',
        url: path,
        payload: body,
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...(signature ? { 'x-hmac-signature': signature } : {}) },
      });
      expect(res.statusCode).toBe(401);
      expect(res.json().code).toBe('WEBHOOK_SIGNATURE_INVALID');
    }
    const global = await t.app.inject({
      method: 'POST',
      url: '/webhook/wa',
      payload: body,
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-hmac-signature': 'bad' },
    });
    expect(global.statusCode).toBe(401);
    expect(await eventsStored()).toBe(before);
  });

  it('unknown session → 404; malformed → 400; oversized → 413', async () => {
    const body = formBody('f'.repeat(32));
    const unknownRelay = await t.app.inject({
      method: 'POST',
      url: '/webhook/wa/s/nope',
      payload: body,
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-hmac-signature': sign(GLOBAL_KEY, body) },
    });
    expect(unknownRelay.statusCode).toBe(404);
    const unknownGlobal = await t.app.inject({
      method: 'POST',
      url: '/webhook/wa',
      payload: body,
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-hmac-signature': sign(GLOBAL_KEY, body) },
    });
    expect(unknownGlobal.statusCode).toBe(404);
    const garbage = 'jsonData=not-json';
    const malformed = await t.app.inject({
      method: 'POST',
      url: '/webhook/wa',
      payload: garbage,
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-hmac-signature': sign(GLOBAL_KEY, garbage) },
    });
    expect([400, 404]).toContain(malformed.statusCode);
    const big = 'x'.repeat(10_000);
    const oversized = await t.app.inject({
      method: 'POST',
      url: '/webhook/wa',
      payload: big,
      headers: { 'content-type': 'application/json', 'x-hmac-signature': sign(GLOBAL_KEY, big) },
    });
    expect(oversized.statusCode).toBe(413);
  });

  it('a signed but malformed post to a known session → 400', async () => {
    const { path, sessionId } = await relayed();
    const body = '{"no":"type"}';
    const res = await t.app.inject({
      method: 'POST',
      url: path,
      payload: body,
      headers: { 'content-type': 'application/json', 'x-hmac-signature': sign(await relayKeyOf(sessionId), body) },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe('WEBHOOK_PAYLOAD_INVALID');
  });
});

describe('inbound provider webhooks: formats and repeats', () => {
  it('the same event in JSON and form, through both routes and retried, is stored and delivered once', async () => {
    const { sessionId, path } = await relayed();
    const row = { relay_hmac_key: await relayKeyOf(sessionId) };
    const form = formBody(sessionId, 'Message', 'SAME-1');
    const json = JSON.stringify({ ...JSON.parse(new URLSearchParams(form).get('jsonData')!), userID: sessionId, instanceName: 'in' });
    const posts = [
      { url: path, body: form, type: 'application/x-www-form-urlencoded', key: row.relay_hmac_key },
      { url: path, body: json, type: 'application/json', key: row.relay_hmac_key },
      { url: '/webhook/wa', body: form, type: 'application/x-www-form-urlencoded', key: GLOBAL_KEY },
      { url: '/webhook/wa', body: json, type: 'application/json', key: GLOBAL_KEY },
    ];
    const results = await Promise.all(
      posts.map((p) =>
        t.app.inject({
          method: 'POST',
          url: p.url,
          payload: p.body,
          headers: { 'content-type': p.type, 'x-hmac-signature': sign(p.key, p.body) },
        }),
      ),
    );
    expect(results.map((r) => r.statusCode)).toEqual([200, 200, 200, 200]);
    expect(results.filter((r) => r.json().duplicate === false)).toHaveLength(1);
    await receiver.waitFor(1, { between: deliveryRound(t) });
    // Once: a later event is the marker. When it has come and the outbox is settled, a second copy would have come too.
    const marker = formBody(sessionId, 'Message', 'MARK-1');
    const posted = await t.app.inject({
      method: 'POST',
      url: path,
      payload: marker,
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-hmac-signature': sign(row.relay_hmac_key, marker) },
    });
    expect(posted.json().duplicate).toBe(false);
    await receiver.waitFor(2, { between: deliveryRound(t) });
    await webhooksSettled(t);
    expect(receiver.received).toHaveLength(2);
    // Relayed as posted: whichever of the JSON and form copies came first.
    const eventOf = (r: Received) =>
      JSON.parse(String(r.headers['content-type']).includes('json') ? r.body : new URLSearchParams(r.body).get('jsonData')!);
    expect(receiver.received.map((r) => eventOf(r).event.Info.ID)).toEqual(['SAME-1', 'MARK-1']);
  });
});

describe('relay mode: the gateway owns the provider webhook', () => {
  it('a customer setting their webhook or HMAC key through /v1/wa changes their own settings, not the provider', async () => {
    const { token, sessionId, apiKey } = await relayed();
    const providerWebhook = t.sim.findUserById(sessionId)!.webhook;
    t.sim.clearRequests();
    const set = await t.app.inject({
      method: 'POST',
      url: '/v1/wa/webhook',
      headers: { token, 'content-type': 'application/json' },
      payload: { webhookURL: 'https://hooks.example.com/mine', events: ['Message'] },
    });
    expect(set.statusCode).toBe(200);
    expect(set.json()).toMatchObject({ success: true, data: { webhook: 'https://hooks.example.com/mine' } });
    const hmac = await t.app.inject({
      method: 'POST',
      url: '/v1/wa/session/hmac/config',
      headers: { token, 'content-type': 'application/json' },
      payload: { hmac_key: 'k'.repeat(40) },
    });
    expect(hmac.statusCode).toBe(200);
    const settings = (await t.app.inject({ url: `/v1/sessions/${sessionId}/settings`, headers: customer(apiKey) })).json();
    expect(settings).toMatchObject({ webhook_url: 'https://hooks.example.com/mine', webhook_secret_set: true });
    expect(t.sim.findUserById(sessionId)!.webhook).toBe(providerWebhook);
    expect(t.sim.requests.filter((r) => r.path === '/webhook' || r.path === '/session/hmac/config')).toEqual([]);
    const bad = await t.app.inject({
      method: 'PUT',
      url: '/v1/wa/webhook',
      headers: { token, 'content-type': 'application/json' },
      payload: { webhook: 'ftp://example.com/x' },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().code).toBe('WEBHOOK_URL_NOT_ALLOWED');
  });

  it('a connect through the gateway keeps the events the gateway needs', async () => {
    const { token } = await relayed();
    t.sim.clearRequests();
    await t.app.inject({
      method: 'POST',
      url: '/v1/wa/session/connect',
      headers: { token, 'content-type': 'application/json' },
      payload: { Subscribe: ['ReadReceipt'], Immediate: true },
    });
    const call = t.sim.requests.find((r) => r.path === '/session/connect')!;
    expect(JSON.parse(call.body).Subscribe).toEqual(expect.arrayContaining(['ReadReceipt', 'Message', 'Connected', 'LoggedOut']));
  });
});

describe('webhook deliveries API: tenant isolation', () => {
  it.each([
    { method: 'GET', url: (id: string) => `/v1/sessions/${id}/webhook-deliveries` },
    { method: 'POST', url: (id: string) => `/v1/sessions/${id}/webhook-deliveries/test` },
    { method: 'POST', url: (id: string) => `/v1/sessions/${id}/webhook-deliveries/1/redeliver` },
  ] as const)('$method', async (route) => {
    const owner = await relayed();
    const other = await seedUser(t.app);
    await tenantIsolation(
      { app: t.app, sim: t.sim, sessionId: owner.sessionId, otherKey: other.apiKey, now: t.clock.now() },
      { ...route, expiredAllowed: true },
    );
  });

  it("another tenant's delivery id on one's own session → 404", async () => {
    const a = await relayed();
    const b = await relayed();
    const test = await t.app.inject({
      method: 'POST',
      url: `/v1/sessions/${a.sessionId}/webhook-deliveries/test`,
      headers: customer(a.apiKey),
    });
    const id = test.json().delivery.id;
    const res = await t.app.inject({
      method: 'POST',
      url: `/v1/sessions/${b.sessionId}/webhook-deliveries/${id}/redeliver`,
      headers: customer(b.apiKey),
    });
    expect(res.statusCode).toBe(404);
  });
});
