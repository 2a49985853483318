import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, customer, internal, type TestApp } from '../../helpers/app.js';
import { seedUser } from '../../helpers/seed.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ now: '2026-06-01T00:00:00Z' });
});
afterAll(async () => {
  await t.close();
});

describe('GET /v1/me: happy', () => {
  it('returns user, subscription and quota, and never a key or its hash', async () => {
    const { userId, apiKey } = await seedUser(t.app, { max_messages: 100, max_sessions: 2, expires_at: '2027-01-01T00:00:00Z' });
    await t.db.query('UPDATE wa_user_subscriptions SET messages_used = 30 WHERE user_id = $1', [userId]);
    const res = await t.app.inject({ url: '/v1/me', headers: customer(apiKey) });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.user).toEqual({
      id: userId,
      source_service: 'app',
      created_by: '',
      status: 'active',
      created_at: '2026-06-01T00:00:00.000Z',
      updated_at: '2026-06-01T00:00:00.000Z',
    });
    expect(body.subscription).toMatchObject({
      user_id: userId,
      provider: 'genfity-wa',
      max_sessions: 2,
      max_messages: 100,
      expires_at: '2027-01-01T00:00:00.000Z',
      status: 'active',
    });
    expect(body.quota).toEqual({ max_messages: 100, used: 30, remaining: 70, period_started_at: '2026-06-01T00:00:00.000Z' });
    const { rows } = await t.db.query<{ customer_api_key: string }>('SELECT customer_api_key FROM wa_service_users WHERE id = $1', [
      userId,
    ]);
    expect(res.body).not.toContain(rows[0]!.customer_api_key);
    expect(res.body).not.toContain(apiKey);
    expect(body.user).not.toHaveProperty('provider_mapping');
  });

  it('unlimited quota has remaining null', async () => {
    const { apiKey } = await seedUser(t.app, { max_messages: 0 });
    expect((await t.app.inject({ url: '/v1/me', headers: customer(apiKey) })).json().quota.remaining).toBeNull();
  });

  it('a renewal that moves expires_at forward starts a new quota period', async () => {
    const { userId, apiKey } = await seedUser(t.app, { max_messages: 10, expires_at: '2026-07-01T00:00:00Z' });
    await t.db.query('UPDATE wa_user_subscriptions SET messages_used = 10 WHERE user_id = $1', [userId]);
    expect((await t.app.inject({ url: '/v1/me', headers: customer(apiKey) })).json().quota.remaining).toBe(0);
    t.clock.set('2026-06-15T00:00:00Z');
    await t.app.inject({
      method: 'POST',
      url: '/internal/users',
      headers: internal(),
      payload: { user_id: userId, source: 'app', expires_at: '2026-08-01T00:00:00Z', max_messages: 10 },
    });
    const quota = (await t.app.inject({ url: '/v1/me', headers: customer(apiKey) })).json().quota;
    expect(quota).toEqual({ max_messages: 10, used: 0, remaining: 10, period_started_at: '2026-06-15T00:00:00.000Z' });
    t.clock.set('2026-06-01T00:00:00Z');
  });
});

describe('GET /v1/me: errors', () => {
  it('no key → 401, wrong key → 401', async () => {
    const none = await t.app.inject({ url: '/v1/me' });
    expect(none.statusCode).toBe(401);
    expect(none.json()).toEqual({ message: 'x-api-key is required', code: 'API_KEY_REQUIRED' });
    const wrong = await t.app.inject({ url: '/v1/me', headers: customer('gwa_not-a-key') });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json().message).toBe('invalid api key');
    // Authorization is not a customer credential.
    expect((await t.app.inject({ url: '/v1/me', headers: { authorization: 'Bearer gwa_x' } })).statusCode).toBe(401);
  });

  it('expiry is checked at request time against the clock, before any job runs', async () => {
    const { apiKey } = await seedUser(t.app, { expires_at: '2026-06-01T00:10:00Z' });
    expect((await t.app.inject({ url: '/v1/me', headers: customer(apiKey) })).statusCode).toBe(200);
    t.clock.set('2026-06-01T00:10:00Z');
    const expired = await t.app.inject({ url: '/v1/me', headers: customer(apiKey) });
    expect(expired.statusCode).toBe(403);
    expect(expired.json()).toEqual({ message: 'subscription expired', code: 'SUBSCRIPTION_EXPIRED' });
    // The read wrote nothing (go-service-api B6 flipped the row during a GET).
    t.clock.set('2026-06-01T00:00:00Z');
  });

  it('a subscription marked expired or inactive is refused; none at all is refused', async () => {
    const expired = await seedUser(t.app);
    await t.db.query("UPDATE wa_user_subscriptions SET status = 'expired' WHERE user_id = $1", [expired.userId]);
    expect((await t.app.inject({ url: '/v1/me', headers: customer(expired.apiKey) })).json().code).toBe('SUBSCRIPTION_EXPIRED');
    const inactive = await seedUser(t.app);
    await t.db.query("UPDATE wa_user_subscriptions SET status = 'inactive' WHERE user_id = $1", [inactive.userId]);
    expect((await t.app.inject({ url: '/v1/me', headers: customer(inactive.apiKey) })).json().code).toBe('SUBSCRIPTION_INACTIVE');
    const none = await seedUser(t.app);
    await t.db.query('DELETE FROM wa_user_subscriptions WHERE user_id = $1', [none.userId]);
    const res = await t.app.inject({ url: '/v1/me', headers: customer(none.apiKey) });
    expect(res.statusCode).toBe(403);
    expect(res.json().code).toBe('SUBSCRIPTION_NOT_FOUND');
  });

  it('a subscription for another provider does not count (go-service-api B7)', async () => {
    const { userId, apiKey } = await seedUser(t.app);
    await t.db.query("UPDATE wa_user_subscriptions SET provider = 'other-wa' WHERE user_id = $1", [userId]);
    expect((await t.app.inject({ url: '/v1/me', headers: customer(apiKey) })).json().code).toBe('SUBSCRIPTION_NOT_FOUND');
  });
});
