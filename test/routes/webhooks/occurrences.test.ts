import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createSecretBox } from '../../../src/lib/secrets-at-rest.js';
import { customer, TEST_ENCRYPTION_KEY } from '../../helpers/app.js';
import { freePort, startReceiver, type Receiver } from '../../helpers/receiver.js';
import { seedUser } from '../../helpers/seed.js';
import { createAppWithSimulator } from '../../helpers/sim.js';
import { waitFor } from '../../helpers/wait.js';
import { deliveryRound, webhooksSettled } from '../../helpers/webhooks.js';

// Issue 11 §5 (reconnects are events, not duplicates) and §7 (a NUL typed by a stranger loses nothing).
const GLOBAL_KEY = 'global-hmac-key-for-occurrences-0123456789';
const sign = (key: string, body: string) => createHmac('sha256', key).update(body).digest('hex');
let t: Awaited<ReturnType<typeof createAppWithSimulator>>;
let receiver: Receiver;
let base = '';

beforeAll(async () => {
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  receiver = await startReceiver();
  t = await createAppWithSimulator({
    env: { GATEWAY_PUBLIC_URL: base, WA_GLOBAL_HMAC_KEY: GLOBAL_KEY, WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true' },
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
});

async function relayedSession(events = 'Connected,Disconnected,Message', connect = true) {
  const owner = await seedUser(t.app);
  const res = await t.app.inject({
    method: 'POST',
    url: '/v1/sessions',
    headers: customer(owner.apiKey),
    payload: { session_name: 'occ', webhook_url: receiver.url, auto_connect: connect, auto_read_enabled: true, events },
  });
  expect(res.statusCode).toBe(201);
  const sessionId = res.json().session.session_id as string;
  const { rows } = await t.db.query<{ relay_hmac_key: string }>('SELECT relay_hmac_key FROM wa_sessions WHERE session_id = $1', [
    sessionId,
  ]);
  return {
    apiKey: owner.apiKey,
    sessionId,
    path: new URL(t.sim.findUserById(sessionId)!.webhook).pathname,
    key: createSecretBox(TEST_ENCRYPTION_KEY).decrypt(rows[0]!.relay_hmac_key),
  };
}

const finished = (type: string) =>
  t.sim.deliveries.filter((d) => d.eventType === type && (d.status !== undefined || d.error !== undefined));
/** Emits through the simulator and waits until both webhooks (session and global) answered the event of `type`. */
async function emit(type: string, action: () => void) {
  const before = finished(type).length;
  action();
  await waitFor(() => finished(type).length >= before + 2, `the simulator's ${type} answered by both webhooks`);
  return finished(type).slice(before);
}
const sessionView = async (apiKey: string) => (await t.app.inject({ url: '/v1/sessions', headers: customer(apiKey) })).json().sessions[0];
// The provider's events as relayed; the gateway's own SessionHealth deliveries (issue 16) come beside them.
const relayed = () => receiver.received.filter((r) => r.headers['x-webhook-event'] !== 'SessionHealth');
const types = () => relayed().map((r) => r.headers['x-webhook-event'] as string);
/** Deliveries are made by rounds of the outbox the test runs, not by the background job's timer. */
const delivered = (count: number) =>
  waitFor(() => relayed().length >= count, {
    what: () => `${count} relayed events (${relayed().length} arrived)`,
    between: deliveryRound(t),
  });
/**
 * "Nothing else arrives" starts from a positive event: `send` queues a Message after everything else,
 * and once it is the `count`th delivery and the gateway has settled, whatever was going to arrive has.
 */
async function afterMarker(count: number, send: () => unknown) {
  await send();
  await delivered(count);
  await webhooksSettled(t, t.sim);
}

describe('issue 11 §5: content-identical events are separate occurrences', () => {
  it('Disconnected → Connected → Disconnected → Connected through both webhooks: four deliveries and the right state', async () => {
    const { sessionId, apiKey } = await relayedSession();
    await emit('Connected', () => t.sim.pair(sessionId, { phone: '6281200000071' }));
    await delivered(1);
    for (const type of ['Disconnected', 'Connected', 'Disconnected', 'Connected']) {
      const answers = await emit(type, () => t.sim.injectEvent(sessionId, type, {}));
      expect(answers.map((a) => a.status)).toEqual([200, 200]);
    }
    await delivered(5);
    await afterMarker(6, () => t.sim.injectMessage(sessionId, { text: 'marker' }));
    expect(types().sort()).toEqual(['Connected', 'Connected', 'Connected', 'Disconnected', 'Disconnected', 'Message']);
    expect(new Set(relayed().map((r) => r.headers['x-webhook-id'])).size).toBe(6);
    await waitFor(async () => (await sessionView(apiKey)).status === 'connected', 'the session stored as connected');
    expect(await sessionView(apiKey)).toMatchObject({ status: 'connected', connected: true });
  });

  it('one occurrence posted again (a retry, the other webhook however late) counts once; the next occurrence counts', async () => {
    // Not connected: the provider posts nothing of its own (no QR) between the posts of this test.
    const { path, key, sessionId } = await relayedSession(undefined, false);
    const body = (type: string) => JSON.stringify({ type, event: {}, userID: sessionId, instanceName: 'occ' });
    const post = (url: string, type: string) =>
      t.app.inject({
        method: 'POST',
        url,
        payload: body(type),
        headers: { 'content-type': 'application/json', 'x-hmac-signature': sign(url === path ? key : GLOBAL_KEY, body(type)) },
      });
    const sequence = ['Disconnected', 'Connected', 'Disconnected', 'Connected'];
    const fresh: boolean[] = [];
    for (const type of sequence) fresh.push(!(await post(path, type)).json().duplicate);
    fresh.push(!(await post(path, 'Connected')).json().duplicate);
    for (const type of sequence) fresh.push(!(await post('/webhook/wa', type)).json().duplicate);
    expect(fresh).toEqual([true, true, true, true, false, false, false, false, false]);
    await delivered(4);
    await afterMarker(5, () => post(path, 'Message'));
    expect(types().sort()).toEqual(['Connected', 'Connected', 'Disconnected', 'Disconnected', 'Message']);
  });
});

describe('contract §7: the provider posts webhooks out of order', () => {
  const unprocessed = async (sessionId: string) =>
    (
      await t.db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM gateway_webhook_events e JOIN wa_sessions s ON s.id = e.session_row_id
          WHERE s.session_id = $1 AND e.processed_at IS NULL`,
        [sessionId],
      )
    ).rows[0]!.n;
  const stored = async (sessionId: string) =>
    (
      await t.db.query<{ status: string; logged_in: boolean; connected: boolean }>(
        'SELECT status, logged_in, connected FROM wa_sessions WHERE session_id = $1',
        [sessionId],
      )
    ).rows[0]!;

  it('a QR that arrives after the pairing changes nothing; a QR after a logout is shown', async () => {
    const { path, key, sessionId } = await relayedSession('QR,PairSuccess,Connected,LoggedOut', false);
    const post = async (type: string, event: unknown, extras: object = {}) => {
      const body = JSON.stringify({ type, event, userID: sessionId, instanceName: 'occ', ...extras });
      const res = await t.app.inject({
        method: 'POST',
        url: path,
        payload: body,
        headers: { 'content-type': 'application/json', 'x-hmac-signature': sign(key, body) },
      });
      expect(res.statusCode).toBe(200);
    };
    const settled = () => waitFor(async () => (await unprocessed(sessionId)) === 0, 'every event of the session processed');
    let shown = 0;
    const qr = () => post('QR', 'code', { qrCodeBase64: `data:image/png;base64,${Buffer.from(`qr ${++shown}`).toString('base64')}` });

    await post('PairSuccess', { ID: '6281200000073:7@s.whatsapp.net' });
    await post('Connected', {});
    await qr();
    await settled();
    expect(await stored(sessionId)).toEqual({ status: 'connected', logged_in: true, connected: true });

    await post('LoggedOut', { Reason: 'device removed' });
    await qr();
    await settled();
    expect(await stored(sessionId)).toEqual({ status: 'qr_waiting', logged_in: false, connected: true });
    // All five are relayed (the receiver decides what a late QR means to it), and delivered before the
    // next test counts its own.
    await delivered(5);
    expect(types().sort()).toEqual(['Connected', 'LoggedOut', 'PairSuccess', 'QR', 'QR']);
    await webhooksSettled(t, t.sim);
  });
});

describe('issue 11 §7: a NUL in an inbound message', () => {
  it('is accepted through both webhooks, stored, relayed as received and marked read', async () => {
    const { sessionId } = await relayedSession();
    await emit('Connected', () => t.sim.pair(sessionId, { phone: '6281200000072' }));
    await delivered(1);
    t.sim.clearRequests();
    let id = '';
    const answers = await emit('Message', () => {
      const postmap = t.sim.injectMessage(sessionId, { text: 'ha\u0000lo \ud83d', pushName: 'Bu\u0000di' });
      id = (postmap.event as { Info: { ID: string } }).Info.ID;
    });
    expect(answers.map((a) => a.status)).toEqual([200, 200]);
    await delivered(2);
    // Relayed as received: the bytes genfity-wa posted, NUL and lone surrogate included.
    const got = receiver.received.find((r) => r.headers['x-webhook-event'] === 'Message');
    const posted = answers.find((a) => a.target === 'user')!;
    expect(got!.body).toBe(posted.body);
    const data = JSON.parse(new URLSearchParams(got!.body).get('jsonData')!);
    expect(data.event.Message.conversation).toBe('ha\u0000lo \ud83d');
    expect(data.event.Info.PushName).toBe('Bu\u0000di');
    const { rows } = await t.db.query<{ payload: { event: { Info: { PushName: string } } } }>(
      "SELECT payload FROM gateway_webhook_events WHERE event_key = 'Message:' || $1",
      [id],
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]!.payload.event.Info.PushName).not.toContain('\u0000');
    await waitFor(() => t.sim.requests.some((r) => r.path === '/chat/markread'), 'the message marked read');
    expect(JSON.parse(t.sim.requests.find((r) => r.path === '/chat/markread')!.body)).toMatchObject({ Id: [id] });
  });
});
