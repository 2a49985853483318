/**
 * B27 (go-service-api §12, public.go:477-497, 460-462; models/core.go:127-131): "Unused code: an admin
 * helper that sends `Bearer <token>`, an admin-token branch of the pass-through, and `GatewayResponse`."
 *
 * Does not apply as a fix (dead code has no behaviour); the gateway has none of it. Pinned instead: the
 * one way the gateway speaks to genfity-wa's admin API is the raw `Authorization: <WA_ADMIN_TOKEN>` (no
 * `Bearer`, which the provider would refuse), and the pass-through never carries the admin token.
 */
import { describe, expect, it } from 'vitest';
import { customer } from '../helpers/app.js';
import { seedUser } from '../helpers/seed.js';
import { fileAppWithSimulator, SIM_ADMIN_TOKEN } from '../helpers/sim.js';
import { providerCalls } from '../routes/gateway/helpers.js';

const t = fileAppWithSimulator();

describe('B27: admin credentials only where they belong', () => {
  it('admin calls carry the raw admin token; gateway calls carry only the session token', async () => {
    const { apiKey } = await seedUser(t.app);
    const created = await t.app.inject({
      method: 'POST',
      url: '/v1/sessions',
      headers: customer(apiKey),
      payload: { session_name: 'pin', auto_connect: true },
    });
    expect(created.statusCode).toBe(201);
    const { session_id: id, session_token: token } = created.json().session;
    await t.app.inject({ method: 'PUT', url: `/v1/sessions/${id}`, headers: customer(apiKey), payload: { session_name: 'pin-2' } });
    await t.app.inject({ url: '/v1/wa/session/status', headers: { authorization: `Bearer ${token}` } });
    await t.app.inject({ method: 'DELETE', url: `/v1/sessions/${id}`, headers: customer(apiKey) });
    const calls = providerCalls(t).map((r) => ({
      call: `${r.method} ${r.path}`,
      authorization: r.headers.authorization,
      token: r.headers.token,
    }));
    expect(calls).toEqual([
      { call: 'POST /admin/users', authorization: SIM_ADMIN_TOKEN, token: undefined },
      { call: 'POST /session/connect', authorization: undefined, token },
      { call: `PUT /admin/users/${id}`, authorization: SIM_ADMIN_TOKEN, token: undefined },
      { call: 'GET /session/status', authorization: undefined, token },
      { call: `DELETE /admin/users/${id}/full`, authorization: SIM_ADMIN_TOKEN, token: undefined },
    ]);
  });
});
