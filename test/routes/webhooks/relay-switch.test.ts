import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createProviderSimulator, type ProviderSimulator } from '../../../sim/provider-simulator.js';
import { systemSleep, type Sleep } from '../../../src/lib/clock.js';
import { createSecretBox } from '../../../src/lib/secrets-at-rest.js';
import { runMigrations } from '../../../src/store/migrate.js';
import { createTestApp, customer, TEST_ENCRYPTION_KEY, type TestApp } from '../../helpers/app.js';
import { legacyKeys, loadLegacyDump } from '../../helpers/legacy.js';
import { freePort, startReceiver, type Receiver } from '../../helpers/receiver.js';
import { seedUser } from '../../helpers/seed.js';
import { SIM_ADMIN_TOKEN } from '../../helpers/sim.js';
import { createTestDatabase, openTestStore, storeKind } from '../../helpers/store.js';
import { waitFor } from '../../helpers/wait.js';
import { deliveryRound } from '../../helpers/webhooks.js';

// Issue 12 §1: switching the relay on for an existing installation. Sessions provisioned without
// GATEWAY_PUBLIC_URL, and every session of an adopted Go database, are re-pointed at the relay in the
// background: idempotently, at a pace, one instance at a time, resumably; the customer's own
// webhook_url keeps receiving, now through the relay.
const SECRET = 'f0'.repeat(40);
const box = createSecretBox(TEST_ENCRYPTION_KEY);
let sim: ProviderSimulator;
let receiver: Receiver;
let port = 0;
let base = '';

beforeAll(async () => {
  sim = createProviderSimulator({ adminToken: SIM_ADMIN_TOKEN, connectStallMs: 50, webhookRetryCount: 1 });
  await sim.listen(0);
  receiver = await startReceiver();
  port = await freePort();
  base = `http://127.0.0.1:${port}`;
});
afterAll(async () => {
  await sim.close();
  await receiver.close();
});
/**
 * How the re-pointing job waits: at most 5 ms, except in the pauses the test holds (`hold` picks them by
 * length), which last until the test lets them go or the job stops. `paused` says the job is in one.
 */
function jobPauses() {
  let hold: ((ms: number) => boolean) | null = null;
  const held: Array<() => void> = [];
  const sleep: Sleep = (ms, signal) => {
    if (!hold?.(ms)) return systemSleep(Math.min(ms, 5), signal);
    return new Promise((resolve) => {
      held.push(resolve);
      signal?.addEventListener('abort', () => resolve(), { once: true });
    });
  };
  return {
    sleep,
    hold: (which: (ms: number) => boolean) => {
      hold = which;
    },
    paused: () => held.length > 0,
    release: () => {
      hold = null;
      for (const resume of held.splice(0)) resume();
    },
  };
}
let pauses = jobPauses();

beforeEach(() => {
  sim.reset();
  receiver.received.splice(0);
  pauses = jobPauses();
});

/** The gateway on `db`, in relay mode when `relay`; its background jobs wait at most 5 ms at a time unless the test holds them. */
async function gateway(db: TestApp['db'], relay: boolean, env: Record<string, string> = {}, now?: string, listen = relay) {
  const t = await createTestApp({
    db,
    ...(now ? { now } : {}),
    env: {
      WA_SERVER_URL: sim.url,
      WA_ADMIN_TOKEN: SIM_ADMIN_TOKEN,
      PROVIDER_TIMEOUT_MS: '1000',
      WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true',
      RELAY_REPOINT_RATE: '1000',
      ...(relay ? { GATEWAY_PUBLIC_URL: base } : {}),
      ...env,
    },
    overrides: { sleep: (ms, signal) => pauses.sleep(ms, signal) },
  });
  if (listen) await t.app.listen({ port, host: '127.0.0.1' });
  return t;
}

const relayRows = async (db: TestApp['db']) =>
  (
    await db.query<{
      session_id: string;
      relay_id: string | null;
      relay_hmac_key: string | null;
      relay_target: string | null;
      relay_skip_reason: string | null;
      events: string | null;
      webhook_format: string;
    }>('SELECT session_id, relay_id, relay_hmac_key, relay_target, relay_skip_reason, events, webhook_format FROM wa_sessions ORDER BY id')
  ).rows;
const providerCalls = () => sim.requests.filter((r) => r.path.startsWith('/admin/users') || r.path.startsWith('/session/'));
const readyRelay = async (t: TestApp) => (await t.app.inject({ url: '/ready' })).json().details?.relay as string | undefined;

describe('sessions created before relay mode', () => {
  it('are re-pointed in the background, once; a gone provider user is skipped; the customer URL keeps receiving', async () => {
    const store = await openTestStore();
    const direct = await gateway(store.db, false);
    const owner = await seedUser(direct.app, { max_sessions: 10 });
    const ids: string[] = [];
    const tokens: string[] = [];
    for (const [i, events] of ['Message', 'Message,QR', '', 'All', 'Message'].entries()) {
      const res = await direct.app.inject({
        method: 'POST',
        url: '/v1/sessions',
        headers: customer(owner.apiKey),
        payload: { session_name: `s${i}`, webhook_url: receiver.url, webhook_secret: SECRET, ...(events ? { events } : {}) },
      });
      expect(res.statusCode).toBe(201);
      ids.push(res.json().session.session_id);
      tokens.push(res.json().session.session_token);
    }
    await direct.close();
    expect(sim.findUserById(ids[0]!)!.webhook).toBe(receiver.url);
    // One session's provider user was removed behind the gateway's back.
    await fetch(`${sim.url}/admin/users/${ids[4]}/full`, { method: 'DELETE', headers: { authorization: SIM_ADMIN_TOKEN } });

    const t = await gateway(store.db, true);
    try {
      expect(await readyRelay(t)).toBeUndefined();
      // Not re-pointed yet, and already the relay's: the customer's key goes to its settings, not to genfity-wa.
      sim.clearRequests();
      const keyed = await t.app.inject({
        method: 'POST',
        url: '/v1/wa/session/hmac/config',
        headers: { token: tokens[1]! },
        payload: { hmac_key: SECRET },
      });
      expect(keyed.json()).toEqual({ Details: 'HMAC configuration saved successfully' });
      expect(sim.requests).toEqual([]);
      sim.setLatency(150, '/admin/users');
      t.deps.jobs.relayRepoint!.start();
      const progress = await waitFor(() => readyRelay(t), 'the re-pointing progress in /ready');
      expect(progress).toMatch(/^re-pointing \d\/5 sessions/);
      await t.deps.jobs.relayRepoint!.settled();
      sim.setLatency(0);
      expect(await readyRelay(t)).toBeUndefined();

      const rows = await relayRows(store.db);
      for (const [i, row] of rows.slice(0, 4).entries()) {
        const user = sim.findUserById(ids[i]!)!;
        expect(user.webhook).toBe(`${base}/webhook/wa/s/${row.relay_id}`);
        expect(row.relay_target).toBe(user.webhook);
        expect(user.hmacKeyActive).toBe(true);
        expect(box.decrypt(row.relay_hmac_key!)).toMatch(/^[0-9a-f]{64}$/);
        if (row.events !== 'All') expect(user.events.split(',')).toEqual(expect.arrayContaining(['Connected', 'LoggedOut', 'PairSuccess']));
        expect(row.webhook_format).toBe('provider');
      }
      expect(rows[2]!.events).toBe('Message,Connected,Disconnected,QR');
      expect(rows[4]).toMatchObject({ relay_target: null, relay_skip_reason: expect.stringMatching(/genfity-wa/) });

      // The customer's URL keeps receiving, through the relay, signed with its own secret.
      sim.pair(ids[0]!, { phone: '6281200000501' });
      sim.injectMessage(ids[0]!, { text: 'after the switch' });
      const [got] = await receiver.waitFor(1, { between: deliveryRound(t) });
      const posted = sim.deliveries.find((d) => d.eventType === 'Message' && d.target === 'user')!;
      expect(posted.url).toBe(sim.findUserById(ids[0]!)!.webhook);
      expect(got!.raw.equals(Buffer.from(posted.body))).toBe(true);
      expect(got!.headers['x-hmac-signature']).toBe(createHmac('sha256', SECRET).update(got!.raw).digest('hex'));
    } finally {
      await t.close();
    }

    // A second run (a restart) changes nothing and asks the provider nothing.
    sim.clearRequests();
    const again = await gateway(store.db, true);
    try {
      const before = await relayRows(store.db);
      again.deps.jobs.relayRepoint!.start();
      await again.deps.jobs.relayRepoint!.settled();
      expect(providerCalls()).toEqual([]);
      expect(await relayRows(store.db)).toEqual(before);
    } finally {
      await again.close();
      await store.close();
    }
    // Five sessions provisioned, re-pointed and followed through events: long on the embedded store of a busy machine.
  }, 90_000);

  it('a run stopped half-way is finished by the next, a half-done session included; one instance at a time', async () => {
    const store = await openTestStore();
    const direct = await gateway(store.db, false);
    const owner = await seedUser(direct.app, { max_sessions: 10 });
    const ids: string[] = [];
    for (let i = 0; i < 6; i += 1) {
      const res = await direct.app.inject({
        method: 'POST',
        url: '/v1/sessions',
        headers: customer(owner.apiKey),
        payload: { session_name: `h${i}`, webhook_url: receiver.url, events: 'Message' },
      });
      ids.push(res.json().session.session_id);
    }
    await direct.close();

    // The first instance dies half-way: its key was set for a session whose webhook was never pointed.
    const first = await gateway(store.db, true);
    sim.failNext('/admin/users', { status: 500, count: 1 });
    sim.setLatency(50, '/admin/users');
    first.deps.jobs.relayRepoint!.start();
    await waitFor(async () => (await relayRows(store.db)).filter((r) => r.relay_target).length >= 3, 'three sessions re-pointed');
    await first.deps.jobs.relayRepoint!.stop();
    sim.setLatency(0);
    const half = await relayRows(store.db);
    expect(half[0]).toMatchObject({ relay_id: expect.any(String), relay_target: null });
    expect(half.filter((r) => r.relay_target).length).toBeGreaterThanOrEqual(2);
    expect(half.filter((r) => r.relay_target).length).toBeLessThan(6);
    await first.close();

    // Two instances start together: one takes the job, the other waits, and every session is pointed once.
    sim.clearRequests();
    const a = await gateway(store.db, true);
    const b = await gateway(store.db, true, {}, undefined, false);
    try {
      a.deps.jobs.relayRepoint!.start();
      b.deps.jobs.relayRepoint!.start();
      await Promise.all([a.deps.jobs.relayRepoint!.settled(), b.deps.jobs.relayRepoint!.settled()]);
      const rows = await relayRows(store.db);
      expect(rows.every((r) => r.relay_target === `${base}/webhook/wa/s/${r.relay_id}`)).toBe(true);
      expect(rows[0]!.relay_id).toBe(half[0]!.relay_id);
      for (const [i, row] of rows.entries()) expect(sim.findUserById(ids[i]!)!.webhook).toBe(row.relay_target);
      const puts = sim.requests.filter((r) => r.method === 'PUT').map((r) => r.path);
      expect(new Set(puts).size).toBe(puts.length);
      expect(puts.length).toBe(6 - half.filter((r) => r.relay_target).length);
    } finally {
      await a.close();
      await b.close();
      await store.close();
    }
  });
});

describe(`an adopted Go database (${storeKind})`, () => {
  it('has its session pointed at the relay once genfity-wa is back, its events kept, its webhook_url receiving', async () => {
    const keys = legacyKeys();
    const { session_id: sessionId, session_token: token } = keys.sessions.usr_001!;
    sim.addUser({ id: sessionId, token, name: 'marketing-1', webhook: 'https://example.com/hook', events: 'Message,ReadReceipt' });
    const database = await createTestDatabase(storeKind);
    const db = await database.open();
    await loadLegacyDump(db);
    await runMigrations(db);
    await db.query('UPDATE wa_sessions SET webhook_url = $1', [receiver.url]);
    const t = await gateway(db, true, { INTERNAL_API_KEYS: keys.internal_api_keys }, '2026-11-25T12:00:00Z');
    try {
      // genfity-wa is away at first: the session is tried again after a pause, not given up on. The pause
      // before the next pass (seconds long; the one after a failed session is milliseconds) is held
      // while /ready is read, then let go once genfity-wa is back.
      sim.setDown(true);
      pauses.hold((ms) => ms >= 1_000);
      t.deps.jobs.relayRepoint!.start();
      await waitFor(pauses.paused, 'the re-pointing to pause before trying the session again');
      expect(await readyRelay(t)).toBe('re-pointing 0/1 sessions (1 to retry)');
      sim.setDown(false);
      pauses.release();
      await t.deps.jobs.relayRepoint!.settled();
      const [row] = await relayRows(db);
      const user = sim.findUserById(sessionId)!;
      expect(row).toMatchObject({ webhook_format: 'provider', events: 'Message,ReadReceipt', relay_skip_reason: null });
      expect(user.webhook).toBe(`${base}/webhook/wa/s/${row!.relay_id}`);
      expect(user.events.split(',')).toEqual(expect.arrayContaining(['Message', 'ReadReceipt', 'Connected', 'LoggedOut']));
      expect(user.hmacKeyActive).toBe(true);
      sim.pair(sessionId, { phone: '6281200000777' });
      sim.injectMessage(sessionId, { text: 'desa' });
      const [got] = await receiver.waitFor(1, { between: deliveryRound(t) });
      expect(String(got!.headers['content-type'])).toContain('x-www-form-urlencoded');
      expect(new URLSearchParams(got!.body).get('userID')).toBe(sessionId);
      expect(got!.headers['x-hmac-signature']).toBeUndefined();
    } finally {
      await t.close();
      await db.close();
      await database.drop();
    }
  });
});
