/**
 * B17 (go-service-api §12, public.go:45; models/core.go:41): "`/v1/me` returns the stored key hash
 * (`customer_api_key`) and the unused `provider_mapping`."
 *
 * Gateway: `/v1/me` answers from an allow-list: user, subscription and quota; never the key, its hash
 * or `provider_mapping`, even when the column holds a value.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, customer, type TestApp } from '../helpers/app.js';
import { seedUser } from '../helpers/seed.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

describe('B17: /v1/me shows no key hash', () => {
  it('the answer holds neither the key, its hash nor provider_mapping', async () => {
    const { userId, apiKey } = await seedUser(t.app);
    await t.db.query(`UPDATE wa_service_users SET provider_mapping = '{"genfity-wa":"mapped-secret"}' WHERE id = $1`, [userId]);
    const { rows } = await t.db.query<{ customer_api_key: string }>('SELECT customer_api_key FROM wa_service_users WHERE id = $1', [
      userId,
    ]);
    const res = await t.app.inject({ url: '/v1/me', headers: customer(apiKey) });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(Object.keys(body).sort()).toEqual(['quota', 'subscription', 'user']);
    expect(Object.keys(body.user).sort()).toEqual(['created_at', 'created_by', 'id', 'source_service', 'status', 'updated_at']);
    for (const secret of [rows[0]!.customer_api_key, apiKey, 'mapped-secret', 'customer_api_key', 'provider_mapping']) {
      expect(res.body).not.toContain(secret);
    }
  });
});
