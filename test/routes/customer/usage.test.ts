import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestApp, customer, type TestApp } from '../../helpers/app.js';
import { fileAppWithSimulator, SIM_ADMIN_TOKEN } from '../../helpers/sim.js';
import { pairedSession, sendText } from '../gateway/helpers.js';

// Issue 17 / SPEC §10: usage history per Asia/Jakarta day, counted in memory and flushed in batches.
// The app's clock starts at 2026-06-01T00:00Z, 07:00 on 1 June in Jakarta.
const t = fileAppWithSimulator();
beforeEach(() => {
  t.sim.reset();
  t.clock.set('2026-06-01T00:00:00Z');
});

const usage = async (apiKey: string, query = '') => {
  const res = await t.app.inject({ url: `/v1/usage${query}`, headers: customer(apiKey) });
  return { status: res.statusCode, body: res.json() };
};

describe('GET /v1/usage: happy', () => {
  it('counts sends per day and type; every day of the default 30 is present, zeros included', async () => {
    const { apiKey, token } = await pairedSession(t);
    for (let i = 0; i < 3; i += 1) expect((await sendText(t, token)).statusCode).toBe(200);
    t.sim.failNext('/chat/send/text', { status: 500, body: { code: 500, error: 'error sending message: x', success: false } });
    expect((await sendText(t, token)).statusCode).toBe(500);
    // A request the provider refuses (4xx) is not a message (go-service-api B26): not counted.
    expect((await sendText(t, token, {}, { Phone: '6281234567890' })).statusCode).toBe(400);
    const before = await usage(apiKey);
    expect(before.body.totals).toEqual({ sent: 0, failed: 0, received: 0 });
    await t.deps.flushCounters();
    const { status, body } = await usage(apiKey);
    expect(status).toBe(200);
    expect(body.from).toBe('2026-05-03');
    expect(body.to).toBe('2026-06-01');
    expect(body.days).toHaveLength(30);
    expect(body.days.slice(0, 29).every((d: { sent: number; failed: number }) => d.sent === 0 && d.failed === 0)).toBe(true);
    expect(body.days[29]).toEqual({ date: '2026-06-01', sent: 3, failed: 1, received: 0, by_type: { text: { sent: 3, failed: 1 } } });
    expect(body.totals).toEqual({ sent: 3, failed: 1, received: 0 });
  });

  it('is exact under concurrency: 60 parallel sends on two sessions read as 60', async () => {
    const owner = await pairedSession(t, { max_sessions: 2 });
    const second = await t.app.inject({
      method: 'POST',
      url: '/v1/sessions',
      headers: customer(owner.apiKey),
      payload: { session_name: 'b', auto_connect: true },
    });
    const other = second.json().session as { session_id: string; session_token: string };
    t.sim.pair(other.session_id);
    const flushing = Promise.all(Array.from({ length: 5 }, () => t.deps.flushCounters()));
    const results = await Promise.all(Array.from({ length: 60 }, (_, i) => sendText(t, i % 2 ? owner.token : other.session_token)));
    await flushing;
    expect(results.every((r) => r.statusCode === 200)).toBe(true);
    await t.deps.flushCounters();
    expect((await usage(owner.apiKey, '?from=2026-06-01&to=2026-06-01')).body.totals.sent).toBe(60);
    const one = await usage(owner.apiKey, `?from=2026-06-01&to=2026-06-01&session_id=${owner.sessionId}`);
    expect(one.body.days).toEqual([{ date: '2026-06-01', sent: 30, failed: 0, received: 0, by_type: { text: { sent: 30, failed: 0 } } }]);
  });

  it('splits at Asia/Jakarta midnight (17:00 UTC), even within one flush', async () => {
    const { apiKey, token } = await pairedSession(t);
    t.clock.set('2026-06-01T16:59:59.999Z');
    for (let i = 0; i < 2; i += 1) await sendText(t, token);
    t.clock.advance(1);
    for (let i = 0; i < 3; i += 1) await sendText(t, token);
    await t.deps.flushCounters();
    const { body } = await usage(apiKey, '?from=2026-06-01&to=2026-06-02');
    expect(body.days.map((d: { date: string; sent: number }) => [d.date, d.sent])).toEqual([
      ['2026-06-01', 2],
      ['2026-06-02', 3],
    ]);
    // Without bounds the range ends today in Jakarta, which is already 2 June.
    expect((await usage(apiKey)).body.to).toBe('2026-06-02');
  });

  it('a deleted session keeps its history, in the totals and by its id', async () => {
    const { apiKey, token, sessionId } = await pairedSession(t);
    for (let i = 0; i < 4; i += 1) await sendText(t, token);
    await t.deps.flushCounters();
    expect((await t.app.inject({ method: 'DELETE', url: `/v1/sessions/${sessionId}`, headers: customer(apiKey) })).statusCode).toBe(200);
    expect((await usage(apiKey)).body.totals.sent).toBe(4);
    const bySession = await usage(apiKey, `?session_id=${sessionId}`);
    expect(bySession.status).toBe(200);
    expect(bySession.body.totals.sent).toBe(4);
  });

  it('accepts a range of exactly 366 days and gives every one of them', async () => {
    const { apiKey } = await pairedSession(t);
    const { status, body } = await usage(apiKey, '?from=2025-06-01&to=2026-06-01');
    expect(status).toBe(200);
    expect(body.days).toHaveLength(366);
    expect(body.days[0].date).toBe('2025-06-01');
  });
});

describe('GET /v1/usage: errors', () => {
  it.each([
    ['?from=2026-06-02&to=2026-06-01', 'USAGE_RANGE_INVALID'],
    ['?from=2025-05-31&to=2026-06-01', 'USAGE_RANGE_TOO_LONG'],
    ['?from=2026-02-30&to=2026-03-01', 'USAGE_DATE_INVALID'],
    ['?to=2026-13-01', 'USAGE_DATE_INVALID'],
    ['?from=yesterday', 'USAGE_DATE_INVALID'],
    ['?from=2026-06-01T00:00:00Z', 'USAGE_DATE_INVALID'],
    // Without `to` the range ends today (1 June in Jakarta): a `from` after it is after `to`.
    ['?from=2026-06-05', 'USAGE_RANGE_INVALID'],
  ])('%s → 400 %s', async (query, code) => {
    const { apiKey } = await pairedSession(t);
    const { status, body } = await usage(apiKey, query);
    expect(status).toBe(400);
    expect(body).toEqual({ message: expect.any(String), code });
  });

  it('a session id the user never had is 404, the same as another tenant’s', async () => {
    const mine = await pairedSession(t);
    const theirs = await pairedSession(t);
    const foreign = await usage(mine.apiKey, `?session_id=${theirs.sessionId}`);
    const missing = await usage(mine.apiKey, '?session_id=no-such-session');
    expect(foreign).toEqual({ status: 404, body: { message: 'session not found', code: 'SESSION_NOT_FOUND' } });
    expect(missing).toEqual(foreign);
  });
});

describe('usage history across instances and shutdown', () => {
  let second: TestApp;
  beforeAll(async () => {
    // A second gateway (its own deps, counters and flush) on the same store and the same provider.
    second = await createTestApp({ db: t.db, env: { WA_SERVER_URL: t.sim.url, WA_ADMIN_TOKEN: SIM_ADMIN_TOKEN } });
  });
  afterAll(async () => {
    await second.close();
  });

  it('N sends through two instances read as N for the day, on either instance', async () => {
    const { apiKey, token } = await pairedSession(t);
    second.clock.set(t.clock.now());
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        (i % 2 ? t.app : second.app).inject({
          method: 'POST',
          url: '/v1/wa/chat/send/text',
          headers: { token, 'content-type': 'application/json' },
          payload: { Phone: '6281234567890', Body: `m${i}` },
        }),
      ),
    );
    expect(results.every((r) => r.statusCode === 200)).toBe(true);
    await Promise.all([t.deps.flushCounters(), second.deps.flushCounters()]);
    for (const app of [t.app, second.app]) {
      const res = await app.inject({ url: '/v1/usage?from=2026-06-01&to=2026-06-01', headers: customer(apiKey) });
      expect(res.json().totals.sent).toBe(40);
    }
  });

  it('a clean shutdown writes what was not flushed yet', async () => {
    const third = await createTestApp({ db: t.db, env: { WA_SERVER_URL: t.sim.url, WA_ADMIN_TOKEN: SIM_ADMIN_TOKEN } });
    const { apiKey, token } = await pairedSession(t);
    for (let i = 0; i < 7; i += 1) {
      const res = await third.app.inject({
        method: 'POST',
        url: '/v1/wa/chat/send/text',
        headers: { token, 'content-type': 'application/json' },
        payload: { Phone: '6281234567890', Body: 'bye' },
      });
      expect(res.statusCode).toBe(200);
    }
    await third.close();
    expect((await usage(apiKey, '?from=2026-06-01&to=2026-06-01')).body.totals.sent).toBe(7);
  });
});
