import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { customer } from '../../helpers/app.js';
import { freePort } from '../../helpers/receiver.js';
import { createAppWithSimulator } from '../../helpers/sim.js';
import { until } from '../../helpers/cluster.js';
import { pairedSession } from '../gateway/helpers.js';

// Issue 17 / SPEC §10: in relay mode the messages a session receives are counted per day, once per
// occurrence however many webhooks bring it; the session's own messages and other events are not.
const GLOBAL_KEY = 'global-hmac-key-for-usage-tests-0123456789';
let t: Awaited<ReturnType<typeof createAppWithSimulator>>;
let base = '';
beforeAll(async () => {
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  t = await createAppWithSimulator({ env: { GATEWAY_PUBLIC_URL: base, WA_GLOBAL_HMAC_KEY: GLOBAL_KEY } });
  await t.app.listen({ port, host: '127.0.0.1' });
});
afterAll(async () => {
  await t.close();
});

describe('received messages in the usage history (relay mode)', () => {
  it('counts incoming messages once each, through the session and the global webhook alike', async () => {
    t.sim.configure({ globalWebhookUrl: `${base}/webhook/wa`, globalHmacKey: GLOBAL_KEY });
    const { apiKey, sessionId } = await pairedSession(t);
    t.sim.clearDeliveries();
    t.sim.injectMessage(sessionId, { text: 'halo', from: '6281299999999' });
    t.sim.injectMessage(sessionId, { text: 'apa kabar', from: '6281299999998' });
    // Both copies of both messages (session and global webhook) have reached the gateway.
    const posted = await until(
      async () => t.sim.deliveries.filter((d) => d.eventType === 'Message' && d.status === 200).length,
      (n) => n >= 4,
    );
    expect(posted.value).toBe(4);
    await t.deps.flushCounters();
    const usage = (await t.app.inject({ url: '/v1/usage?from=2026-06-01&to=2026-06-01', headers: customer(apiKey) })).json();
    expect(usage.days[0]).toMatchObject({ date: '2026-06-01', sent: 0, received: 2, by_type: {} });
    expect(usage.totals).toEqual({ sent: 0, failed: 0, received: 2 });
  });
});
