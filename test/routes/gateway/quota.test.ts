import { beforeEach, describe, expect, it } from 'vitest';
import { customer, internal } from '../../helpers/app.js';
import { createAppWithSimulator, fileAppWithSimulator } from '../../helpers/sim.js';
import { pairedSession, providerCalls, sendText, type SimApp } from './helpers.js';

const t = fileAppWithSimulator();
beforeEach(() => {
  t.sim.reset();
});

describe('message quota', () => {
  it('50 parallel sends with 10 remaining → exactly 10 reach the provider, 40 get 429 {message}', async () => {
    const { token } = await pairedSession(t, { max_messages: 10 });
    const results = await Promise.all(Array.from({ length: 50 }, () => sendText(t, token)));
    expect(results.filter((r) => r.statusCode === 200)).toHaveLength(10);
    const refused = results.filter((r) => r.statusCode !== 200);
    expect(refused).toHaveLength(40);
    for (const r of refused) {
      expect(r.statusCode).toBe(429);
      expect(r.json()).toEqual({ message: 'message quota exceeded', code: 'QUOTA_EXCEEDED' });
    }
    expect(providerCalls(t, '/chat/send/text')).toHaveLength(10);
  });

  it('only provider-accepted sends count; refused and failed ones are given back', async () => {
    const { token } = await pairedSession(t, { max_messages: 2 });
    expect((await sendText(t, token, {}, { Phone: '6281234567890' })).statusCode).toBe(400);
    t.sim.failNext('/chat/send/text', { status: 500, body: { code: 500, error: 'error sending message: x', success: false } });
    expect((await sendText(t, token)).statusCode).toBe(500);
    t.sim.setDown(true);
    expect((await sendText(t, token)).statusCode).toBe(502);
    t.sim.setDown(false);
    expect((await sendText(t, token)).statusCode).toBe(200);
    expect((await sendText(t, token)).statusCode).toBe(200);
    expect((await sendText(t, token)).statusCode).toBe(429);
  });

  it("is per user, across all of the user's sessions (go-service-api B4)", async () => {
    const first = await pairedSession(t, { max_messages: 5, max_sessions: 2 });
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/sessions',
      headers: customer(first.apiKey),
      payload: { session_name: 'b', auto_connect: true },
    });
    const second = res.json().session;
    t.sim.pair(second.session_id);
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => sendText(t, i % 2 ? first.token : second.session_token)));
    expect(results.filter((r) => r.statusCode === 200)).toHaveLength(5);
  });

  it('sends carry the quota in headers; /v1/me agrees', async () => {
    const { token, apiKey } = await pairedSession(t, { max_messages: 10 });
    const res = await sendText(t, token);
    expect(res.headers['x-message-quota-limit']).toBe('10');
    expect(res.headers['x-message-quota-remaining']).toBe('9');
    await sendText(t, token);
    const me = (await t.app.inject({ url: '/v1/me', headers: customer(apiKey) })).json();
    expect(me.quota).toMatchObject({ max_messages: 10, used: 2, remaining: 8 });
    const refused = await Promise.all(Array.from({ length: 9 }, () => sendText(t, token)));
    const last = refused.find((r) => r.statusCode === 429)!;
    expect(last.headers['x-message-quota-remaining']).toBe('0');
  });

  it('a renewal that moves expires_at forward starts a new period', async () => {
    const { token, userId } = await pairedSession(t, { max_messages: 1, expires_at: '2026-12-01T00:00:00Z' });
    expect((await sendText(t, token)).statusCode).toBe(200);
    expect((await sendText(t, token)).statusCode).toBe(429);
    await t.app.inject({
      method: 'PUT',
      url: `/internal/users/${userId}`,
      headers: internal(),
      payload: { expires_at: '2027-01-01T00:00:00Z' },
    });
    expect((await sendText(t, token)).statusCode).toBe(200);
    expect((await sendText(t, token)).statusCode).toBe(429);
  });

  it('unlimited plans never refuse and still count what was used', async () => {
    const { token, apiKey } = await pairedSession(t, { max_messages: 0 });
    const results = await Promise.all(Array.from({ length: 20 }, () => sendText(t, token)));
    expect(results.every((r) => r.statusCode === 200)).toBe(true);
    expect(results[0]!.headers['x-message-quota-limit']).toBeUndefined();
    await t.deps.flushCounters();
    expect((await t.app.inject({ url: '/v1/me', headers: customer(apiKey) })).json().quota).toMatchObject({ used: 20, remaining: null });
  });

  it('unused leased quota goes back to the database on shutdown; no count is lost', async () => {
    const own = await createAppWithSimulator();
    try {
      const { token, userId, sessionId } = await pairedSession(own, { max_messages: 1000 });
      for (let i = 0; i < 3; i += 1) expect((await sendText(own, token)).statusCode).toBe(200);
      expect(await usedInDbOf(own, userId)).toBeGreaterThan(3);
      await own.deps.close();
      expect(await usedInDbOf(own, userId)).toBe(3);
      const { rows } = await own.db.query<{ total_sent: number }>('SELECT total_sent FROM wa_session_message_stats WHERE session_id = $1', [
        sessionId,
      ]);
      expect(rows[0]!.total_sent).toBe(3);
    } finally {
      await own.close();
    }
  });
});

const usedInDbOf = async (app: SimApp, userId: string) =>
  (await app.db.query<{ messages_used: number }>('SELECT messages_used FROM wa_user_subscriptions WHERE user_id = $1', [userId])).rows[0]!
    .messages_used;
