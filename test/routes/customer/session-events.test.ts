import { connect } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createManualEvery } from '../../../src/lib/clock.js';
import { customer, internal } from '../../helpers/app.js';
import { type EventStreamClient, openEventStream } from '../../helpers/event-stream.js';
import { freePort, startReceiver, type Receiver } from '../../helpers/receiver.js';
import { seedUser } from '../../helpers/seed.js';
import { createAppWithSimulator } from '../../helpers/sim.js';

// SPEC §10 "Live events" / issue 16 §4: GET /v1/sessions/:session_id/events as a real HTTP stream,
// read the way the console reads it. Relay mode: the provider's events reach the gateway.
const every = createManualEvery();
let t: Awaited<ReturnType<typeof createAppWithSimulator>>;
let base = '';
let receiver: Receiver;
const open: EventStreamClient[] = [];

beforeAll(async () => {
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  receiver = await startReceiver();
  t = await createAppWithSimulator({
    env: {
      GATEWAY_PUBLIC_URL: base,
      WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true',
      EVENT_STREAMS_PER_USER: '2',
      EVENT_STREAMS_MAX: '5',
      EVENT_STREAM_BUFFER_BYTES: '16384',
      SESSION_CHECK_INTERVAL: '1m',
    },
    overrides: { every: every.every, sleep: async () => undefined },
  });
  await t.app.listen({ port, host: '127.0.0.1' });
});
afterAll(async () => {
  for (const s of open) s.close();
  await t.close();
  await receiver.close();
});
beforeEach(async () => {
  for (const s of open.splice(0)) s.close();
  await until(async () => t.deps.services.liveEvents.openCount() === 0);
  t.sim.reset();
  receiver.received.splice(0);
});

async function until(check: () => Promise<boolean>, ms = 5_000) {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function session(settings: Record<string, unknown> = {}, user: Record<string, unknown> = {}) {
  const owner = await seedUser(t.app, user);
  const res = await t.app.inject({
    method: 'POST',
    url: '/v1/sessions',
    headers: customer(owner.apiKey),
    payload: { session_name: 'live', auto_connect: true, events: 'Message', ...settings },
  });
  expect(res.statusCode).toBe(201);
  return { ...owner, sessionId: res.json().session.session_id as string, token: res.json().session.session_token as string };
}

async function stream(apiKey: string, sessionId: string, headers: Record<string, string> = {}) {
  const s = await openEventStream(`${base}/v1/sessions/${sessionId}/events`, { ...customer(apiKey), ...headers });
  open.push(s);
  return s;
}

/** How many Message events the gateway has stored for a session. */
const stored = async (sessionId: string) =>
  (
    await t.db.query<{ n: number }>(
      `SELECT count(*) AS n FROM gateway_webhook_events e JOIN wa_sessions s ON s.id = e.session_row_id
       WHERE s.session_id = $1 AND e.event_type = 'Message'`,
      [sessionId],
    )
  ).rows[0]!.n;

describe('live events: state', () => {
  it('opens with the current state, then an `event: state` on every state or health change', async () => {
    const { apiKey, sessionId } = await session();
    const s = await stream(apiKey, sessionId);
    expect(s.status).toBe(200);
    expect(s.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(s.headers.get('x-request-id')).toBeTruthy();
    expect(await s.state()).toMatchObject({ session_id: sessionId, health: 'unknown' });
    t.sim.pair(sessionId, { phone: '6281200000501' });
    expect(await s.state((x) => x.health === 'healthy')).toMatchObject({ connected: true, logged_in: true, status: 'connected' });
    t.sim.injectEvent(sessionId, 'Disconnected', {});
    expect(await s.state((x) => x.health === 'disconnected')).toMatchObject({ connected: false });
    // A change the reconciliation finds is announced the same way.
    t.sim.injectEvent(sessionId, 'Connected', {});
    await s.state((x) => x.health === 'healthy');
    t.sim.drop(sessionId);
    t.clock.advance(60_000);
    await t.deps.sessionChecks.runPass();
    await s.state((x) => x.health === 'disconnected' && x.last_checked_at !== null);
  });

  it('a heartbeat comment every 15 s (the injected timer)', async () => {
    const { apiKey, sessionId } = await session();
    const s = await stream(apiKey, sessionId);
    await s.state();
    every.fire();
    expect(await s.next((m) => m.comment !== undefined)).toEqual({ comment: 'heartbeat' });
  });
});

describe('live events: the provider events of relay mode', () => {
  it('every event the session subscribed to, with its delivery id and the provider JSON; others not', async () => {
    const { apiKey, sessionId } = await session({ webhook_url: receiver.url });
    t.sim.pair(sessionId);
    const s = await stream(apiKey, sessionId);
    t.sim.injectEvent(sessionId, 'Presence', { From: '628777' }, { state: 'online' });
    const postmap = t.sim.injectMessage(sessionId, { text: 'halo' }) as unknown as { event: { Info: { ID: string } } };
    const m = await s.next((x) => x.event === 'Message');
    expect(m.id).toMatch(/^evt_[0-9a-f]{32}$/);
    expect(JSON.parse(m.data!)).toMatchObject({
      type: 'Message',
      event: { Info: { ID: postmap.event.Info.ID }, Message: { conversation: 'halo' } },
      userID: sessionId,
      instanceName: 'live',
    });
    // The same id as the webhook delivery of that event.
    const [delivered] = await receiver.waitFor(1);
    expect(delivered!.headers['x-webhook-id']).toBe(m.id);
    expect(s.messages.some((x) => x.event === 'Presence')).toBe(false);
  });

  it('needs no webhook at all: a session without webhook_url streams its events too', async () => {
    const { apiKey, sessionId } = await session();
    t.sim.pair(sessionId);
    const s = await stream(apiKey, sessionId);
    t.sim.injectMessage(sessionId, { text: 'no public url' });
    expect(JSON.parse((await s.next((x) => x.event === 'Message')).data!).event.Message.conversation).toBe('no public url');
  });

  it('Last-Event-ID resumes after that event from what is still retained; an unknown one starts from now', async () => {
    const { apiKey, sessionId } = await session();
    t.sim.pair(sessionId);
    const first = await stream(apiKey, sessionId);
    t.sim.injectMessage(sessionId, { text: 'one' });
    const one = await first.next((x) => x.event === 'Message');
    first.close();
    // One at a time: genfity-wa posts concurrently, and the stream follows the order they were stored in.
    t.sim.injectMessage(sessionId, { text: 'two' });
    await until(async () => (await stored(sessionId)) === 2);
    t.sim.injectMessage(sessionId, { text: 'three' });
    await until(async () => (await stored(sessionId)) === 3);
    const resumed = await stream(apiKey, sessionId, { 'last-event-id': one.id! });
    const texts = [await resumed.next((x) => x.event === 'Message'), await resumed.next((x) => x.event === 'Message')].map(
      (m) => JSON.parse(m.data!).event.Message.conversation,
    );
    expect(texts).toEqual(['two', 'three']);
    const fresh = await stream(apiKey, sessionId, { 'last-event-id': 'evt_00000000000000000000000000000000' });
    t.sim.injectMessage(sessionId, { text: 'four' });
    expect(JSON.parse((await fresh.next((x) => x.event === 'Message')).data!).event.Message.conversation).toBe('four');
  });
});

describe('live events: bounds', () => {
  it('per-user cap (EVENT_STREAMS_PER_USER): the next one is a 429 before anything is streamed; closing one frees it', async () => {
    const { apiKey, sessionId } = await session();
    const a = await stream(apiKey, sessionId);
    await stream(apiKey, sessionId);
    const refused = await stream(apiKey, sessionId);
    expect(refused.status).toBe(429);
    expect(refused.json).toEqual({ message: expect.any(String), code: 'EVENT_STREAM_LIMIT' });
    a.close();
    await until(async () => t.deps.services.liveEvents.openCount() === 1);
    expect((await stream(apiKey, sessionId)).status).toBe(200);
  });

  it('global cap (EVENT_STREAMS_MAX): 503 once the instance holds that many', async () => {
    for (let i = 0; i < 5; i += 1) {
      const { apiKey, sessionId } = await session();
      expect((await stream(apiKey, sessionId)).status).toBe(200);
    }
    const { apiKey, sessionId } = await session();
    const refused = await stream(apiKey, sessionId);
    expect(refused.status).toBe(503);
    expect(refused.json).toMatchObject({ code: 'EVENT_STREAMS_FULL' });
  });

  it('a reader that never reads is dropped once its buffer is full, and its connection closed', async () => {
    const { apiKey, sessionId } = await session({ events: 'All' });
    t.sim.pair(sessionId);
    // A client that sends its request, then never reads a byte.
    const socket = connect(Number(new URL(base).port), '127.0.0.1');
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    socket.on('error', () => undefined);
    socket.write(`GET /v1/sessions/${sessionId}/events HTTP/1.1\r\nHost: x\r\nx-api-key: ${apiKey}\r\n\r\n`);
    socket.pause();
    await until(async () => t.deps.services.liveEvents.openCount() === 1);
    // Past what the kernel's socket buffers take (a few MB on loopback), the gateway's own buffer fills.
    const big = 'A'.repeat(1_000_000);
    for (let i = 0; i < 8; i += 1) t.sim.injectEvent(sessionId, 'Message', { Info: { ID: `BIG${i}` } }, { base64: big });
    // Full at one heartbeat and still full at the next: dropped.
    await until(async () => {
      every.fire();
      return t.deps.services.liveEvents.openCount() === 0;
    }, 30_000);
    // Its connection was cut: a client that reads at last finds it closed.
    socket.resume();
    await closed;
    const metrics = (await t.app.inject({ url: '/metrics' })).body;
    expect(metrics).toMatch(/wa_gateway_event_streams_dropped_total\{reason="slow_reader"\} 1/);
  }, 60_000);

  it('a reader that keeps up is never dropped, however many events come: while its buffer is full it waits, then carries on', async () => {
    const { apiKey, sessionId } = await session();
    t.sim.pair(sessionId);
    const s = await stream(apiKey, sessionId);
    await s.state();
    const text = 'x'.repeat(4_000);
    for (let i = 0; i < 40; i += 1) t.sim.injectMessage(sessionId, { text: `${i}${text}` });
    const got: string[] = [];
    for (let i = 0; i < 40; i += 1) {
      got.push(JSON.parse((await s.next((m) => m.event === 'Message', 10_000)).data!).event.Message.conversation.slice(0, 2));
      every.fire();
    }
    // Every event, once, in the order the gateway stored them (the provider posts them concurrently).
    const { rows } = await t.db.query<{ text: string }>(
      `SELECT left(e.payload->'event'->'Message'->>'conversation', 2) AS text FROM gateway_webhook_events e
       JOIN wa_sessions s ON s.id = e.session_row_id WHERE s.session_id = $1 AND e.event_type = 'Message' ORDER BY e.id`,
      [sessionId],
    );
    expect(got).toEqual(rows.map((r) => r.text));
    expect(new Set(got).size).toBe(40);
    expect(t.deps.services.liveEvents.openCount()).toBe(1);
  });
});

describe('live events: refused and ended', () => {
  it("another tenant's session is a 404, as a missing one; an expired subscription a 403, before the stream opens", async () => {
    const { sessionId } = await session();
    const other = await seedUser(t.app);
    const foreign = await stream(other.apiKey, sessionId);
    expect([foreign.status, foreign.json]).toEqual([404, { message: 'session not found', code: 'SESSION_NOT_FOUND' }]);
    const lapsed = await seedUser(t.app, { expires_at: new Date(t.clock.now().getTime() - 1_000).toISOString() });
    expect((await stream(lapsed.apiKey, sessionId)).status).toBe(403);
  });

  it('ends when the session is deleted', async () => {
    const { apiKey, sessionId } = await session();
    const s = await stream(apiKey, sessionId);
    await s.state();
    expect((await t.app.inject({ method: 'DELETE', url: `/v1/sessions/${sessionId}`, headers: customer(apiKey) })).statusCode).toBe(200);
    await s.ended;
    await until(async () => t.deps.services.liveEvents.openCount() === 0);
  });

  it('ends when the subscription lapses (at the heartbeat) or the user is deactivated (at once)', async () => {
    const lapsing = await session({}, { expires_at: new Date(t.clock.now().getTime() + 3_600_000).toISOString() });
    const s = await stream(lapsing.apiKey, lapsing.sessionId);
    await s.state();
    t.clock.advance(2 * 3_600_000);
    every.fire();
    await s.ended;

    const deactivated = await session();
    const d = await stream(deactivated.apiKey, deactivated.sessionId);
    await d.state();
    await t.app.inject({
      method: 'PUT',
      url: `/internal/users/${deactivated.userId}`,
      headers: internal(),
      payload: { status: 'inactive' },
    });
    await d.ended;
  });
});

describe('live events: shutdown', () => {
  it('closing the app ends its streams cleanly and does not wait for them', async () => {
    const port = await freePort();
    const own = await createAppWithSimulator({ env: { GATEWAY_PUBLIC_URL: `http://127.0.0.1:${port}` } });
    await own.app.listen({ port, host: '127.0.0.1' });
    const owner = await seedUser(own.app);
    const res = await own.app.inject({
      method: 'POST',
      url: '/v1/sessions',
      headers: customer(owner.apiKey),
      payload: { session_name: 'x' },
    });
    const s = await openEventStream(`http://127.0.0.1:${port}/v1/sessions/${res.json().session.session_id}/events`, customer(owner.apiKey));
    await s.state();
    const started = Date.now();
    await own.close();
    await s.ended;
    expect(Date.now() - started).toBeLessThan(3_000);
  });
});
