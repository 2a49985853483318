/**
 * B10 (go-service-api §12, public.go:264-273): "The settings update writes locally first and ignores
 * the provider's answer to `PUT /webhook`."
 *
 * Gateway: the provider is changed first (admin `PUT /admin/users/:id`, never the user route
 * `PUT /webhook`, which cleared the webhook); when it is down (502), slow (504) or refuses (relayed),
 * nothing is changed locally. Kept from the Go service: success answers 200 `{"message":"settings updated"}`.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { customer } from '../helpers/app.js';
import { seedUser } from '../helpers/seed.js';
import { fileAppWithSimulator } from '../helpers/sim.js';

const t = fileAppWithSimulator();
beforeEach(() => {
  t.sim.reset();
});

async function sessionWithHook() {
  const { apiKey } = await seedUser(t.app);
  const res = await t.app.inject({
    method: 'POST',
    url: '/v1/sessions',
    headers: customer(apiKey),
    payload: { session_name: 's', webhook_url: 'https://hooks.example.com/old' },
  });
  return { apiKey, sessionId: res.json().session.session_id as string };
}
const put = (apiKey: string, id: string) =>
  t.app.inject({
    method: 'PUT',
    url: `/v1/sessions/${id}/settings`,
    headers: customer(apiKey),
    payload: { webhook_url: 'https://hooks.example.com/new', typing_enabled: true },
  });
const settingsOf = async (apiKey: string, id: string) =>
  (await t.app.inject({ url: `/v1/sessions/${id}/settings`, headers: customer(apiKey) })).json();

describe("B10: settings follow the provider's answer", () => {
  it('success: 200 "settings updated", stored, on the provider, through the admin API only', async () => {
    const { apiKey, sessionId } = await sessionWithHook();
    t.sim.clearRequests();
    const res = await put(apiKey, sessionId);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      message: 'settings updated',
      settings: { webhook_url: 'https://hooks.example.com/new', typing_enabled: true },
    });
    expect(t.sim.findUserById(sessionId)!.webhook).toBe('https://hooks.example.com/new');
    expect(t.sim.requests.map((r) => `${r.method} ${r.path}`)).toEqual([`PUT /admin/users/${sessionId}`]);
  });

  it.each([
    ['down', 502, () => t.sim.setDown(true)],
    ['slow', 504, () => t.sim.setLatency(1500, '/admin/users')],
    [
      'refusing',
      500,
      () => t.sim.failNext('/admin/users', { status: 500, body: { code: 500, error: 'failed to update user', success: false } }),
    ],
  ] as const)('provider %s → %i, nothing changed here', async (_name, status, fault) => {
    const { apiKey, sessionId } = await sessionWithHook();
    fault();
    const res = await put(apiKey, sessionId);
    t.sim.reset();
    expect(res.statusCode).toBe(status);
    expect(await settingsOf(apiKey, sessionId)).toMatchObject({ webhook_url: 'https://hooks.example.com/old', typing_enabled: false });
  });
});
