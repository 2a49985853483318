/**
 * B7 (go-service-api §12, public.go:413): "The active subscription is chosen across **all providers**
 * (newest `updated_at`). `/internal/users` instead reports the subscription of the requested provider
 * (internal.go:104)."
 *
 * Gateway: `/v1` and the token gateway use the subscription for genfity-wa only, the one
 * `/internal/users` reports by default; another provider's subscription grants nothing here.
 */
import { describe, expect, it } from 'vitest';
import { customer, internal } from '../helpers/app.js';
import { fileAppWithSimulator } from '../helpers/sim.js';
import { pairedSession, providerCalls } from '../routes/gateway/helpers.js';

const t = fileAppWithSimulator({ now: '2026-06-01T00:00:00Z' });

describe('B7: only the genfity-wa subscription counts', () => {
  it('an expired genfity-wa plan is not rescued by a newer, active plan of another provider', async () => {
    const { apiKey, userId, token } = await pairedSession(t, { expires_at: '2026-06-01T00:05:00Z', max_sessions: 3 });
    const other = await t.app.inject({
      method: 'POST',
      url: '/internal/users',
      headers: internal(),
      payload: { user_id: userId, source: 'app', provider: 'other-wa', expires_at: '2030-01-01T00:00:00Z', max_sessions: 9 },
    });
    expect(other.statusCode).toBe(200);
    t.clock.set('2026-06-01T01:00:00Z');
    t.sim.clearRequests();
    expect((await t.app.inject({ url: '/v1/me', headers: customer(apiKey) })).json().code).toBe('SUBSCRIPTION_EXPIRED');
    expect((await t.app.inject({ url: '/v1/wa/session/status', headers: { token } })).json().code).toBe('SUBSCRIPTION_EXPIRED');
    expect(providerCalls(t)).toEqual([]);
    const item = (await t.app.inject({ url: `/internal/users/${userId}`, headers: internal() })).json();
    expect(item.subscription).toMatchObject({ provider: 'genfity-wa', status: 'expired', max_sessions: 3 });
    const otherItem = (await t.app.inject({ url: `/internal/users/${userId}?provider=other-wa`, headers: internal() })).json();
    expect(otherItem.subscription).toMatchObject({ provider: 'other-wa', status: 'active', max_sessions: 9 });
    t.clock.set('2026-06-01T00:00:00Z');
  });

  it('a user whose only plan is for another provider has no subscription here (403), and /v1/me shows the genfity-wa plan', async () => {
    const { apiKey, userId } = await pairedSession(t, { max_sessions: 2 });
    await t.app.inject({
      method: 'POST',
      url: '/internal/users',
      headers: internal(),
      payload: { user_id: userId, source: 'app', provider: 'other-wa', expires_at: '2031-01-01T00:00:00Z', max_sessions: 7 },
    });
    const me = (await t.app.inject({ url: '/v1/me', headers: customer(apiKey) })).json();
    expect(me.subscription).toMatchObject({ provider: 'genfity-wa', max_sessions: 2 });
    await t.db.query("DELETE FROM wa_user_subscriptions WHERE user_id = $1 AND provider = 'genfity-wa'", [userId]);
    const none = await t.app.inject({ url: '/v1/me', headers: customer(apiKey) });
    expect(none.statusCode).toBe(403);
    expect(none.json()).toEqual({ message: 'no active subscription', code: 'SUBSCRIPTION_NOT_FOUND' });
  });
});
