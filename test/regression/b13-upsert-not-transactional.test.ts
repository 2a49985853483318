/**
 * B13 (go-service-api §12, internal.go:161-210; models/core.go:53-63): "The upsert is not
 * transactional: a user can exist without a subscription, and its plaintext key is lost. Concurrent
 * first-time upserts give 500 `failed to create user`, or duplicate subscriptions (no unique
 * (`user_id`, `provider`))."
 *
 * Gateway: user and subscription are written in one transaction with the user row locked, so parallel
 * upserts of one id all answer 200, exactly one of them carries the key, and there is one subscription
 * per provider; a failure at the subscription step leaves no user behind. Kept on purpose (govconnect
 * depends on it): 200 for new and existing users alike, and `api_key: ""` for an existing one (the
 * client then rotates).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, customer, internal, type TestApp } from '../helpers/app.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

const upsert = (payload: object) => t.app.inject({ method: 'POST', url: '/internal/users', headers: internal(), payload });
const subscriptions = async (userId: string, provider = 'genfity-wa') =>
  (
    await t.db.query<{ n: number }>('SELECT count(*) AS n FROM wa_user_subscriptions WHERE user_id = $1 AND provider = $2', [
      userId,
      provider,
    ])
  ).rows[0]!.n;

describe('B13: the upsert is one transaction', () => {
  it('10 parallel first upserts of one id → ten 200s, one key that works, one user, one subscription', async () => {
    const body = { user_id: 'b13_race', source: 'app', expires_at: '2030-01-01T00:00:00Z', max_messages: 5 };
    const results = await Promise.all(Array.from({ length: 10 }, () => upsert(body)));
    expect(results.map((r) => r.statusCode)).toEqual(Array(10).fill(200));
    const keys = results.map((r) => r.json().api_key as string).filter(Boolean);
    expect(keys).toHaveLength(1);
    expect((await t.app.inject({ url: '/v1/me', headers: customer(keys[0]!) })).statusCode).toBe(200);
    expect((await t.db.query("SELECT 1 FROM wa_service_users WHERE id = 'b13_race'")).rows).toHaveLength(1);
    expect(await subscriptions('b13_race')).toBe(1);
  });

  it('parallel upserts adding another provider to an existing user make one subscription for it', async () => {
    await upsert({ user_id: 'b13_multi', source: 'app', expires_at: '2030-01-01T00:00:00Z' });
    const body = { user_id: 'b13_multi', source: 'app', provider: 'other-wa', expires_at: '2031-01-01T00:00:00Z' };
    const results = await Promise.all(Array.from({ length: 8 }, () => upsert(body)));
    expect(results.map((r) => r.statusCode)).toEqual(Array(8).fill(200));
    expect(await subscriptions('b13_multi', 'other-wa')).toBe(1);
    expect(await subscriptions('b13_multi')).toBe(1);
  });

  it('kept: an existing user answers 200 with api_key "" and its key keeps working', async () => {
    const body = {
      user_id: 'b13_again',
      source: 'app',
      expires_at: '2030-01-01T00:00:00Z',
      max_sessions: 1,
      max_messages: 0,
      provider: 'genfity-wa',
      created_by: 'govconnect-channel-service',
    };
    const first = await upsert(body);
    const again = await upsert(body);
    expect(again.statusCode).toBe(200);
    expect(again.json()).toEqual({ api_key: '', note: 'api_key hanya tampil saat user baru dibuat', user_id: 'b13_again' });
    expect((await t.app.inject({ url: '/v1/me', headers: customer(first.json().api_key) })).statusCode).toBe(200);
  });

  it('a failure while writing the subscription leaves no user without one', async () => {
    // 1e19 passes the integer check but not the bigint column: the insert fails after the user row was written.
    const res = await upsert({ user_id: 'b13_half', source: 'app', expires_at: '2030-01-01T00:00:00Z', max_messages: 1e19 });
    expect(res.statusCode).not.toBe(200);
    expect(res.json()).toMatchObject({ message: expect.any(String), code: expect.any(String) });
    expect((await t.db.query("SELECT 1 FROM wa_service_users WHERE id = 'b13_half'")).rows).toEqual([]);
    expect(await subscriptions('b13_half')).toBe(0);
  });
});
