/**
 * B16 (go-service-api §12, internal.go:270-304): "With a global key, `apikey` and `rotate` do not check
 * that the user exists. `rotate` returns 200 with a freshly generated key that was stored nowhere."
 *
 * Gateway: both answer 404 `user not found` for an unknown user with a global key (403 `user does not
 * belong to this source` with a scoped key, as for another source's user); no key is made up. For a
 * real user, rotate returns a key that works and the old one stops (govconnect's fallback).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, customer, internal, SCOPED_KEY, type TestApp } from '../helpers/app.js';
import { seedUser } from '../helpers/seed.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

const rotate = (userId: string, key?: string) =>
  t.app.inject({
    method: 'POST',
    url: `/internal/users/${userId}/apikey/rotate`,
    headers: { ...internal(key), 'content-type': 'application/json' },
    payload: '{}',
  });
const info = (userId: string, key?: string) => t.app.inject({ url: `/internal/users/${userId}/apikey`, headers: internal(key) });

describe('B16: apikey and rotate need an existing user', () => {
  it('global key, unknown user → 404 on both, no key in the answer, nothing stored', async () => {
    for (const res of [await info('b16_ghost'), await rotate('b16_ghost')]) {
      expect(res.statusCode).toBe(404);
      expect(res.json()).toEqual({ message: 'user not found', code: 'USER_NOT_FOUND' });
    }
    expect((await t.db.query("SELECT 1 FROM wa_service_users WHERE id = 'b16_ghost'")).rows).toEqual([]);
  });

  it("scoped key, unknown user → 403 as for another source's user", async () => {
    for (const res of [await info('b16_ghost', SCOPED_KEY), await rotate('b16_ghost', SCOPED_KEY)]) {
      expect(res.statusCode).toBe(403);
      expect(res.json().code).toBe('USER_NOT_IN_SOURCE');
    }
  });

  it('a real user: rotate returns a key that works, the old key stops working', async () => {
    const { userId, apiKey } = await seedUser(t.app);
    const res = await rotate(userId);
    expect(res.statusCode).toBe(200);
    const { api_key: fresh } = res.json();
    expect(res.json()).toEqual({ api_key: expect.stringMatching(/^gwa_/), user_id: userId });
    expect((await t.app.inject({ url: '/v1/me', headers: customer(fresh) })).statusCode).toBe(200);
    expect((await t.app.inject({ url: '/v1/me', headers: customer(apiKey) })).statusCode).toBe(401);
  });
});
