import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createProviderSimulator, type ProviderSimulator } from '../../../sim/provider-simulator.js';
import { requestFingerprint } from '../../../src/services/idempotency.js';
import { claimIdempotencyKey } from '../../../src/store/idempotency.js';
import { createTestApp, type TestApp } from '../../helpers/app.js';
import { SIM_ADMIN_TOKEN } from '../../helpers/sim.js';
import { openTestStore } from '../../helpers/store.js';
import { pairedSession, providerCalls, sendText, type SimApp } from './helpers.js';
import { waitFor } from '../../helpers/wait.js';

// Issue 13 item 2 and SPEC §10: an Idempotency-Key is shared by every instance. Two apps on one store
// stand for two instances (each with its own in-process fast path); one simulator stands for genfity-wa.
const WAIT_MS = 400;
let sim: ProviderSimulator;
let store: Awaited<ReturnType<typeof openTestStore>>;
let a: SimApp;
let b: SimApp;

async function instance(): Promise<SimApp> {
  const app: TestApp = await createTestApp({
    db: store.db,
    env: {
      WA_SERVER_URL: sim.url,
      WA_ADMIN_TOKEN: SIM_ADMIN_TOKEN,
      IDEMPOTENCY_TTL: '1h',
      IDEMPOTENCY_WAIT_MS: String(WAIT_MS),
      ...(store.database.url ? { DATABASE_URL: store.database.url } : {}),
    },
  });
  return { ...app, sim };
}

beforeAll(async () => {
  sim = createProviderSimulator({ adminToken: SIM_ADMIN_TOKEN, connectStallMs: 0, webhookRetryCount: 1 });
  await sim.listen(0);
  store = await openTestStore();
  a = await instance();
  b = await instance();
});
afterAll(async () => {
  await a.close();
  await b.close();
  await store.close();
  await sim.close();
});
beforeEach(() => {
  sim.setLatency(0, '/chat/send/text');
  sim.setDown(false);
});

const texts = () => providerCalls(a, '/chat/send/text');

const providerHasReceived = (count: number) => waitFor(() => texts().length >= count, `${count} send(s) at the provider`);

describe('Idempotency-Key across instances', () => {
  it('a retry on the other instance while the first is in flight waits for it: one send, the same answer', async () => {
    const { token } = await pairedSession(a);
    sim.setLatency(150, '/chat/send/text');
    const first = sendText(a, token, { 'idempotency-key': 'order-1' });
    await providerHasReceived(1);
    const retry = await sendText(b, token, { 'idempotency-key': 'order-1' });
    const original = await first;
    expect(original.statusCode).toBe(200);
    expect(retry.statusCode).toBe(original.statusCode);
    expect(retry.body).toBe(original.body);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    // And afterwards, on either instance.
    for (const app of [a, b]) expect((await sendText(app, token, { 'idempotency-key': 'order-1' })).body).toBe(original.body);
    expect(texts()).toHaveLength(1);
  });

  it('past IDEMPOTENCY_WAIT_MS the retry is 409 IDEMPOTENCY_IN_FLIGHT with Retry-After; once answered, it is a replay', async () => {
    const { token } = await pairedSession(a);
    sim.setLatency(1_200, '/chat/send/text');
    const first = sendText(a, token, { 'idempotency-key': 'order-2' });
    await providerHasReceived(1);
    const started = Date.now();
    const early = await sendText(b, token, { 'idempotency-key': 'order-2' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(WAIT_MS - 20);
    expect(early.statusCode).toBe(409);
    expect(early.json()).toEqual({ message: expect.any(String), code: 'IDEMPOTENCY_IN_FLIGHT' });
    expect(early.headers['retry-after']).toMatch(/^\d+$/);
    const original = await first;
    const late = await sendText(b, token, { 'idempotency-key': 'order-2' });
    expect(late.body).toBe(original.body);
    expect(texts()).toHaveLength(1);
  });

  it('the key with another body on the other instance → 422 IDEMPOTENCY_KEY_REUSED, nothing sent', async () => {
    const { token } = await pairedSession(a);
    expect((await sendText(a, token, { 'idempotency-key': 'order-3' })).statusCode).toBe(200);
    const other = await sendText(b, token, { 'idempotency-key': 'order-3' }, { Phone: '6281234567890', Body: 'another' });
    expect(other.statusCode).toBe(422);
    expect(other.json().code).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(texts()).toHaveLength(1);
  });

  it('a first attempt that failed without an answer may be retried elsewhere, and is sent for real', async () => {
    const { token } = await pairedSession(a);
    sim.setDown(true);
    expect((await sendText(a, token, { 'idempotency-key': 'order-4' })).statusCode).toBe(502);
    sim.setDown(false);
    const retry = await sendText(b, token, { 'idempotency-key': 'order-4' });
    expect(retry.statusCode).toBe(200);
    expect(retry.headers['idempotent-replayed']).toBeUndefined();
    expect(texts()).toHaveLength(1);
  });

  it('a key is kept IDEMPOTENCY_TTL: past it the key is free again, even for another request', async () => {
    const { token } = await pairedSession(a);
    await sendText(a, token, { 'idempotency-key': 'order-5' });
    for (const app of [a, b]) app.clock.advance(60 * 60_000 - 1_000);
    expect((await sendText(b, token, { 'idempotency-key': 'order-5' }, { Phone: '6281234567890', Body: 'x' })).statusCode).toBe(422);
    for (const app of [a, b]) app.clock.advance(2_000);
    const reused = await sendText(b, token, { 'idempotency-key': 'order-5' }, { Phone: '6281234567890', Body: 'x' });
    expect(reused.statusCode).toBe(200);
    expect(reused.headers['idempotent-replayed']).toBeUndefined();
    expect(texts()).toHaveLength(2);
  });

  it('a key held by an instance that died is free once its lease lapses: it does not block the key forever', async () => {
    const { token, sessionId } = await pairedSession(a);
    const row = (await store.db.query<{ id: number }>('SELECT id FROM wa_sessions WHERE session_id = $1', [sessionId])).rows[0]!;
    const now = b.clock.now();
    const fingerprint = requestFingerprint(
      'POST',
      '/chat/send/text',
      Buffer.from(JSON.stringify({ Phone: '6281234567890', Body: 'halo' })),
    );
    await claimIdempotencyKey(store.db, {
      key: `${row.id}:order-6`,
      fingerprint,
      owner: 'dead-instance:1',
      now,
      leaseUntil: new Date(now.getTime() + 10_000),
      expiresAt: new Date(now.getTime() + 3_600_000),
    });
    expect((await sendText(b, token, { 'idempotency-key': 'order-6' })).statusCode).toBe(409);
    b.clock.advance(10_001);
    const retry = await sendText(b, token, { 'idempotency-key': 'order-6' });
    expect(retry.statusCode).toBe(200);
    expect(texts()).toHaveLength(1);
  });
});
