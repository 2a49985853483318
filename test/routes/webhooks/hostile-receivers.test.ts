import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { customer } from '../../helpers/app.js';
import { startHostileReceiver, type HostileMode, type HostileReceiver } from '../../helpers/hostile-receivers.js';
import { startReceiver, type Receiver } from '../../helpers/receiver.js';
import { seedUser } from '../../helpers/seed.js';
import { createAppWithSimulator } from '../../helpers/sim.js';
import { waitFor } from '../../helpers/wait.js';
import { deliveryRound } from '../../helpers/webhooks.js';

// Issue 11 §1 and §4: a receiver decides how long and how much it answers; the gateway must not let it.
type SimApp = Awaited<ReturnType<typeof createAppWithSimulator>>;
const hostile: HostileReceiver[] = [];
const receive = async (mode: HostileMode) => {
  const r = await startHostileReceiver(mode);
  hostile.push(r);
  return r;
};
afterAll(async () => {
  await Promise.all(hostile.map((r) => r.close()));
});

async function sessionFor(t: SimApp, webhookUrl: string) {
  const owner = await seedUser(t.app);
  const res = await t.app.inject({
    method: 'POST',
    url: '/v1/sessions',
    headers: customer(owner.apiKey),
    payload: { session_name: 'hostile', webhook_url: webhookUrl },
  });
  expect(res.statusCode).toBe(201);
  return { apiKey: owner.apiKey, sessionId: res.json().session.session_id as string };
}

const ping = (t: SimApp, s: { apiKey: string; sessionId: string }) =>
  t.app.inject({ method: 'POST', url: `/v1/sessions/${s.sessionId}/webhook-deliveries/test`, headers: customer(s.apiKey) });
const firstDelivery = async (t: SimApp, s: { apiKey: string; sessionId: string }) =>
  (await t.app.inject({ url: `/v1/sessions/${s.sessionId}/webhook-deliveries`, headers: customer(s.apiKey) })).json().deliveries[0];

describe('issue 11 §1: slow and strange answers cost one attempt of WEBHOOK_TIMEOUT_MS at most', () => {
  let t: SimApp;
  beforeAll(async () => {
    t = await createAppWithSimulator({
      env: { WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true', WEBHOOK_TIMEOUT_MS: '1000', WEBHOOK_RETRY_SCHEDULE: '1h' },
    });
  });
  afterAll(async () => {
    await t.close();
  });

  it.each(['trickle-body', 'trickle-headers'] as const)('%s: the attempt ends at the deadline and is retried later', async (mode) => {
    const receiver = await receive(mode);
    const session = await sessionFor(t, receiver.url);
    await ping(t, session);
    // A round of the outbox makes the attempt and returns when it has ended.
    await waitFor(() => receiver.requests.length === 1, {
      what: 'the attempt at the receiver',
      timeoutMs: 3_000,
      between: deliveryRound(t),
    });
    const started = receiver.requests[0]!.at;
    await waitFor(async () => (await firstDelivery(t, session)).attempts === 1, { what: 'the attempt recorded', timeoutMs: 4_000 });
    const elapsed = Date.now() - started;
    expect(await firstDelivery(t, session)).toMatchObject({ status: 'pending', attempts: 1, last_status_code: null });
    expect((await firstDelivery(t, session)).last_error).toMatch(/timed? ?out/i);
    expect(elapsed, 'not cut short by an idle timeout').toBeGreaterThanOrEqual(500);
    expect(elapsed).toBeLessThan(3_000);
    await waitFor(() => receiver.open() === 0, { what: 'the gateway to hang up', timeoutMs: 2_000 });
  });

  it('a NUL in the receiver’s answer is kept out of the record, and the attempt is recorded', async () => {
    const receiver = await receive('nul');
    const session = await sessionFor(t, receiver.url);
    await ping(t, session);
    await waitFor(async () => (await firstDelivery(t, session)).attempts === 1, {
      what: 'the attempt recorded',
      timeoutMs: 4_000,
      between: deliveryRound(t),
    });
    const delivery = await firstDelivery(t, session);
    expect(delivery).toMatchObject({ status: 'pending', last_status_code: 500 });
    expect(delivery.last_error).toMatch(/^HTTP 500: bad.?input$/);
  });
});

describe('issue 11 §4: one slow receiver holds one slot, not the outbox', () => {
  let t: SimApp;
  let fast: Receiver;
  beforeAll(async () => {
    fast = await startReceiver();
    t = await createAppWithSimulator({
      env: {
        WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true',
        WEBHOOK_TIMEOUT_MS: '5000',
        WEBHOOK_RETRY_SCHEDULE: '1h',
        WEBHOOK_CONCURRENCY: '4',
        WEBHOOK_TENANT_CONCURRENCY: '1',
      },
    });
  });
  afterAll(async () => {
    await t.close();
    await fast.close();
  });

  it("tenant B is delivered while tenant A's trickling receiver still holds its attempt; A holds only its share", async () => {
    const slow = await receive('trickle-body');
    const a = await sessionFor(t, slow.url);
    const b = await sessionFor(t, fast.url);
    for (let i = 0; i < 6; i += 1) await ping(t, a);
    // A round of the outbox takes what A may hold (one slot); its trickling attempt outlives the test
    // and is waited for when the app closes.
    void t.deps.deliverWebhooks();
    await waitFor(() => slow.open() >= 1, { what: "A's receiver trickling", timeoutMs: 3_000 });
    const queuedAt = Date.now();
    await ping(t, b);
    await waitFor(() => fast.received.length === 1, { what: 'B delivered', timeoutMs: 4_000, between: deliveryRound(t) });
    expect(slow.open(), "A's attempt is still open").toBeGreaterThanOrEqual(1);
    expect(fast.received[0]!.at - queuedAt).toBeLessThan(2_000);
    expect(slow.maxOpen(), 'one tenant holds at most WEBHOOK_TENANT_CONCURRENCY slots').toBe(1);
  });
});
