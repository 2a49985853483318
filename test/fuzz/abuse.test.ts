import { Pool } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OTHER_SCOPED_KEY, SCOPED_KEY } from '../helpers/app.js';
import { seedUser } from '../helpers/seed.js';
import { createAppWithSimulator, SIM_ADMIN_TOKEN } from '../helpers/sim.js';
import { openTestStore } from '../helpers/store.js';
import { createRandom, randomBody, randomMethod, randomPath } from './generators.js';

// Issue 6 §6: at least 10,000 generated requests against every route family. Bounded: a fixed seed,
// a fixed count, 25 at a time; the same requests every run.
const COUNT = 10_000;
let t: Awaited<ReturnType<typeof createAppWithSimulator>>;
let store: Awaited<ReturnType<typeof openTestStore>>;
let pool: Pool;
let victim: { userId: string; apiKey: string; sessionId: string; token: string };
let attacker: { userId: string; apiKey: string; sessionId: string; token: string };

async function tenant(source: string) {
  const user = await seedUser(t.app, { source, max_sessions: 50 });
  const res = await t.app.inject({
    method: 'POST',
    url: '/v1/sessions',
    headers: { 'x-api-key': user.apiKey },
    payload: { session_name: `${source}-main`, webhook_url: 'https://hooks.example.com/keep', auto_connect: true },
  });
  const { session_id: sessionId, session_token: token } = res.json().session;
  t.sim.pair(sessionId);
  return { ...user, sessionId, token };
}

async function victimState() {
  const { rows } = await t.db.query(
    'SELECT session_id, session_name, webhook_url, webhook_secret, auto_read_enabled, typing_enabled FROM wa_sessions WHERE user_id = $1 ORDER BY id',
    [victim.userId],
  );
  const user = await t.db.query('SELECT source_service, status, customer_api_key FROM wa_service_users WHERE id = $1', [victim.userId]);
  const sub = await t.db.query('SELECT max_sessions, max_messages, expires_at, status FROM wa_user_subscriptions WHERE user_id = $1', [
    victim.userId,
  ]);
  return JSON.stringify({ sessions: rows, user: user.rows, sub: sub.rows });
}

beforeAll(async () => {
  store = await openTestStore('postgres');
  t = await createAppWithSimulator({
    db: store.db,
    env: { GATEWAY_MAX_BODY_BYTES: '65536', GATEWAY_PUBLIC_URL: 'http://127.0.0.1:9', WA_GLOBAL_HMAC_KEY: 'g'.repeat(40) },
  });
  victim = await tenant('victim');
  attacker = await tenant('app');
  // Real HTTP, paths sent byte for byte: an injected request would be tidied up before it arrived.
  pool = new Pool(await t.app.listen({ port: 0, host: '127.0.0.1' }), { connections: 25 });
}, 60_000);
afterAll(async () => {
  await pool.close();
  await t.close();
  await store.close();
});

async function send(method: string, path: string, headers: Record<string, string>, payload: string | undefined) {
  const res = await pool.request({ method: method as 'GET', path, headers, ...(payload === undefined ? {} : { body: payload }) });
  return { statusCode: res.statusCode, body: await res.body.text() };
}

describe('fuzz and abuse', () => {
  it(`${COUNT} generated requests: no 5xx of the gateway's own, no cross-tenant read or write, nothing reaches provider admin routes`, async () => {
    const before = await victimState();
    const r = createRandom(20261125);
    const ids = [victim.sessionId, victim.userId, attacker.sessionId, attacker.userId, 'ghost', '1', '-1', '%00'];
    // Attackers hold their own credentials, wrong ones, or none; never the victim's.
    const credentials: Array<Record<string, string>> = [
      {},
      { 'x-api-key': attacker.apiKey },
      { 'x-api-key': 'gwa_wrong' },
      { token: attacker.token },
      { token: 'wat_wrong' },
      { authorization: `Bearer ${attacker.token}` },
      { authorization: SIM_ADMIN_TOKEN },
      { 'x-internal-api-key': OTHER_SCOPED_KEY },
      { 'x-internal-api-key': SCOPED_KEY },
      { 'x-internal-api-key': 'nope' },
      { 'x-hmac-signature': 'ab'.repeat(32) },
      { 'x-forwarded-for': '10.0.0.1, 1.2.3.4' },
    ];
    const counts = new Map<number, number>();
    const problems: string[] = [];
    t.sim.clearRequests();
    for (let done = 0; done < COUNT; done += 25) {
      await Promise.all(
        Array.from({ length: 25 }, async () => {
          const method = randomMethod(r);
          const url = randomPath(r, ids);
          const body = method === 'GET' || method === 'HEAD' ? {} : randomBody(r, ids);
          const headers: Record<string, string> = {
            ...r.pick(credentials),
            ...(body.contentType ? { 'content-type': body.contentType } : {}),
          };
          const res = await send(method, url, headers, body.payload);
          counts.set(res.statusCode, (counts.get(res.statusCode) ?? 0) + 1);
          const relayedProviderError = res.statusCode >= 500 && /"success":/.test(res.body);
          if (res.statusCode >= 500 && !relayedProviderError)
            problems.push(`${res.statusCode} ${method} ${url}: ${res.body.slice(0, 120)}`);
          if (res.statusCode < 300 && (res.body.includes(victim.token) || res.body.includes(victim.sessionId)))
            problems.push(`victim data in ${method} ${url}`);
        }),
      );
    }
    expect(problems).toEqual([]);
    expect(await victimState()).toBe(before);
    const admin = t.sim.requests.filter((q) => q.path.toLowerCase().startsWith('/admin'));
    expect(admin.filter((q) => q.headers.authorization !== SIM_ADMIN_TOKEN || q.headers.token !== undefined)).toEqual([]);
    expect(admin.filter((q) => q.path.includes(victim.sessionId))).toEqual([]);
    expect(t.sim.requests.filter((q) => q.headers.token === victim.token)).toEqual([]);
    expect([...counts.values()].reduce((a, b) => a + b, 0)).toBe(COUNT);
    process.stdout.write(
      `fuzz: ${COUNT} requests, statuses ${JSON.stringify(Object.fromEntries([...counts].sort((a, b) => a[0] - b[0])))}\n`,
    );
  }, 300_000);
});
