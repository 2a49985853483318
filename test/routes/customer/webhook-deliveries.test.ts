import { beforeEach, describe, expect, it } from 'vitest';
import { customer, internal } from '../../helpers/app.js';
import { seedUser } from '../../helpers/seed.js';
import { fileAppWithSimulator } from '../../helpers/sim.js';
import { tenantIsolation } from '../../helpers/tenant-isolation.js';

const t = fileAppWithSimulator({ env: { WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true' } });
beforeEach(() => {
  t.sim.reset();
});

async function sessionWithWebhook() {
  const user = await seedUser(t.app);
  const res = await t.app.inject({
    method: 'POST',
    url: '/v1/sessions',
    headers: customer(user.apiKey),
    payload: { session_name: 's', webhook_url: 'http://127.0.0.1:9/hook' },
  });
  return { ...user, sessionId: res.json().session.session_id as string };
}
const deliveries = (id: string) => `/v1/sessions/${id}/webhook-deliveries`;

// Issue 11 §10: the webhook-deliveries routes served a customer whose subscription had lapsed.
describe('webhook deliveries: a lapsed or inactive tenant is refused, as on every /v1 route', () => {
  it('an expired subscription gets 403 SUBSCRIPTION_EXPIRED on list, test and redeliver, and nothing is queued', async () => {
    const { apiKey, userId, sessionId } = await sessionWithWebhook();
    const ping = await t.app.inject({ method: 'POST', url: `${deliveries(sessionId)}/test`, headers: customer(apiKey) });
    expect(ping.statusCode).toBe(202);
    const id = ping.json().delivery.id as number;
    await t.app.inject({
      method: 'PUT',
      url: `/internal/users/${userId}`,
      headers: internal(),
      payload: { expires_at: new Date(t.clock.now().getTime() - 1000).toISOString() },
    });
    const queued = async () => (await t.db.query<{ n: number }>('SELECT count(*) AS n FROM gateway_webhook_deliveries')).rows[0]!.n;
    const before = await queued();
    for (const [method, url] of [
      ['GET', deliveries(sessionId)],
      ['POST', `${deliveries(sessionId)}/test`],
      ['POST', `${deliveries(sessionId)}/${id}/redeliver`],
    ] as const) {
      const res = await t.app.inject({ method, url, headers: customer(apiKey) });
      expect(res.statusCode, `${method} ${url}`).toBe(403);
      expect(res.json()).toEqual({ message: expect.any(String), code: 'SUBSCRIPTION_EXPIRED' });
    }
    expect(await queued()).toBe(before);
  });

  it.each([
    { method: 'GET', url: deliveries },
    { method: 'POST', url: (id: string) => `${deliveries(id)}/test` },
    { method: 'POST', url: (id: string) => `${deliveries(id)}/1/redeliver` },
  ] as const)('tenant isolation: $method', async (route) => {
    const owner = await sessionWithWebhook();
    const other = await seedUser(t.app);
    await tenantIsolation({ app: t.app, sim: t.sim, sessionId: owner.sessionId, otherKey: other.apiKey, now: t.clock.now() }, route);
  });
});
