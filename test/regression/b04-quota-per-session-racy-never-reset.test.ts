/**
 * B4 (go-service-api §12, public.go:359-365, 373-386): "The quota compares the per-user `max_messages`
 * with a **per-session** cumulative counter, so each session gets the full allowance. The counter
 * never resets, not on renewal and not on upsert. Check and increment are separate, so parallel sends
 * can overshoot. Only POST `/chat/send*` is limited."
 *
 * Gateway: one quota per user and subscription period, across all of the user's sessions, exact
 * under parallel sends (429 `message quota exceeded` beyond it), restarted by a renewal that moves
 * `expires_at` forward (through PUT and through the POST upsert). Only sends count.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { customer, internal } from '../helpers/app.js';
import { fileAppWithSimulator } from '../helpers/sim.js';
import { pairedSession, providerCalls, sendText } from '../routes/gateway/helpers.js';

const t = fileAppWithSimulator();
beforeEach(() => {
  t.sim.reset();
});

async function secondSession(apiKey: string) {
  const res = await t.app.inject({
    method: 'POST',
    url: '/v1/sessions',
    headers: customer(apiKey),
    payload: { session_name: 'second', auto_connect: true },
  });
  const session = res.json().session as { session_id: string; session_token: string };
  t.sim.pair(session.session_id);
  return session.session_token;
}

describe('B4: the message quota is per user, exact and renewed', () => {
  it('two sessions share one allowance: 30 parallel sends with max_messages 6 → exactly 6 reach the provider', async () => {
    const first = await pairedSession(t, { max_messages: 6, max_sessions: 2 });
    const other = await secondSession(first.apiKey);
    t.sim.clearRequests();
    const results = await Promise.all(Array.from({ length: 30 }, (_, i) => sendText(t, i % 2 ? first.token : other)));
    expect(results.filter((r) => r.statusCode === 200)).toHaveLength(6);
    for (const r of results.filter((x) => x.statusCode !== 200)) {
      expect(r.statusCode).toBe(429);
      expect(r.json()).toEqual({ message: 'message quota exceeded', code: 'QUOTA_EXCEEDED' });
    }
    expect(providerCalls(t, '/chat/send/text')).toHaveLength(6);
    expect((await t.app.inject({ url: '/v1/me', headers: customer(first.apiKey) })).json().quota).toMatchObject({
      max_messages: 6,
      used: 6,
      remaining: 0,
    });
  });

  it('a renewal through POST /internal/users (the upsert) starts a new period', async () => {
    const { token, userId } = await pairedSession(t, { max_messages: 1, expires_at: '2026-12-01T00:00:00Z' });
    expect((await sendText(t, token)).statusCode).toBe(200);
    expect((await sendText(t, token)).statusCode).toBe(429);
    const renewed = await t.app.inject({
      method: 'POST',
      url: '/internal/users',
      headers: internal(),
      payload: { user_id: userId, source: 'app', expires_at: '2027-12-01T00:00:00Z', max_messages: 1 },
    });
    expect(renewed.statusCode).toBe(200);
    expect((await sendText(t, token)).statusCode).toBe(200);
    expect((await sendText(t, token)).statusCode).toBe(429);
  });

  it('an upsert that does not move expires_at forward is no renewal', async () => {
    const { token, userId } = await pairedSession(t, { max_messages: 1, expires_at: '2026-12-01T00:00:00Z' });
    expect((await sendText(t, token)).statusCode).toBe(200);
    await t.app.inject({
      method: 'POST',
      url: '/internal/users',
      headers: internal(),
      payload: { user_id: userId, source: 'app', expires_at: '2026-12-01T00:00:00Z', max_messages: 1 },
    });
    expect((await sendText(t, token)).statusCode).toBe(429);
  });

  it('only sends count: other gateway calls pass with no quota left', async () => {
    const { token } = await pairedSession(t, { max_messages: 1 });
    expect((await sendText(t, token)).statusCode).toBe(200);
    expect((await sendText(t, token)).statusCode).toBe(429);
    expect((await t.app.inject({ url: '/v1/wa/session/status', headers: { token } })).statusCode).toBe(200);
    expect(
      (
        await t.app.inject({
          method: 'POST',
          url: '/v1/wa/chat/presence',
          headers: { token, 'content-type': 'application/json' },
          payload: { Phone: '6281234567890', State: 'composing', Media: '' },
        })
      ).statusCode,
    ).toBe(200);
  });
});
