import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { customer } from '../../helpers/app.js';
import { startHostileReceiver, type HostileMode, type HostileReceiver } from '../../helpers/hostile-receivers.js';
import { startReceiver, type Receiver } from '../../helpers/receiver.js';
import { seedUser } from '../../helpers/seed.js';
import { createAppWithSimulator } from '../../helpers/sim.js';

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
async function until(check: () => Promise<boolean> | boolean, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 25));
  }
  return true;
}

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
    expect(await until(() => receiver.requests.length === 1, 3_000)).toBe(true);
    const started = receiver.requests[0]!.at;
    expect(await until(async () => (await firstDelivery(t, session)).attempts === 1, 4_000), 'attempt recorded').toBe(true);
    const elapsed = Date.now() - started;
    expect(await firstDelivery(t, session)).toMatchObject({ status: 'pending', attempts: 1, last_status_code: null });
    expect((await firstDelivery(t, session)).last_error).toMatch(/timed? ?out/i);
    expect(elapsed, 'not cut short by an idle timeout').toBeGreaterThanOrEqual(500);
    expect(elapsed).toBeLessThan(3_000);
    expect(await until(() => receiver.open() === 0, 2_000), 'the gateway hung up').toBe(true);
  });

  it('a NUL in the receiver’s answer is kept out of the record, and the attempt is recorded', async () => {
    const receiver = await receive('nul');
    const session = await sessionFor(t, receiver.url);
    await ping(t, session);
    expect(await until(async () => (await firstDelivery(t, session)).attempts === 1, 4_000), 'attempt recorded').toBe(true);
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
    expect(await until(() => slow.open() >= 1, 3_000), "A's receiver is trickling").toBe(true);
    const queuedAt = Date.now();
    await ping(t, b);
    expect(await until(() => fast.received.length === 1, 4_000), 'B delivered').toBe(true);
    expect(slow.open(), "A's attempt is still open").toBeGreaterThanOrEqual(1);
    expect(fast.received[0]!.at - queuedAt).toBeLessThan(2_000);
    expect(slow.maxOpen(), 'one tenant holds at most WEBHOOK_TENANT_CONCURRENCY slots').toBe(1);
  });
});
