import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, GLOBAL_KEY, internal, OTHER_SCOPED_KEY, SCOPED_KEY, type TestApp } from '../../helpers/app.js';
import { seedUser } from '../../helpers/seed.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

const upsert = (payload: unknown, key = GLOBAL_KEY) =>
  t.app.inject({ method: 'POST', url: '/internal/users', headers: internal(key), payload: payload as object });
const userCount = async () => (await t.db.query<{ n: number }>('SELECT count(*) AS n FROM wa_service_users')).rows[0]!.n;

describe('internal users: happy', () => {
  it('GET /internal/me names the mode and the source', async () => {
    const scoped = await t.app.inject({ url: '/internal/me', headers: internal(SCOPED_KEY) });
    expect(scoped.json()).toEqual({ auth: { mode: 'scoped', source_service: 'app' } });
    const global = await t.app.inject({ url: '/internal/me', headers: { authorization: `Bearer ${GLOBAL_KEY}` } });
    expect(global.json()).toEqual({ auth: { mode: 'global', source_service: '' } });
  });

  it('POST creates a user with its key once, then answers "" for the same user (govconnect body)', async () => {
    const body = {
      user_id: 'village_1',
      source: 'app',
      expires_at: '2099-12-31T23:59:59Z',
      max_sessions: 1,
      max_messages: 0,
      provider: 'genfity-wa',
      created_by: 'govconnect-channel-service',
    };
    const first = await upsert(body, SCOPED_KEY);
    expect(first.statusCode).toBe(200);
    expect(first.json()).toMatchObject({ user_id: 'village_1', note: expect.any(String) });
    expect(first.json().api_key).toMatch(/^gwa_[\w-]{43}$/);
    const again = await upsert(body, SCOPED_KEY);
    expect(again.statusCode).toBe(200);
    expect(again.json().api_key).toBe('');
    const me = await t.app.inject({ url: '/v1/me', headers: { 'x-api-key': first.json().api_key } });
    expect(me.statusCode).toBe(200);
  });

  it('stores only the hash of the key and never returns it', async () => {
    const { userId, apiKey } = await seedUser(t.app);
    const { rows } = await t.db.query<{ customer_api_key: string }>('SELECT customer_api_key FROM wa_service_users WHERE id = $1', [
      userId,
    ]);
    expect(rows[0]!.customer_api_key).toMatch(/^[0-9a-f]{64}$/);
    expect(rows[0]!.customer_api_key).not.toContain(apiKey);
    for (const url of [`/internal/users/${userId}`, `/internal/users/${userId}/apikey`, '/internal/users?limit=100']) {
      const res = await t.app.inject({ url, headers: internal() });
      expect(res.body).not.toContain(rows[0]!.customer_api_key);
    }
  });

  it('lists with user_id and id, subscription or null, session_count and meta.total; filters by source and status', async () => {
    await upsert({ user_id: 'list_a', source: 'listsrc', expires_at: '2030-01-01T00:00:00Z' });
    await upsert({ user_id: 'list_b', source: 'listsrc', expires_at: '2030-01-01T00:00:00Z' });
    await t.db.query(
      "INSERT INTO wa_service_users (id, source_service, customer_api_key, status, created_at, updated_at) VALUES ('list_c', 'listsrc', 'h-list-c', 'inactive', now(), now())",
    );
    await t.db.query(
      "INSERT INTO wa_sessions (user_id, session_id, session_token) VALUES ('list_a', 's1', 'tok-list-a1'), ('list_a', 's2', 'tok-list-a2')",
    );
    const res = await t.app.inject({ url: '/internal/users?source=listsrc&page=1&limit=2', headers: internal() });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.meta).toEqual({ limit: 2, page: 1, provider: 'genfity-wa', source: 'listsrc', total: 3 });
    expect(body.items).toHaveLength(2);
    const all = (await t.app.inject({ url: '/internal/users?source=listsrc&limit=100', headers: internal() })).json().items;
    const a = all.find((i: { id: string }) => i.id === 'list_a');
    expect(a).toMatchObject({ user_id: 'list_a', id: 'list_a', source_service: 'listsrc', status: 'active', session_count: 2 });
    expect(a.subscription).toMatchObject({
      provider: 'genfity-wa',
      status: 'active',
      max_sessions: 1,
      max_messages: 0,
      expires_at: '2030-01-01T00:00:00.000Z',
    });
    expect(all.find((i: { id: string }) => i.id === 'list_c').subscription).toBeNull();
    const inactive = (await t.app.inject({ url: '/internal/users?source=listsrc&status=inactive', headers: internal() })).json();
    expect(inactive.items.map((i: { id: string }) => i.id)).toEqual(['list_c']);
    const otherProvider = (await t.app.inject({ url: '/internal/users?source=listsrc&provider=other', headers: internal() })).json();
    expect(otherProvider.items.every((i: { subscription: unknown }) => i.subscription === null)).toBe(true);
  });

  it('caps limit at 100 as the Go service did', async () => {
    const res = await t.app.inject({ url: '/internal/users?limit=500', headers: internal() });
    expect(res.statusCode).toBe(200);
    expect(res.json().meta.limit).toBe(100);
  });

  it('GET one user, PUT patches it, an expiry in the past then in the future re-activates', async () => {
    const { userId } = await seedUser(t.app, { max_messages: 50 });
    const put = await t.app.inject({ method: 'PUT', url: `/internal/users/${userId}`, headers: internal(), payload: { max_sessions: 5 } });
    expect(put.statusCode).toBe(200);
    expect(put.json()).toEqual({ message: 'updated' });
    const one = (await t.app.inject({ url: `/internal/users/${userId}`, headers: internal() })).json();
    // Omitted max_messages keeps its value (go-service-api B15 reset it to unlimited).
    expect(one.subscription).toMatchObject({ max_sessions: 5, max_messages: 50, status: 'active' });
    await t.app.inject({
      method: 'PUT',
      url: `/internal/users/${userId}`,
      headers: internal(),
      payload: { expires_at: '2020-01-01T00:00:00Z' },
    });
    expect((await t.app.inject({ url: `/internal/users/${userId}`, headers: internal() })).json().subscription.status).toBe('expired');
    await t.app.inject({
      method: 'PUT',
      url: `/internal/users/${userId}`,
      headers: internal(),
      payload: { expires_at: '2031-01-01T00:00:00Z' },
    });
    expect((await t.app.inject({ url: `/internal/users/${userId}`, headers: internal() })).json().subscription.status).toBe('active');
  });

  it('PUT can deactivate a user, who is then refused on /v1', async () => {
    const { userId, apiKey } = await seedUser(t.app);
    await t.app.inject({ method: 'PUT', url: `/internal/users/${userId}`, headers: internal(), payload: { status: 'inactive' } });
    const me = await t.app.inject({ url: '/v1/me', headers: { 'x-api-key': apiKey } });
    expect(me.statusCode).toBe(403);
    expect(me.json()).toMatchObject({ message: 'user is not active', code: 'USER_INACTIVE' });
  });

  it('key info has no key and no hash; rotate issues a working key and kills the old one', async () => {
    const { userId, apiKey } = await seedUser(t.app);
    const info = await t.app.inject({ url: `/internal/users/${userId}/apikey`, headers: internal() });
    expect(info.statusCode).toBe(200);
    expect(info.json()).toMatchObject({ user_id: userId, has_api_key: true, api_key_hint: `${apiKey.slice(0, 8)}…` });
    const rotated = await t.app.inject({
      method: 'POST',
      url: `/internal/users/${userId}/apikey/rotate`,
      headers: { ...internal(), 'content-type': 'application/json' },
      payload: '{}',
    });
    expect(rotated.statusCode).toBe(200);
    const newKey = rotated.json().api_key;
    expect(rotated.json()).toEqual({ api_key: expect.stringMatching(/^gwa_/), user_id: userId });
    expect((await t.app.inject({ url: '/v1/me', headers: { 'x-api-key': apiKey } })).statusCode).toBe(401);
    expect((await t.app.inject({ url: '/v1/me', headers: { 'x-api-key': newKey } })).statusCode).toBe(200);
  });

  it('parallel first upserts of one id create one user and one subscription', async () => {
    const body = { user_id: 'race_1', source: 'app', expires_at: '2030-01-01T00:00:00Z' };
    const results = await Promise.all(Array.from({ length: 10 }, () => upsert(body)));
    expect(results.map((r) => r.statusCode)).toEqual(Array(10).fill(200));
    expect(results.filter((r) => r.json().api_key !== '')).toHaveLength(1);
    const subs = await t.db.query<{ n: number }>("SELECT count(*) AS n FROM wa_user_subscriptions WHERE user_id = 'race_1'");
    expect(subs.rows[0]!.n).toBe(1);
  });
});

describe('internal users: errors', () => {
  it('no key → 401, wrong key → 401, a wrong x-internal-api-key is not rescued by Authorization', async () => {
    expect((await t.app.inject({ url: '/internal/me' })).json()).toEqual({
      message: 'internal api key required',
      code: 'INTERNAL_KEY_REQUIRED',
    });
    const wrong = await t.app.inject({ url: '/internal/users', headers: internal('nope') });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json().message).toBe('invalid internal api key');
    const both = await t.app.inject({
      url: '/internal/me',
      headers: { 'x-internal-api-key': 'nope', authorization: `Bearer ${GLOBAL_KEY}` },
    });
    expect(both.statusCode).toBe(401);
    // The name part of a scoped entry is not a key.
    expect((await t.app.inject({ url: '/internal/me', headers: internal(`app:${SCOPED_KEY}`) })).statusCode).toBe(401);
  });

  it.each([
    ['malformed JSON', '{"user_id": ', 'INVALID_JSON'],
    ['an array', '[1,2]', 'VALIDATION_FAILED'],
    ['missing fields', '{}', 'VALIDATION_FAILED'],
    ['a wrong type', '{"user_id":"x1","source":"app","expires_at":"2030-01-01T00:00:00Z","max_sessions":"many"}', 'VALIDATION_FAILED'],
    ['a bad date', '{"user_id":"x1","source":"app","expires_at":"2030-01-01"}', 'VALIDATION_FAILED'],
    ['a too long id', JSON.stringify({ user_id: 'x'.repeat(65), source: 'app', expires_at: '2030-01-01T00:00:00Z' }), 'VALIDATION_FAILED'],
    ['a negative quota', '{"user_id":"x1","source":"app","expires_at":"2030-01-01T00:00:00Z","max_messages":-1}', 'VALIDATION_FAILED'],
    ['an empty body', '', 'VALIDATION_FAILED'],
  ])('POST with %s → 400 {message} and nothing written', async (_name, payload, code) => {
    const before = await userCount();
    const res = await t.app.inject({
      method: 'POST',
      url: '/internal/users',
      headers: { ...internal(), 'content-type': 'application/json' },
      payload,
    });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ message: expect.any(String), code });
    expect(await userCount()).toBe(before);
  });

  it('an oversized body → 413 {message}', async () => {
    const res = await upsert({ user_id: 'big', source: 'app', expires_at: '2030-01-01T00:00:00Z', pad: 'x'.repeat(2 * 1024 * 1024) });
    expect(res.statusCode).toBe(413);
    expect(res.json().code).toBe('BODY_TOO_LARGE');
  });

  it('bad query values → 400; unknown user ids → 404', async () => {
    expect((await t.app.inject({ url: '/internal/users?page=0', headers: internal() })).statusCode).toBe(400);
    expect((await t.app.inject({ url: '/internal/users?limit=abc', headers: internal() })).statusCode).toBe(400);
    for (const [method, url] of [
      ['GET', '/internal/users/ghost'],
      ['GET', '/internal/users/ghost/apikey'],
      ['POST', '/internal/users/ghost/apikey/rotate'],
    ] as const) {
      const res = await t.app.inject({ method, url, headers: internal() });
      expect(res.statusCode).toBe(404);
      expect(res.json()).toEqual({ message: 'user not found', code: 'USER_NOT_FOUND' });
    }
    const put = await t.app.inject({ method: 'PUT', url: '/internal/users/ghost', headers: internal(), payload: { max_sessions: 2 } });
    expect(put.statusCode).toBe(404);
    expect(await t.db.query("SELECT 1 FROM wa_service_users WHERE id = 'ghost'")).toMatchObject({ rowCount: 0 });
  });

  it('PUT that would create a subscription without expires_at → 400', async () => {
    await t.db.query(
      "INSERT INTO wa_service_users (id, source_service, customer_api_key, status) VALUES ('nosub', 'app', 'h-nosub', 'active')",
    );
    const res = await t.app.inject({ method: 'PUT', url: '/internal/users/nosub', headers: internal(), payload: { max_sessions: 2 } });
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe('SUBSCRIPTION_REQUIRED');
  });
});

describe('internal users: source isolation', () => {
  it('a scoped key cannot create users of another source', async () => {
    const res = await upsert({ user_id: 'iso_1', source: 'other', expires_at: '2030-01-01T00:00:00Z' }, SCOPED_KEY);
    expect(res.statusCode).toBe(403);
    expect(res.json().message).toBe('key only allowed for its own source');
  });

  it("a scoped key cannot take over, read, change or rotate another source's user (B14)", async () => {
    const { userId, apiKey } = await seedUser(t.app, { source: 'other' });
    const takeover = await upsert({ user_id: userId, source: 'app', expires_at: '2030-01-01T00:00:00Z' }, SCOPED_KEY);
    expect(takeover.statusCode).toBe(403);
    for (const [method, url] of [
      ['GET', `/internal/users/${userId}`],
      ['GET', `/internal/users/${userId}/apikey`],
      ['POST', `/internal/users/${userId}/apikey/rotate`],
      ['PUT', `/internal/users/${userId}`],
    ] as const) {
      const res = await t.app.inject({
        method,
        url,
        headers: internal(SCOPED_KEY),
        ...(method === 'PUT' ? { payload: { max_sessions: 9 } } : {}),
      });
      expect(res.statusCode, `${method} ${url}`).toBe(403);
      expect(res.json().message).toBe('user does not belong to this source');
    }
    // A missing user looks the same to a scoped key: nothing to learn about other sources.
    expect((await t.app.inject({ url: '/internal/users/ghost-2', headers: internal(SCOPED_KEY) })).json().message).toBe(
      'user does not belong to this source',
    );
    const row = await t.db.query<{ source_service: string }>('SELECT source_service FROM wa_service_users WHERE id = $1', [userId]);
    expect(row.rows[0]!.source_service).toBe('other');
    expect((await t.app.inject({ url: '/v1/me', headers: { 'x-api-key': apiKey } })).statusCode).toBe(200);
  });

  it('a scoped key lists only its own source, whatever it asks for', async () => {
    await seedUser(t.app, { source: 'other' });
    const res = await t.app.inject({ url: '/internal/users?source=other&limit=100', headers: internal(SCOPED_KEY) });
    expect(res.json().meta.source).toBe('app');
    expect(res.json().items.every((i: { source_service: string }) => i.source_service === 'app')).toBe(true);
    const other = await t.app.inject({ url: '/internal/users?limit=100', headers: internal(OTHER_SCOPED_KEY) });
    expect(other.json().items.every((i: { source_service: string }) => i.source_service === 'other')).toBe(true);
  });
});
