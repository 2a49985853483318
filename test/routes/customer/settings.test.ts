import { beforeEach, describe, expect, it } from 'vitest';
import { customer } from '../../helpers/app.js';
import { seedUser } from '../../helpers/seed.js';
import { createAppWithSimulator, fileAppWithSimulator } from '../../helpers/sim.js';
import { tenantIsolation } from '../../helpers/tenant-isolation.js';

const t = fileAppWithSimulator();
beforeEach(() => {
  t.sim.reset();
});

async function sessionFor(options: { webhook_url?: string } = {}) {
  const user = await seedUser(t.app);
  const res = await t.app.inject({
    method: 'POST',
    url: '/v1/sessions',
    headers: customer(user.apiKey),
    payload: { session_name: 's', ...options },
  });
  return { ...user, sessionId: res.json().session.session_id as string };
}
const settingsUrl = (id: string) => `/v1/sessions/${id}/settings`;
const put = (apiKey: string, id: string, payload: object) =>
  t.app.inject({ method: 'PUT', url: settingsUrl(id), headers: customer(apiKey), payload });

describe('settings: happy', () => {
  it('GET returns the Go fields, the flags and statistics per type', async () => {
    const { apiKey, userId, sessionId } = await sessionFor({ webhook_url: 'https://example.com/h' });
    await t.db.query('UPDATE wa_sessions SET last_message_sent = 4, last_message_fail = 1 WHERE session_id = $1', [sessionId]);
    await t.db.query(
      `INSERT INTO wa_session_message_stats (user_id, session_id, message_type, total_sent, total_failed, last_success_at, last_failed_at)
      VALUES ($1, $2, 'text', 3, 1, '2026-01-01T00:00:00Z', '0001-01-01T00:00:00Z'), ($1, $2, 'image', 1, 0, '2026-01-02T00:00:00Z', NULL)`,
      [userId, sessionId],
    );
    const res = await t.app.inject({ url: settingsUrl(sessionId), headers: customer(apiKey) });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      session_id: sessionId,
      webhook_url: 'https://example.com/h',
      webhook_secret_set: false,
      webhook_format: 'provider',
      auto_read_enabled: false,
      typing_enabled: false,
      message_stat_sent: 4,
      message_stat_failed: 1,
      message_stats: {
        sent: 4,
        failed: 1,
        by_type: [
          { message_type: 'image', sent: 1, failed: 0, last_success_at: '2026-01-02T00:00:00.000Z', last_failed_at: null },
          { message_type: 'text', sent: 3, failed: 1, last_success_at: '2026-01-01T00:00:00.000Z', last_failed_at: null },
        ],
      },
    });
  });

  it('PUT honours the flags and the secret; the secret is never returned (SPEC §2)', async () => {
    const { apiKey, sessionId } = await sessionFor();
    const secret = 'f'.repeat(96);
    const res = await put(apiKey, sessionId, { auto_read_enabled: true, typing_enabled: true, webhook_secret: secret });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      message: 'settings updated',
      settings: { auto_read_enabled: true, typing_enabled: true, webhook_secret_set: true },
    });
    expect(res.body).not.toContain(secret);
    const got = await t.app.inject({ url: settingsUrl(sessionId), headers: customer(apiKey) });
    expect(got.body).not.toContain(secret);
    expect(got.json().webhook_secret_set).toBe(true);
    const cleared = await put(apiKey, sessionId, { webhook_secret: '' });
    expect(cleared.json().settings.webhook_secret_set).toBe(false);
  });

  it('a new webhook_url goes to the provider with the admin API, an empty one clears it with the session token', async () => {
    const { apiKey, sessionId } = await sessionFor();
    t.sim.clearRequests();
    expect((await put(apiKey, sessionId, { webhook_url: 'https://hooks.example.com/new' })).statusCode).toBe(200);
    expect(t.sim.findUserById(sessionId)!.webhook).toBe('https://hooks.example.com/new');
    // Never the provider's PUT /webhook with webhookURL, which cleared the webhook (contract §8).
    expect(t.sim.requests.map((r) => `${r.method} ${r.path}`)).toEqual([`PUT /admin/users/${sessionId}`]);
    expect((await put(apiKey, sessionId, { webhook_url: '' })).json().settings.webhook_url).toBe('');
    expect(t.sim.findUserById(sessionId)!.webhook).toBe('');
  });
});

describe('webhook_format (SPEC §10)', () => {
  const session = async (apiKey: string, id: string) =>
    (await t.app.inject({ url: '/v1/sessions', headers: customer(apiKey) }))
      .json()
      .sessions.find((x: { session_id: string }) => x.session_id === id);

  it('is provider by default, settable on create, update and settings, shown in the session and the settings', async () => {
    const plain = await sessionFor();
    expect(await session(plain.apiKey, plain.sessionId)).toMatchObject({ webhook_format: 'provider' });
    const user = await seedUser(t.app);
    const created = await t.app.inject({
      method: 'POST',
      url: '/v1/sessions',
      headers: customer(user.apiKey),
      payload: { session_name: 'env', webhook_format: 'envelope' },
    });
    expect(created.json().session.webhook_format).toBe('envelope');
    const id = created.json().session.session_id;
    expect((await t.app.inject({ url: settingsUrl(id), headers: customer(user.apiKey) })).json().webhook_format).toBe('envelope');
    const viaSettings = await put(user.apiKey, id, { webhook_format: 'provider' });
    expect(viaSettings.json().settings.webhook_format).toBe('provider');
    const viaUpdate = await t.app.inject({
      method: 'PUT',
      url: `/v1/sessions/${id}`,
      headers: customer(user.apiKey),
      payload: { webhook_format: 'envelope' },
    });
    expect(viaUpdate.statusCode).toBe(200);
    expect(viaUpdate.json().session.webhook_format).toBe('envelope');
    expect(await session(user.apiKey, id)).toMatchObject({ webhook_format: 'envelope' });
  });

  it.each(['json', 'form', 'Provider', ''])('%j → 400 {message, code} on create, update and settings; nothing changed', async (format) => {
    const { apiKey, userId, sessionId } = await sessionFor();
    t.sim.clearRequests();
    const bad = { webhook_format: format };
    const answers = [
      await t.app.inject({ method: 'POST', url: '/v1/sessions', headers: customer(apiKey), payload: { session_name: 'x', ...bad } }),
      await t.app.inject({ method: 'PUT', url: `/v1/sessions/${sessionId}`, headers: customer(apiKey), payload: bad }),
      await put(apiKey, sessionId, bad),
    ];
    for (const res of answers) {
      expect(res.statusCode).toBe(400);
      expect(res.json()).toEqual({ message: expect.stringContaining('webhook_format'), code: 'VALIDATION_FAILED' });
    }
    expect(t.sim.requests).toEqual([]);
    const { rows } = await t.db.query<{ n: number }>('SELECT count(*) AS n FROM wa_sessions WHERE user_id = $1', [userId]);
    expect(rows[0]!.n).toBe(1);
    expect(await session(apiKey, sessionId)).toMatchObject({ webhook_format: 'provider' });
  });
});

describe('settings: errors', () => {
  it.each([
    [{ webhook_url: 'not a url' }],
    [{ webhook_url: 'http://localhost:8080/x' }],
    [{ webhook_url: 'http://[::1]/x' }],
    [{ webhook_url: 'http://10.1.2.3/x' }],
    [{ webhook_url: 'https://user:pw@example.com/x' }],
    [{ auto_read_enabled: 'yes' }],
    [{ webhook_format: 'form' }],
    [{ webhook_format: '' }],
    [{ webhook_format: 1 }],
  ])('%j → 400, nothing changed anywhere', async (payload) => {
    const { apiKey, sessionId } = await sessionFor({ webhook_url: 'https://example.com/keep' });
    t.sim.clearRequests();
    const res = await put(apiKey, sessionId, payload);
    expect(res.statusCode).toBe(400);
    expect(res.json().message).toEqual(expect.any(String));
    expect(t.sim.requests).toEqual([]);
    expect((await t.app.inject({ url: settingsUrl(sessionId), headers: customer(apiKey) })).json()).toMatchObject({
      webhook_url: 'https://example.com/keep',
      auto_read_enabled: false,
    });
  });

  it('private targets are allowed when WEBHOOK_ALLOW_PRIVATE_TARGETS says so', async () => {
    const allowed = await createAppWithSimulator({ env: { WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true' } });
    try {
      const user = await seedUser(allowed.app);
      const res = await allowed.app.inject({
        method: 'POST',
        url: '/v1/sessions',
        headers: customer(user.apiKey),
        payload: { session_name: 'lan', webhook_url: 'http://192.168.1.10/hook' },
      });
      expect(res.statusCode).toBe(201);
    } finally {
      await allowed.close();
    }
  });

  it('provider down while changing the webhook → 502 and nothing changed locally (go-service-api B10)', async () => {
    const { apiKey, sessionId } = await sessionFor({ webhook_url: 'https://example.com/keep' });
    t.sim.setDown(true);
    const res = await put(apiKey, sessionId, { webhook_url: 'https://example.com/new', auto_read_enabled: true });
    t.sim.setDown(false);
    expect(res.statusCode).toBe(502);
    expect((await t.app.inject({ url: settingsUrl(sessionId), headers: customer(apiKey) })).json()).toMatchObject({
      webhook_url: 'https://example.com/keep',
      auto_read_enabled: false,
    });
  });
});

describe('settings: tenant isolation', () => {
  it.each([
    { method: 'GET', url: settingsUrl },
    { method: 'PUT', url: settingsUrl, payload: { webhook_url: 'https://evil.example.com/' } },
  ] as const)('$method', async (route) => {
    const owner = await sessionFor({ webhook_url: 'https://example.com/keep' });
    const other = await seedUser(t.app);
    await tenantIsolation({ app: t.app, sim: t.sim, sessionId: owner.sessionId, otherKey: other.apiKey, now: t.clock.now() }, route);
    expect((await t.app.inject({ url: settingsUrl(owner.sessionId), headers: customer(owner.apiKey) })).json().webhook_url).toBe(
      'https://example.com/keep',
    );
  });
});
