import { beforeEach, describe, expect, it } from 'vitest';
import { customer, internal } from '../../helpers/app.js';
import { fileAppWithSimulator } from '../../helpers/sim.js';
import { waitFor } from '../../helpers/wait.js';
import { pairedSession, providerCalls, sendText } from './helpers.js';

const t = fileAppWithSimulator({ env: { GATEWAY_MAX_BODY_BYTES: '4096' } });
beforeEach(() => {
  t.sim.reset();
});

describe('gateway: happy', () => {
  it.each(['/v1/wa', '/wa'])(
    '%s forwards method, path, body and exactly one credential; the answer comes back untouched',
    async (prefix) => {
      const { token } = await pairedSession(t);
      const res = await sendText(
        t,
        token,
        { 'x-api-key': 'gwa_customer', 'x-internal-api-key': 'k', cookie: 'a=b', 'x-custom': 'kept' },
        { Phone: '6281234567890', Body: 'halo' },
        prefix,
      );
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({
        code: 200,
        success: true,
        data: { Details: 'Sent', Id: expect.any(String), Timestamp: expect.any(Number) },
      });
      const [call] = providerCalls(t, '/chat/send/text');
      expect(call!.headers.token).toBe(token);
      for (const dropped of ['authorization', 'x-api-key', 'x-internal-api-key', 'cookie']) expect(call!.headers[dropped]).toBeUndefined();
      expect(call!.headers['x-custom']).toBe('kept');
      expect(JSON.parse(call!.body)).toEqual({ Phone: '6281234567890', Body: 'halo' });
    },
  );

  it.each([
    ['Bearer', (tk: string) => ({ authorization: `Bearer ${tk}` })],
    ['raw Authorization', (tk: string) => ({ authorization: tk })],
  ])('accepts the token as %s and forwards it as the token header', async (_name, headers) => {
    const { token } = await pairedSession(t);
    const res = await t.app.inject({ url: '/v1/wa/session/status', headers: headers(token) });
    expect(res.statusCode).toBe(200);
    const [call] = providerCalls(t, '/session/status');
    expect(call!.headers.token).toBe(token);
    expect(call!.headers.authorization).toBeUndefined();
  });

  it('forwards the query string and keeps provider error bodies and statuses', async () => {
    const { token } = await pairedSession(t);
    const events = await t.app.inject({ url: '/v1/wa/webhook/events?active=true', headers: { token } });
    expect(events.statusCode).toBe(200);
    expect(providerCalls(t, '/webhook/events')[0]!.query).toEqual({ active: 'true' });
    const missing = await sendText(t, token, {}, { Phone: '6281234567890' });
    expect(missing.statusCode).toBe(400);
    expect(missing.json()).toEqual({ code: 400, error: 'missing Body in Payload', success: false });
    const qr = await t.app.inject({ url: '/v1/wa/session/qr', headers: { token } });
    expect(qr.json().error).toBe('already logged in');
  });

  it('/session/* answers refresh the stored state, without blanking what they do not carry', async () => {
    const { token, sessionId, apiKey } = await pairedSession(t);
    await t.app.inject({ url: '/v1/wa/session/status', headers: { token } });
    const listed = (await t.app.inject({ url: '/v1/sessions', headers: customer(apiKey) })).json().sessions[0];
    expect(listed).toMatchObject({
      session_id: sessionId,
      connected: true,
      logged_in: true,
      status: 'connected',
      jid: expect.stringContaining('6281200000001'),
    });
    await t.app.inject({
      method: 'POST',
      url: '/v1/wa/session/logout',
      headers: { token, 'content-type': 'application/json' },
      payload: {},
    });
    const after = (await t.app.inject({ url: '/v1/sessions', headers: customer(apiKey) })).json().sessions[0];
    expect(after).toMatchObject({ connected: false, logged_in: false, status: 'logged_out', session_name: 'gw' });
  });

  it('connect, disconnect and logout go to the provider one at a time, also across sessions', async () => {
    const sessions = await Promise.all([pairedSession(t), pairedSession(t), pairedSession(t)]);
    t.sim.clearRequests();
    t.sim.setLatency(400, '/session/disconnect');
    const calls = sessions.map((s) =>
      t.app.inject({
        method: 'POST',
        url: '/v1/wa/session/disconnect',
        headers: { token: s.token, 'content-type': 'application/json' },
        payload: {},
      }),
    );
    // All three are in the gateway (their bodies held) and the first is at the provider, held there by its latency.
    await waitFor(
      () => sessions.every((s) => t.deps.gatewayBytesInFlight(s.userId) > 0) && providerCalls(t, '/session/disconnect').length > 0,
      'the three calls in the gateway and the first at the provider',
    );
    expect(providerCalls(t, '/session/disconnect')).toHaveLength(1);
    const results = await Promise.all(calls);
    expect(results.map((r) => r.statusCode)).toEqual([200, 200, 200]);
    expect(providerCalls(t, '/session/disconnect')).toHaveLength(3);
  });

  it('counts sends per session and type once flushed, and only what the provider accepted as sent', async () => {
    const { token, sessionId, apiKey } = await pairedSession(t);
    await sendText(t, token);
    await sendText(t, token);
    await t.app.inject({
      method: 'POST',
      url: '/v1/wa/chat/send/location',
      headers: { token, 'content-type': 'application/json' },
      payload: { Phone: '6281234567890', Latitude: -6.2, Longitude: 106.8, Name: 'Jakarta' },
    });
    await sendText(t, token, {}, { Phone: '6281234567890' }); // 400: refused, not a failed message
    await sendText(t, token, {}, { Body: 'no phone' }); // 400 again
    t.sim.failNext('/chat/send/text', { status: 500, body: { code: 500, error: 'error sending message: boom', success: false } });
    await sendText(t, token);
    t.sim.setDown(true);
    await sendText(t, token); // unreachable: a failed message
    t.sim.setDown(false);
    await t.deps.flushCounters();
    const settings = (await t.app.inject({ url: `/v1/sessions/${sessionId}/settings`, headers: customer(apiKey) })).json();
    expect(settings).toMatchObject({ message_stat_sent: 3, message_stat_failed: 2 });
    expect(
      settings.message_stats.by_type.map((s: { message_type: string; sent: number; failed: number }) => [s.message_type, s.sent, s.failed]),
    ).toEqual([
      ['location', 1, 0],
      ['text', 2, 2],
    ]);
    const listed = (await t.app.inject({ url: '/v1/sessions', headers: customer(apiKey) })).json().sessions[0];
    expect(listed.last_activity_at).not.toBeNull();
  });

  it('an Idempotency-Key retry is answered from the first result and not sent twice', async () => {
    const { token } = await pairedSession(t);
    const [a, b] = await Promise.all([
      sendText(t, token, { 'idempotency-key': 'order-1' }),
      sendText(t, token, { 'idempotency-key': 'order-1' }),
    ]);
    const c = await sendText(t, token, { 'idempotency-key': 'order-1' });
    expect(providerCalls(t, '/chat/send/text')).toHaveLength(1);
    expect(b.json()).toEqual(a.json());
    expect(c.json()).toEqual(a.json());
    expect(c.headers['idempotent-replayed']).toBe('true');
    await sendText(t, token, { 'idempotency-key': 'order-2' });
    expect(providerCalls(t, '/chat/send/text')).toHaveLength(2);
  });

  it('a replayed Idempotency-Key answer uses no quota and is not counted again', async () => {
    const { token, sessionId, apiKey } = await pairedSession(t, { max_messages: 2 });
    const first = await sendText(t, token, { 'idempotency-key': 'once' });
    const again = await sendText(t, token, { 'idempotency-key': 'once' });
    expect([first.statusCode, again.statusCode]).toEqual([200, 200]);
    expect((await sendText(t, token)).statusCode).toBe(200);
    expect((await sendText(t, token)).statusCode).toBe(429);
    await t.deps.flushCounters();
    expect((await t.app.inject({ url: `/v1/sessions/${sessionId}/settings`, headers: customer(apiKey) })).json().message_stat_sent).toBe(2);
  });

  it('typing_enabled shows "composing" before a text and "paused" after', async () => {
    const { token } = await pairedSession(t, {}, { typing_enabled: true });
    expect((await sendText(t, token, {}, { Phone: '6281234567890', Body: 'hi' })).statusCode).toBe(200);
    // "paused" goes out after the answer, without holding it up.
    await waitFor(() => providerCalls(t, '/chat/presence').length === 2, 'the "paused" presence after the text');
    const calls = providerCalls(t).map((r) => (r.path === '/chat/presence' ? `presence:${JSON.parse(r.body).State}` : r.path));
    expect(calls).toEqual(['presence:composing', '/chat/send/text', 'presence:paused']);
  });
});

describe('gateway: errors', () => {
  it('no token → 401, unknown token → 403, inactive owner → 403, lapsed plan → 403; the provider sees nothing', async () => {
    const { token, userId } = await pairedSession(t);
    expect((await t.app.inject({ url: '/v1/wa/session/status' })).json()).toEqual({ message: 'token required', code: 'TOKEN_REQUIRED' });
    expect((await t.app.inject({ url: '/v1/wa/session/status', headers: { token: 'wat_nope' } })).statusCode).toBe(403);
    await t.app.inject({ method: 'PUT', url: `/internal/users/${userId}`, headers: internal(), payload: { status: 'inactive' } });
    expect((await t.app.inject({ url: '/v1/wa/session/status', headers: { token } })).json().code).toBe('USER_INACTIVE');
    await t.app.inject({
      method: 'PUT',
      url: `/internal/users/${userId}`,
      headers: internal(),
      payload: { status: 'active', expires_at: '2020-01-01T00:00:00Z' },
    });
    expect((await t.app.inject({ url: '/v1/wa/session/status', headers: { token } })).json().code).toBe('SUBSCRIPTION_EXPIRED');
    expect(providerCalls(t)).toEqual([]);
  });

  it("a deleted session's token stops working at once", async () => {
    const { token, sessionId, apiKey } = await pairedSession(t);
    expect((await t.app.inject({ url: '/v1/wa/session/status', headers: { token } })).statusCode).toBe(200);
    await t.app.inject({ method: 'DELETE', url: `/v1/sessions/${sessionId}`, headers: customer(apiKey) });
    expect((await t.app.inject({ url: '/v1/wa/session/status', headers: { token } })).statusCode).toBe(403);
  });

  it('provider down → 502, provider slow → 504, both {message}', async () => {
    const { token } = await pairedSession(t);
    t.sim.setDown(true);
    const down = await sendText(t, token);
    t.sim.setDown(false);
    expect(down.statusCode).toBe(502);
    expect(down.json().message).toEqual(expect.any(String));
    t.sim.setLatency(1500, '/session/status');
    const slow = await t.app.inject({ url: '/v1/wa/session/status', headers: { token } });
    expect(slow.statusCode).toBe(504);
    expect(slow.json().code).toBe('PROVIDER_TIMEOUT');
  });

  it('a body over the cap → 413 before the provider sees it, declared or streamed', async () => {
    const { token } = await pairedSession(t);
    const big = { Phone: '6281234567890', Body: 'x'.repeat(5000) };
    const declared = await sendText(t, token, {}, big);
    expect(declared.statusCode).toBe(413);
    expect(declared.json().code).toBe('BODY_TOO_LARGE');
    expect(providerCalls(t, '/chat/send/text')).toEqual([]);
  });

  it('malformed JSON goes to the provider, whose refusal comes back as it is', async () => {
    const { token } = await pairedSession(t);
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/wa/chat/send/text',
      headers: { token, 'content-type': 'application/json' },
      payload: '{"Phone":',
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toEqual(expect.any(String));
  });
});
