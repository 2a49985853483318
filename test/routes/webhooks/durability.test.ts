import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { customer } from '../../helpers/app.js';
import { startReceiver, type Receiver } from '../../helpers/receiver.js';
import { seedUser } from '../../helpers/seed.js';
import { createAppWithSimulator } from '../../helpers/sim.js';
import { openTestStore } from '../../helpers/store.js';
import { waitFor } from '../../helpers/wait.js';
import { deliveryRound } from '../../helpers/webhooks.js';

let receiver: Receiver;
beforeAll(async () => {
  receiver = await startReceiver();
});
afterAll(async () => {
  await receiver.close();
});

const relayEnv = { GATEWAY_PUBLIC_URL: 'http://127.0.0.1:9/', WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true', WEBHOOK_RETRY_SCHEDULE: '1s' };

describe('webhook outbox durability', () => {
  it('a delivery claimed by an instance that died is delivered by the next one, once', async () => {
    const store = await openTestStore();
    const first = await createAppWithSimulator({ db: store.db, env: relayEnv });
    const owner = await seedUser(first.app);
    const created = await first.app.inject({
      method: 'POST',
      url: '/v1/sessions',
      headers: customer(owner.apiKey),
      payload: { session_name: 'd', webhook_url: receiver.url },
    });
    const sessionId = created.json().session.session_id;
    const rowId = (await store.db.query<{ id: number }>('SELECT id FROM wa_sessions WHERE session_id = $1', [sessionId])).rows[0]!.id;
    await first.close();
    // As if an instance had claimed this delivery and died before answering: its lease still runs.
    const at = new Date('2026-06-01T00:00:05Z');
    await store.db.query(
      `INSERT INTO gateway_webhook_deliveries (event_id, session_row_id, user_id, session_id, event_type, url, body, status,
      attempts, next_attempt_at, locked_until, created_at, updated_at) VALUES ('evt_crash', $1, $2, $3, 'Test', $4, $5, 'pending', 0, $6, $7, $6, $6)`,
      [
        rowId,
        owner.userId,
        sessionId,
        receiver.url,
        Buffer.from(JSON.stringify({ id: 'evt_crash', type: 'Test' })),
        at,
        new Date(at.getTime() + 30_000),
      ],
    );
    receiver.received.splice(0);

    const second = await createAppWithSimulator({ db: store.db, env: relayEnv, now: '2026-06-01T00:00:10Z' });
    try {
      expect(await second.deps.deliverWebhooks()).toBe(0);
      second.clock.advance(60_000);
      expect(await second.deps.deliverWebhooks()).toBe(1);
      await receiver.waitFor(1);
      expect(JSON.parse(receiver.received[0]!.body).type).toBe('Test');
      expect(await second.deps.deliverWebhooks()).toBe(0);
      const list = (
        await second.app.inject({ url: `/v1/sessions/${sessionId}/webhook-deliveries`, headers: customer(owner.apiKey) })
      ).json().deliveries;
      expect(list[0]).toMatchObject({ status: 'delivered', attempts: 1 });
    } finally {
      await second.close();
      await store.close();
    }
  });

  it('two instances working the same outbox never deliver one event twice', async () => {
    const store = await openTestStore();
    const a = await createAppWithSimulator({ db: store.db, env: relayEnv });
    const b = await createAppWithSimulator({ db: store.db, env: relayEnv });
    let running = true;
    const stop = async () => {
      running = false;
      await Promise.all([a.close(), b.close()]);
    };
    try {
      const owner = await seedUser(a.app);
      const created = await a.app.inject({
        method: 'POST',
        url: '/v1/sessions',
        headers: customer(owner.apiKey),
        payload: { session_name: 'd2', webhook_url: receiver.url },
      });
      const sessionId = created.json().session.session_id;
      receiver.received.splice(0);
      await Promise.all(
        Array.from({ length: 30 }, () =>
          a.app.inject({ method: 'POST', url: `/v1/sessions/${sessionId}/webhook-deliveries/test`, headers: customer(owner.apiKey) }),
        ),
      );
      await Promise.all([a.deps.deliverWebhooks(), b.deps.deliverWebhooks(), a.deps.deliverWebhooks(), b.deps.deliverWebhooks()]);
      await receiver.waitFor(30, { between: deliveryRound(a) });
      // Both instances stopped: every attempt either of them started has ended, so a second copy would be here.
      await stop();
      const ids = receiver.received.map((r) => r.headers['x-webhook-id']);
      expect(ids).toHaveLength(30);
      expect(new Set(ids).size).toBe(30);
    } finally {
      if (running) await stop();
      await store.close();
    }
  });
});

describe('SSRF at delivery time', () => {
  it('a name that resolves to a private address is refused when delivering, and not retried', async () => {
    const t = await createAppWithSimulator({
      env: { GATEWAY_PUBLIC_URL: 'http://127.0.0.1:9/', WEBHOOK_RETRY_SCHEDULE: '1s' },
      overrides: { webhookLookup: (_host, cb) => cb(null, [{ address: '10.1.2.3', family: 4 }]) },
    });
    try {
      const owner = await seedUser(t.app);
      const created = await t.app.inject({
        method: 'POST',
        url: '/v1/sessions',
        headers: customer(owner.apiKey),
        payload: { session_name: 's', webhook_url: 'http://hooks.customer.test/in' },
      });
      expect(created.statusCode).toBe(201);
      const sessionId = created.json().session.session_id;
      await t.app.inject({ method: 'POST', url: `/v1/sessions/${sessionId}/webhook-deliveries/test`, headers: customer(owner.apiKey) });
      // The background job may take the delivery first (the test ping nudges it): wait for a final state.
      const settled = async () => {
        const list = await t.app.inject({ url: `/v1/sessions/${sessionId}/webhook-deliveries`, headers: customer(owner.apiKey) });
        const first = list.json().deliveries[0];
        return first.status === 'pending' ? null : first;
      };
      const delivery = await waitFor(settled, {
        what: 'the delivery to reach a final state',
        between: deliveryRound(t),
      });
      expect(delivery).toMatchObject({ status: 'failed', attempts: 1, last_status_code: null });
      expect(delivery.last_error).toMatch(/private address/);
    } finally {
      await t.close();
    }
  });
});
