/**
 * B12 (go-service-api §12, public.go:108-134): "When the provider answer lacks `id` (502) or the local
 * insert fails (500), the provider-side user created in the same request is left behind."
 *
 * Gateway: a create that fails at any step leaves nothing on either side: no row here (not even the
 * placeholder that held the slot), no user on genfity-wa, and the slot is free again.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { customer } from '../helpers/app.js';
import { seedUser } from '../helpers/seed.js';
import { fileAppWithSimulator } from '../helpers/sim.js';

// Relay mode: a create is three provider steps (create the user, set its webhook key, then our row).
const t = fileAppWithSimulator({ env: { GATEWAY_PUBLIC_URL: 'https://gateway.example.com' } });
beforeEach(() => {
  t.sim.reset();
});

const create = (apiKey: string) =>
  t.app.inject({ method: 'POST', url: '/v1/sessions', headers: customer(apiKey), payload: { session_name: 'half' } });
const rowsOf = async (userId: string) => (await t.db.query('SELECT * FROM wa_sessions WHERE user_id = $1', [userId])).rows;

describe('B12: a half-made session is undone on both sides', () => {
  it('the provider user exists but the next step fails → the failure is relayed, the provider user deleted', async () => {
    const { apiKey, userId } = await seedUser(t.app, { max_sessions: 1 });
    t.sim.failNext('/session/hmac/config', { status: 500, body: { code: 500, error: 'failed to save hmac key', success: false } });
    const res = await create(apiKey);
    expect(res.statusCode).toBe(500);
    expect(res.json()).toEqual({ code: 500, error: 'failed to save hmac key', success: false });
    expect(t.sim.requests.map((r) => `${r.method} ${r.path}`)).toContain('POST /admin/users');
    expect(t.sim.listUsers()).toEqual([]);
    expect(await rowsOf(userId)).toEqual([]);
    expect((await create(apiKey)).statusCode).toBe(201);
  });

  it('an answer without an id → 502, and the user the provider may have made is looked up by token and not left', async () => {
    const { apiKey, userId } = await seedUser(t.app);
    t.sim.failNext('/admin/users', { status: 200, body: { code: 200, data: { name: 'half' }, success: true } });
    const res = await create(apiKey);
    expect(res.statusCode).toBe(502);
    expect(res.json()).toEqual({ message: 'provider sent an invalid response', code: 'PROVIDER_BAD_RESPONSE' });
    expect(t.sim.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['POST /admin/users', 'GET /admin/users']);
    expect(t.sim.listUsers()).toEqual([]);
    expect(await rowsOf(userId)).toEqual([]);
  });

  it('the provider refuses the create → its answer is relayed, nothing anywhere', async () => {
    const { apiKey, userId } = await seedUser(t.app);
    t.sim.failNext('/admin/users', { status: 400, body: { code: 400, error: 'missing name in payload', success: false } });
    const res = await create(apiKey);
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toBe('missing name in payload');
    expect(t.sim.listUsers()).toEqual([]);
    expect(await rowsOf(userId)).toEqual([]);
  });
});
