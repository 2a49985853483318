import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { customer } from '../../helpers/app.js';
import { seedUser } from '../../helpers/seed.js';
import { createAppWithSimulator } from '../../helpers/sim.js';
import { webhooksSettled } from '../../helpers/webhooks.js';

const GLOBAL_KEY = 'global-hmac-key-for-tests-0123456789abcdef';

describe("without GATEWAY_PUBLIC_URL (the Go service's way)", () => {
  let t: Awaited<ReturnType<typeof createAppWithSimulator>>;
  beforeAll(async () => {
    t = await createAppWithSimulator({ env: { WA_GLOBAL_HMAC_KEY: GLOBAL_KEY } });
  });
  afterAll(async () => {
    await t.close();
  });

  it('gives the customer URL to the provider and relays nothing, but uses global events for state and auto-read', async () => {
    const owner = await seedUser(t.app);
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/sessions',
      headers: customer(owner.apiKey),
      payload: { session_name: 'direct', webhook_url: 'https://hooks.example.com/direct', auto_read_enabled: true, auto_connect: true },
    });
    const { session_id: sessionId } = res.json().session;
    expect(t.sim.findUserById(sessionId)!.webhook).toBe('https://hooks.example.com/direct');
    const body = new URLSearchParams({
      jsonData: JSON.stringify({ type: 'LoggedOut', event: { OnConnect: false } }),
      userID: sessionId,
      instanceName: 'direct',
    }).toString();
    const post = await t.app.inject({
      method: 'POST',
      url: '/webhook/wa',
      payload: body,
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-hmac-signature': createHmac('sha256', GLOBAL_KEY).update(body).digest('hex'),
      },
    });
    expect(post.statusCode).toBe(200);
    // The event is stored when the post is answered and processed after it: wait until it has been.
    await webhooksSettled(t);
    const [session] = (await t.app.inject({ url: '/v1/sessions', headers: customer(owner.apiKey) })).json().sessions;
    expect(session).toMatchObject({ status: 'logged_out', logged_in: false, health: 'logged_out' });
    // Nothing of the provider's is relayed; the only delivery is the gateway's own SessionHealth news
    // (SPEC §10: a change of health goes to the session's webhook in either mode).
    const { rows } = await t.db.query<{ event_type: string; url: string }>(
      'SELECT event_type, url FROM gateway_webhook_deliveries ORDER BY id',
    );
    expect(rows.map((r) => r.event_type)).toEqual(['SessionHealth']);
    expect(rows[0]!.url).toBe('https://hooks.example.com/direct');
  });
});

describe('without WA_GLOBAL_HMAC_KEY', () => {
  it('POST /webhook/wa answers 404', async () => {
    const t = await createAppWithSimulator();
    try {
      const res = await t.app.inject({
        method: 'POST',
        url: '/webhook/wa',
        payload: '{}',
        headers: { 'content-type': 'application/json' },
      });
      expect(res.statusCode).toBe(404);
    } finally {
      await t.close();
    }
  });
});
