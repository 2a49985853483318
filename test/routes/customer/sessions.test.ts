import { beforeEach, describe, expect, it } from 'vitest';
import { customer, internal } from '../../helpers/app.js';
import { seedUser } from '../../helpers/seed.js';
import { fileAppWithSimulator, SIM_ADMIN_TOKEN } from '../../helpers/sim.js';
import { tenantIsolation } from '../../helpers/tenant-isolation.js';

const t = fileAppWithSimulator();
beforeEach(() => {
  t.sim.reset();
});

const create = (apiKey: string, payload: object) =>
  t.app.inject({ method: 'POST', url: '/v1/sessions', headers: customer(apiKey), payload });
const rowsFor = async (userId: string) => (await t.db.query('SELECT * FROM wa_sessions WHERE user_id = $1', [userId])).rows;

describe('sessions: happy', () => {
  it('creates with the govconnect body: provider user, token, connect with Immediate and the full event list', async () => {
    const { apiKey, userId } = await seedUser(t.app);
    const res = await create(apiKey, {
      session_name: 'desa-1',
      webhook_url: 'https://hooks.example.com/wa',
      events: 'Message, QR ,Connected',
      auto_connect: true,
      webhook_secret: 'a'.repeat(96),
      auto_read_enabled: true,
      typing_enabled: true,
      history: 0,
    });
    expect(res.statusCode).toBe(201);
    const { session } = res.json();
    expect(session.session_token).toMatch(/^wat_[\w-]{43}$/);
    expect(session.session_id).toMatch(/^[0-9a-f]{32}$/);
    expect(session).toMatchObject({
      user_id: userId,
      session_name: 'desa-1',
      webhook_url: 'https://hooks.example.com/wa',
      status: 'created',
      auto_read_enabled: true,
      typing_enabled: true,
      webhook_secret_set: true,
      provider: 'genfity-wa',
      last_message_sent: 0,
    });
    expect(res.body).not.toContain('a'.repeat(96));
    const [createCall, connectCall] = t.sim.requests;
    expect(createCall).toMatchObject({ method: 'POST', path: '/admin/users' });
    expect(createCall!.headers.authorization).toBe(SIM_ADMIN_TOKEN);
    expect(JSON.parse(createCall!.body)).toMatchObject({
      name: 'desa-1',
      token: session.session_token,
      events: 'Message,QR,Connected',
      webhook: 'https://hooks.example.com/wa',
    });
    expect(connectCall).toMatchObject({ method: 'POST', path: '/session/connect' });
    expect(connectCall!.headers.token).toBe(session.session_token);
    expect(JSON.parse(connectCall!.body)).toEqual({ Subscribe: ['Message', 'QR', 'Connected'], Immediate: true });
    expect(t.sim.findUserById(session.session_id)).toMatchObject({ token: session.session_token, name: 'desa-1' });
  });

  it("lists the caller's sessions only, newest first", async () => {
    const a = await seedUser(t.app);
    const b = await seedUser(t.app);
    await create(a.apiKey, { session_name: 'one' });
    await create(a.apiKey, { session_name: 'two' });
    await create(b.apiKey, { session_name: 'theirs' });
    const res = await t.app.inject({ url: '/v1/sessions', headers: customer(a.apiKey) });
    expect(res.statusCode).toBe(200);
    expect(
      res
        .json()
        .sessions.map((s: { session_name: string }) => s.session_name)
        .sort(),
    ).toEqual(['one', 'two']);
  });

  it('PUT renames on the provider and stores the name (go-service-api B9)', async () => {
    const { apiKey } = await seedUser(t.app);
    const { session } = (await create(apiKey, { session_name: 'old' })).json();
    t.sim.clearRequests();
    const res = await t.app.inject({
      method: 'PUT',
      url: `/v1/sessions/${session.session_id}`,
      headers: customer(apiKey),
      payload: { session_name: 'new', typing_enabled: true },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().session).toMatchObject({ session_name: 'new', typing_enabled: true });
    expect(t.sim.requests.map((r) => `${r.method} ${r.path}`)).toEqual([`PUT /admin/users/${session.session_id}`]);
    expect(t.sim.findUserById(session.session_id)!.name).toBe('new');
    const listed = (await t.app.inject({ url: '/v1/sessions', headers: customer(apiKey) })).json().sessions[0];
    expect(listed.session_name).toBe('new');
  });

  it('DELETE uses the full delete and removes the row, its contacts and stats', async () => {
    const { apiKey, userId } = await seedUser(t.app);
    const { session } = (await create(apiKey, { session_name: 'gone', auto_connect: true })).json();
    await t.db.query("INSERT INTO wa_session_contacts (user_id, session_id, j_id) VALUES ($1, $2, 'x@s.whatsapp.net')", [
      userId,
      session.session_id,
    ]);
    await t.db.query("INSERT INTO wa_session_message_stats (user_id, session_id, message_type, total_sent) VALUES ($1, $2, 'text', 1)", [
      userId,
      session.session_id,
    ]);
    t.sim.clearRequests();
    const res = await t.app.inject({ method: 'DELETE', url: `/v1/sessions/${session.session_id}`, headers: customer(apiKey) });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ success: true, data: { id: session.session_id } });
    expect(t.sim.requests.map((r) => `${r.method} ${r.path}`)).toEqual([`DELETE /admin/users/${session.session_id}/full`]);
    expect(t.sim.findUserById(session.session_id)).toBeUndefined();
    expect(await rowsFor(userId)).toEqual([]);
    for (const table of ['wa_session_contacts', 'wa_session_message_stats']) {
      expect((await t.db.query(`SELECT 1 FROM ${table} WHERE session_id = $1`, [session.session_id])).rowCount).toBe(0);
    }
  });

  it('DELETE of a session the provider no longer has still removes it here (B11)', async () => {
    const { apiKey, userId } = await seedUser(t.app);
    const { session } = (await create(apiKey, { session_name: 'orphan' })).json();
    t.sim.reset();
    const res = await t.app.inject({ method: 'DELETE', url: `/v1/sessions/${session.session_id}`, headers: customer(apiKey) });
    expect(res.statusCode).toBe(200);
    expect(await rowsFor(userId)).toEqual([]);
  });

  it('the session cap is exact under 20 parallel creates (cap 3 → 3 created)', async () => {
    const { apiKey, userId } = await seedUser(t.app, { max_sessions: 3 });
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => create(apiKey, { session_name: `p${i}` })));
    expect(results.filter((r) => r.statusCode === 201)).toHaveLength(3);
    const refused = results.filter((r) => r.statusCode !== 201);
    expect(refused).toHaveLength(17);
    for (const r of refused) expect(r.json()).toEqual({ message: 'session limit exceeded', code: 'SESSION_LIMIT_EXCEEDED' });
    expect(await rowsFor(userId)).toHaveLength(3);
    expect(t.sim.listUsers()).toHaveLength(3);
  });
});

describe('sessions: errors', () => {
  it.each([
    ['no name', {}],
    ['an empty name', { session_name: ' ' }],
    ['a wrong type', { session_name: 'x', auto_connect: 'yes please' }],
    ['a boolean history', { session_name: 'x', history: true }],
    ['a private webhook', { session_name: 'x', webhook_url: 'http://127.0.0.1:9/hook' }],
    ['a non-http webhook', { session_name: 'x', webhook_url: 'ftp://example.com/' }],
  ])('create with %s → 400 and nothing anywhere', async (_name, payload) => {
    const { apiKey, userId } = await seedUser(t.app);
    const res = await create(apiKey, payload);
    expect(res.statusCode).toBe(400);
    expect(res.json().message).toEqual(expect.any(String));
    expect(await rowsFor(userId)).toEqual([]);
    expect(t.sim.requests).toEqual([]);
  });

  it('malformed JSON and oversized bodies → 4xx {message}', async () => {
    const { apiKey } = await seedUser(t.app);
    const bad = await t.app.inject({
      method: 'POST',
      url: '/v1/sessions',
      headers: { ...customer(apiKey), 'content-type': 'application/json' },
      payload: '{"session_name":',
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().code).toBe('INVALID_JSON');
    const big = await create(apiKey, { session_name: 'x', pad: 'y'.repeat(2 * 1024 * 1024) });
    expect(big.statusCode).toBe(413);
  });

  it('provider down → 502, nothing left on either side', async () => {
    const { apiKey, userId } = await seedUser(t.app);
    t.sim.setDown(true);
    const res = await create(apiKey, { session_name: 'x' });
    t.sim.setDown(false);
    expect(res.statusCode).toBe(502);
    expect(res.json()).toEqual({ message: 'provider unavailable', code: 'PROVIDER_UNAVAILABLE' });
    expect(await rowsFor(userId)).toEqual([]);
    expect(t.sim.listUsers()).toEqual([]);
  });

  it('provider too slow → 504, and the user it created late is undone', async () => {
    const { apiKey, userId } = await seedUser(t.app);
    t.sim.setLatency(1500, '/admin/users');
    const res = await create(apiKey, { session_name: 'slow' });
    t.sim.setLatency(0, '/admin/users');
    expect(res.statusCode).toBe(504);
    expect(res.json().code).toBe('PROVIDER_TIMEOUT');
    expect(await rowsFor(userId)).toEqual([]);
    expect(t.sim.listUsers()).toEqual([]);
  });

  it('provider garbage → 502, provider refusal relayed as it is; nothing left', async () => {
    const { apiKey, userId } = await seedUser(t.app);
    t.sim.setGarbage('/admin/users', 1);
    const garbage = await create(apiKey, { session_name: 'x' });
    expect(garbage.statusCode).toBe(502);
    expect(garbage.json().code).toBe('PROVIDER_BAD_RESPONSE');
    const refused = await create(apiKey, { session_name: 'x', events: 'NotAnEvent' });
    expect(refused.statusCode).toBe(400);
    expect(refused.json()).toMatchObject({ success: false, error: 'invalid event type' });
    expect(await rowsFor(userId)).toEqual([]);
    expect(t.sim.listUsers()).toEqual([]);
  });

  it('unknown session ids → 404 on PUT and DELETE; provider down on DELETE → 502 and the row stays', async () => {
    const { apiKey, userId } = await seedUser(t.app);
    for (const method of ['PUT', 'DELETE'] as const) {
      const res = await t.app.inject({
        method,
        url: '/v1/sessions/nope',
        headers: customer(apiKey),
        ...(method === 'PUT' ? { payload: {} } : {}),
      });
      expect(res.statusCode).toBe(404);
      expect(res.json()).toEqual({ message: 'session not found', code: 'SESSION_NOT_FOUND' });
    }
    const { session } = (await create(apiKey, { session_name: 'kept' })).json();
    t.sim.setDown(true);
    const res = await t.app.inject({ method: 'DELETE', url: `/v1/sessions/${session.session_id}`, headers: customer(apiKey) });
    t.sim.setDown(false);
    expect(res.statusCode).toBe(502);
    expect(await rowsFor(userId)).toHaveLength(1);
  });

  it('a provider failure on PUT changes nothing locally', async () => {
    const { apiKey } = await seedUser(t.app);
    const { session } = (await create(apiKey, { session_name: 'same' })).json();
    t.sim.failNext('/admin/users', { status: 500, body: { code: 500, error: 'database error', success: false } });
    const res = await t.app.inject({
      method: 'PUT',
      url: `/v1/sessions/${session.session_id}`,
      headers: customer(apiKey),
      payload: { session_name: 'other' },
    });
    expect(res.statusCode).toBe(500);
    expect(res.json()).toEqual({ code: 500, error: 'database error', success: false });
    expect((await t.app.inject({ url: '/v1/sessions', headers: customer(apiKey) })).json().sessions[0].session_name).toBe('same');
  });
});

describe('sessions: tenant isolation', () => {
  it.each([
    { method: 'GET', url: () => '/v1/sessions', expiredAllowed: true, sessionScoped: false },
    { method: 'POST', url: () => '/v1/sessions', payload: { session_name: 'x' }, sessionScoped: false },
    { method: 'PUT', url: (id: string) => `/v1/sessions/${id}`, payload: { session_name: 'hijack' } },
    { method: 'DELETE', url: (id: string) => `/v1/sessions/${id}` },
  ] as const)('$method $url', async (route) => {
    const owner = await seedUser(t.app);
    const other = await seedUser(t.app);
    const { session } = (await create(owner.apiKey, { session_name: 'mine' })).json();
    await tenantIsolation({ app: t.app, sim: t.sim, sessionId: session.session_id, otherKey: other.apiKey, now: t.clock.now() }, route);
    const still = (await t.app.inject({ url: '/v1/sessions', headers: customer(owner.apiKey) })).json().sessions;
    expect(still.map((s: { session_name: string }) => s.session_name)).toEqual(['mine']);
  });

  it('an expired subscription may still list its sessions (as the Go service), but not create', async () => {
    const { apiKey, userId } = await seedUser(t.app);
    await create(apiKey, { session_name: 'before' });
    await t.app.inject({
      method: 'PUT',
      url: `/internal/users/${userId}`,
      headers: internal(),
      payload: { expires_at: '2020-01-01T00:00:00Z' },
    });
    expect((await t.app.inject({ url: '/v1/sessions', headers: customer(apiKey) })).json().sessions).toHaveLength(1);
    expect((await create(apiKey, { session_name: 'after' })).statusCode).toBe(403);
  });
});
