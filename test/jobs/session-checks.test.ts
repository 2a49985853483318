import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createDeps } from '../../src/deps.js';
import { createLogger } from '../../src/lib/logger.js';
import { customer, TEST_ENCRYPTION_KEY, TEST_INTERNAL_KEYS } from '../helpers/app.js';
import { seedUser } from '../helpers/seed.js';
import { createAppWithSimulator, fileAppWithSimulator, SIM_ADMIN_TOKEN } from '../helpers/sim.js';

// SPEC §10 / issue 16 §2: reconciliation of stored state with genfity-wa's /session/status, against the
// simulator as a real server. Passes run on demand (`runPass`) with a manual clock; waits between calls
// are instant here, except where the rate and the concurrency themselves are measured.
const MINUTE = 60_000;
const instant = async () => undefined;
const logs: string[] = [];

const t = fileAppWithSimulator({
  env: { SESSION_CHECK_INTERVAL: '1m', LOG_LEVEL: 'warn' },
  overrides: { sleep: instant, logger: createLogger('warn', { write: (line: string) => void logs.push(line) }) },
});
beforeEach(async () => {
  // Each test counts its own sessions' checks: the ones of earlier tests (unknown to a reset simulator) go.
  await t.db.query('DELETE FROM wa_sessions');
  t.sim.reset();
  logs.splice(0);
});

/** A customer with `n` sessions made through the API; `paired` links them on the simulator. */
async function sessions(n: number, paired = true) {
  const owner = await seedUser(t.app, { max_sessions: n });
  const ids: string[] = [];
  for (let i = 0; i < n; i += 1) {
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/sessions',
      headers: customer(owner.apiKey),
      payload: { session_name: `s${i}`, auto_connect: paired },
    });
    expect(res.statusCode).toBe(201);
    ids.push(res.json().session.session_id);
    if (paired) t.sim.pair(res.json().session.session_id, { phone: `62812000${String(i).padStart(5, '0')}` });
  }
  return { ...owner, ids };
}
const view = async (apiKey: string, id: string) =>
  ((await t.app.inject({ url: '/v1/sessions', headers: customer(apiKey) })).json().sessions as Array<Record<string, any>>).find(
    (s) => s.session_id === id,
  )!;
const statusCalls = () => t.sim.requests.filter((r) => r.path === '/session/status');
/** The next tick: every session is due again. */
const nextTick = () => t.clock.advance(MINUTE);

describe('reconciliation: stored state follows the provider', () => {
  it('asks each session once per tick, and what the provider says becomes the stored state and health', async () => {
    const { apiKey, ids } = await sessions(2);
    const [a, b] = ids as [string, string];
    expect((await view(apiKey, a)).health).toBe('unknown');
    nextTick();
    const pass = await t.deps.sessionChecks.runPass();
    expect(pass).toMatchObject({ kind: 'finished' });
    for (const id of ids) expect(await view(apiKey, id)).toMatchObject({ health: 'healthy', connected: true, logged_in: true });
    expect((await view(apiKey, a)).last_checked_at).toBe(t.clock.now().toISOString());
    // The tick is done, on every instance: a second pass in it asks nothing.
    const asked = statusCalls().length;
    expect(await t.deps.sessionChecks.runPass()).toMatchObject({ kind: 'done' });
    expect(statusCalls()).toHaveLength(asked);

    // The connection is lost without a word (no Disconnected webhook): the next tick finds it.
    t.sim.drop(a);
    nextTick();
    expect(await t.deps.sessionChecks.runPass()).toMatchObject({ kind: 'finished', counts: { changed: 1, unchanged: 1 } });
    expect(await view(apiKey, a)).toMatchObject({ health: 'disconnected', connected: false, status: 'disconnected' });
    expect((await view(apiKey, b)).health).toBe('healthy');

    // Reconnected through the gateway (a paired device logs straight back in): the next check says so.
    const token = (await view(apiKey, a)).session_token as string;
    await t.app.inject({ method: 'POST', url: '/wa/session/connect', headers: { token }, payload: { Immediate: true } });
    nextTick();
    await t.deps.sessionChecks.runPass();
    expect(await view(apiKey, a)).toMatchObject({ health: 'healthy', connected: true });
  });

  it('a session the provider does not know (its token refused) becomes "unknown", its state kept', async () => {
    const { apiKey, ids } = await sessions(1);
    nextTick();
    await t.deps.sessionChecks.runPass();
    const res = await fetch(`${t.sim.url}/admin/users/${ids[0]}/full`, { method: 'DELETE', headers: { authorization: SIM_ADMIN_TOKEN } });
    expect(res.status).toBe(200);
    nextTick();
    expect(await t.deps.sessionChecks.runPass()).toMatchObject({ kind: 'finished', counts: { unknown_session: 1 } });
    expect(await view(apiKey, ids[0]!)).toMatchObject({ health: 'unknown', connected: true });
  });
});

describe('reconciliation: faults', () => {
  it('a provider that is down marks nothing; the sessions are asked again until it answers', async () => {
    const { apiKey, ids } = await sessions(2);
    nextTick();
    await t.deps.sessionChecks.runPass();
    const before = await view(apiKey, ids[0]!);
    t.sim.setDown(true);
    nextTick();
    expect(await t.deps.sessionChecks.runPass()).toMatchObject({ kind: 'incomplete', counts: { unreachable: 2 } });
    expect(await view(apiKey, ids[0]!)).toMatchObject({ health: 'healthy', last_checked_at: before.last_checked_at });
    t.sim.drop(ids[0]!);
    t.sim.setDown(false);
    // Same tick, not recorded as done: the next pass asks the two sessions again.
    expect(await t.deps.sessionChecks.runPass()).toMatchObject({ kind: 'finished', checked: 2 });
    expect((await view(apiKey, ids[0]!)).health).toBe('disconnected');
  });

  it('a garbage answer leaves the state as it was, is logged and counted', async () => {
    const { apiKey, ids } = await sessions(2);
    nextTick();
    await t.deps.sessionChecks.runPass();
    t.sim.drop(ids[0]!);
    t.sim.setStatusFault(ids[0]!, { mode: 'garbage' });
    const before = await view(apiKey, ids[0]!);
    nextTick();
    expect(await t.deps.sessionChecks.runPass()).toMatchObject({ kind: 'finished', counts: { garbage: 1, unchanged: 1 } });
    expect(await view(apiKey, ids[0]!)).toMatchObject({ health: 'healthy', connected: true, last_checked_at: before.last_checked_at });
    const logged = logs.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.outcome === 'garbage');
    expect(logged).toEqual([expect.objectContaining({ session_id: ids[0], level: 40 })]);
    const metrics = (await t.app.inject({ url: '/metrics' })).body;
    expect(metrics).toMatch(/wa_gateway_session_checks_total\{outcome="garbage"\} [1-9]/);
    // An answer that parses but says nothing about the connection is garbage too.
    t.sim.setStatusFault(ids[0]!, null);
    t.sim.failNext('/session/status', { status: 200, body: { code: 200, success: true, data: { connected: 'yes' } } });
    nextTick();
    expect(await t.deps.sessionChecks.runPass()).toMatchObject({ counts: { garbage: 1 } });
  });
});

describe('reconciliation: one instance at a time', () => {
  it('two gateways on one store: one does the pass, the other leaves it, and each session is asked once', async () => {
    const { ids } = await sessions(3);
    const config = loadConfig({
      INTERNAL_API_KEYS: TEST_INTERNAL_KEYS,
      LOG_LEVEL: 'silent',
      WA_SERVER_URL: t.sim.url,
      WA_ADMIN_TOKEN: SIM_ADMIN_TOKEN,
      SESSION_CHECK_INTERVAL: '1m',
    });
    const other = await createDeps(config, { db: t.db, clock: t.clock, sleep: instant, encryptionKey: TEST_ENCRYPTION_KEY });
    try {
      nextTick();
      t.sim.clearRequests();
      const passes = await Promise.all([t.deps.sessionChecks.runPass(), other.sessionChecks.runPass()]);
      expect(passes.map((p) => p.kind).sort()).toEqual(['elsewhere', 'finished']);
      const asked = statusCalls().map((r) => r.headers.token);
      expect(asked.length).toBeGreaterThanOrEqual(ids.length);
      expect(new Set(asked).size).toBe(asked.length);
      // The tick is recorded: neither starts it again.
      expect((await other.sessionChecks.runPass()).kind).toBe('done');
    } finally {
      await other.close();
    }
  });
});

describe('reconciliation: bounded', () => {
  let paced: Awaited<ReturnType<typeof createAppWithSimulator>>;
  afterEach(async () => {
    await paced?.close();
  });

  /** An app whose waits are real: the pace is what is measured. */
  async function pacedApp(env: Record<string, string>, n: number) {
    paced = await createAppWithSimulator({ env: { SESSION_CHECK_INTERVAL: '1s', ...env } });
    const owner = await seedUser(paced.app, { max_sessions: n });
    const ids: string[] = [];
    for (let i = 0; i < n; i += 1) {
      const res = await paced.app.inject({
        method: 'POST',
        url: '/v1/sessions',
        headers: customer(owner.apiKey),
        payload: { session_name: `p${i}` },
      });
      ids.push(res.json().session.session_id);
    }
    paced.clock.advance(1_000);
    paced.sim.clearRequests();
    return ids;
  }
  const calls = () => paced.sim.requests.filter((r) => r.path === '/session/status');

  it('at most SESSION_CHECK_RATE calls in any second', async () => {
    await pacedApp({ SESSION_CHECK_RATE: '10' }, 25);
    expect(await paced.deps.sessionChecks.runPass()).toMatchObject({ kind: 'finished', checked: 25 });
    const at = calls().map((r) => r.at);
    expect(at).toHaveLength(25);
    const busiest = Math.max(...at.map((start) => at.filter((x) => x >= start && x < start + 1_000).length));
    // Starts are paced 100 ms apart; a little network jitter may bring one arrival into the window.
    expect(busiest).toBeLessThanOrEqual(11);
    expect(at.at(-1)! - at[0]!).toBeGreaterThanOrEqual(2_200);
  });

  it('at most SESSION_CHECK_CONCURRENCY calls in flight, however slow the provider', async () => {
    const ids = await pacedApp({ SESSION_CHECK_RATE: '1000', SESSION_CHECK_CONCURRENCY: '3' }, 12);
    for (const id of ids) paced.sim.setStatusFault(id, { mode: 'slow', delayMs: 150 });
    expect(await paced.deps.sessionChecks.runPass()).toMatchObject({ kind: 'finished', checked: 12 });
    const spans = calls().map((r) => [r.at, r.answeredAt!] as const);
    const overlap = Math.max(...spans.map(([start]) => spans.filter(([s, e]) => s <= start && e > start).length));
    expect(overlap).toBeLessThanOrEqual(3);
    expect(overlap).toBeGreaterThanOrEqual(2);
  });

  it('spreads a pass over the interval rather than asking everything at once', async () => {
    await pacedApp({ SESSION_CHECK_RATE: '1000' }, 4);
    await paced.deps.sessionChecks.runPass();
    const at = calls().map((r) => r.at);
    // 80 % of 1 s over 4 sessions: 200 ms apart.
    for (let i = 1; i < at.length; i += 1) expect(at[i]! - at[i - 1]!).toBeGreaterThanOrEqual(180);
  });
});
