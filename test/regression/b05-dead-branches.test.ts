/**
 * B5 (go-service-api §12, public.go:345-348; public.go:351-353; security.go:129-132): "Dead branches:
 * `subscription inactive` (only active subscriptions are ever returned); the empty target path (the
 * framework redirects `/wa`); the `/internal/` bypass inside the limiter (the limiter is not attached
 * to `/internal`)."
 *
 * Gateway, each branch made real or pinned:
 * - `subscription inactive` is reachable: a subscription whose status is `inactive` gets 403
 *   SUBSCRIPTION_INACTIVE on `/v1` and on `/wa` (the Go service said `record not found`).
 * - `/wa` and `/v1/wa` with no target path are not redirected: after the token check they answer 404
 *   GATEWAY_ROUTE_UNKNOWN, and the provider sees nothing.
 * - `/internal` is outside the public limiter (no bypass inside it needed): it never spends an IP's budget.
 */
import { describe, expect, it } from 'vitest';
import { customer, internal } from '../helpers/app.js';
import { fileAppWithSimulator } from '../helpers/sim.js';
import { pairedSession, providerCalls } from '../routes/gateway/helpers.js';

const t = fileAppWithSimulator({ env: { PUBLIC_RATE_LIMIT_MAX_REQUEST: '30' } });

describe("B5: the Go service's dead branches", () => {
  it('an inactive subscription answers 403 "subscription inactive" on /v1 and on the gateway', async () => {
    const { apiKey, userId, token } = await pairedSession(t);
    await t.db.query("UPDATE wa_user_subscriptions SET status = 'inactive' WHERE user_id = $1", [userId]);
    const me = await t.app.inject({ url: '/v1/me', headers: customer(apiKey), remoteAddress: '192.0.2.1' });
    expect(me.statusCode).toBe(403);
    expect(me.json()).toEqual({ message: 'subscription inactive', code: 'SUBSCRIPTION_INACTIVE' });
    t.sim.clearRequests();
    const wa = await t.app.inject({ url: '/wa/session/status', headers: { token }, remoteAddress: '192.0.2.1' });
    expect(wa.statusCode).toBe(403);
    expect(wa.json().code).toBe('SUBSCRIPTION_INACTIVE');
    expect(providerCalls(t)).toEqual([]);
  });

  it.each(['/wa', '/wa/', '/v1/wa', '/v1/wa/'])('%s with no target path → 404, no redirect, nothing forwarded', async (url) => {
    const { token } = await pairedSession(t);
    const res = await t.app.inject({ url, headers: { token }, remoteAddress: '192.0.2.2' });
    expect(res.statusCode).toBe(404);
    expect(res.headers.location).toBeUndefined();
    expect(res.json()).toEqual({ message: 'not a provider route this gateway exposes', code: 'GATEWAY_ROUTE_UNKNOWN' });
    expect(providerCalls(t)).toEqual([]);
  });

  it('/internal calls never spend the public budget of an address', async () => {
    const ip = '192.0.2.3';
    for (let i = 0; i < 40; i += 1) {
      expect((await t.app.inject({ url: '/internal/me', headers: internal(), remoteAddress: ip })).statusCode).toBe(200);
    }
    const first = await t.app.inject({ url: '/v1/me', headers: customer('gwa_nobody'), remoteAddress: ip });
    expect(first.statusCode).toBe(401);
    expect(first.headers['ratelimit-remaining']).toBe('29');
  });
});
