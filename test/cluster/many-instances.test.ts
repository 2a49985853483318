import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProviderSimulator, type ProviderSimulator } from '../../sim/provider-simulator.js';
import { startGatewayProcess, type GatewayProcess } from '../helpers/gateway-process.js';
import { createTestDatabase, type TestDatabase } from '../helpers/store.js';
import { waitFor } from '../helpers/wait.js';

// Issue 6 §5: two gateway processes on one PostgreSQL and one Redis behave as one gateway.
const ADMIN = 'cluster-admin-token';
const KEY = 'cluster-internal-key';
let database: TestDatabase;
let sim: ProviderSimulator;
let gateways: GatewayProcess[] = [];
/** RATE_LIMIT_EXEMPT_IPS: for the tests of other things that fire more than one tenant's budget at once. */
const EXEMPT = '198.51.100.250';
const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const REDIS_KEY_PREFIX = `gw-test-${randomBytes(4).toString('hex')}:`;
let ipCounter = 0;
const freshIp = () => {
  ipCounter += 1;
  return `203.0.113.${ipCounter % 250}`;
};

beforeAll(async () => {
  database = await createTestDatabase('postgres');
  sim = createProviderSimulator({ adminToken: ADMIN, connectStallMs: 0 });
  await sim.listen(0);
  const env = {
    DATABASE_URL: database.url!,
    REDIS_URL,
    REDIS_KEY_PREFIX,
    WA_SERVER_URL: sim.url,
    WA_ADMIN_TOKEN: ADMIN,
    INTERNAL_API_KEYS: KEY,
    ENCRYPTION_KEY: randomBytes(32).toString('hex'),
    TRUST_PROXY: '127.0.0.1',
    PUBLIC_RATE_LIMIT_MAX_REQUEST: '10',
    PUBLIC_RATE_LIMIT_WINDOW_SECONDS: '60',
    PUBLIC_SPAM_MAX_PER_10S: '8',
    PUBLIC_SPAM_BLOCK_MINUTES: '10',
    RATE_LIMIT_EXEMPT_IPS: EXEMPT,
    EXPIRY_SWEEP_CRON: '* * * * * *',
    LOG_LEVEL: 'debug',
  };
  gateways = [await startGatewayProcess(env), await startGatewayProcess(env)];
}, 120_000);

afterAll(async () => {
  for (const g of gateways) g.signal('SIGTERM');
  await Promise.all(gateways.map((g) => g.exited));
  await sim?.close();
  await database?.drop();
});

/** Requests alternate between the two instances, as a load balancer would send them. */
let turn = 0;
async function call(path: string, init: { method?: string; headers?: Record<string, string>; body?: unknown; ip?: string } = {}) {
  turn += 1;
  const gateway = gateways[turn % 2]!;
  const res = await fetch(`${gateway.url}${path}`, {
    method: init.method ?? 'GET',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': init.ip ?? freshIp(), ...init.headers },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });
  return { status: res.status, json: (await res.json().catch(() => null)) as Record<string, any> | null };
}

async function customerWith(plan: { max_sessions?: number; max_messages?: number; expires_at?: string }) {
  const userId = `cluster-${randomBytes(4).toString('hex')}`;
  const res = await call('/internal/users', {
    method: 'POST',
    headers: { 'x-internal-api-key': KEY },
    body: { user_id: userId, source: 'cluster', expires_at: '2099-01-01T00:00:00Z', ...plan },
  });
  return { userId, apiKey: res.json!.api_key as string };
}

describe('two instances, one gateway', () => {
  it("a tenant's budget is one across both, whatever its address; so is an address's budget for requests without a working key", async () => {
    const { apiKey, userId } = await customerWith({});
    const ip = '198.51.100.7';
    const tenant = [];
    const stranger = [];
    for (let i = 0; i < 8; i += 1) {
      tenant.push((await call('/v1/me', { headers: { 'x-api-key': apiKey } })).status);
      stranger.push((await call('/v1/me', { ip, headers: { 'x-api-key': 'gwa_x' } })).status);
    }
    // Past the 10 s spam window, inside the 60 s rate window: the spam counters (Redis keys with the
    // window as their lifetime) of the tenant and of the address have expired.
    const redis = new Redis(REDIS_URL);
    try {
      const spamKeys = [`${REDIS_KEY_PREFIX}user-spam:${userId}`, `${REDIS_KEY_PREFIX}spam:${ip}`];
      expect(await redis.exists(...spamKeys)).toBe(2);
      await waitFor(async () => (await redis.exists(...spamKeys)) === 0, {
        what: 'the spam window to end',
        timeoutMs: 12_000,
        intervalMs: 50,
      });
    } finally {
      redis.disconnect();
    }
    const over = [];
    for (let i = 0; i < 3; i += 1) {
      over.push(await call('/v1/me', { headers: { 'x-api-key': apiKey } }));
      stranger.push((await call('/v1/me', { ip, headers: { 'x-api-key': 'gwa_x' } })).status);
    }
    tenant.push(...over.map((r) => r.status));
    expect(tenant).toEqual([...Array(10).fill(200), 429]);
    expect(over[2]!.json).toEqual({ message: 'rate limit exceeded', code: 'RATE_LIMITED' });
    expect(stranger).toEqual([...Array(10).fill(401), 429]);
  }, 30_000);

  it('a spam block set through one instance holds on the other', async () => {
    const ip = '198.51.100.8';
    const answers = [];
    for (let i = 0; i < 10; i += 1) answers.push(await call('/v1/me', { ip, headers: { 'x-api-key': 'gwa_x' } }));
    expect(answers.map((a) => a.json?.code)).toContain('SPAM_DETECTED');
    for (const gateway of gateways) {
      const res = await fetch(`${gateway.url}/v1/me`, { headers: { 'x-forwarded-for': ip, 'x-api-key': 'gwa_x' } });
      expect(res.status).toBe(429);
      expect(((await res.json()) as { code: string }).code).toBe('IP_BLOCKED');
    }
  });

  it('behind a blocked address a tenant seen by one instance keeps working on the other, which never saw its key', async () => {
    const ip = '198.51.100.9';
    const { apiKey } = await customerWith({});
    const direct = (gateway: GatewayProcess, key: string) =>
      fetch(`${gateway.url}/v1/me`, { headers: { 'x-forwarded-for': ip, 'x-api-key': key } }).then(async (r) => ({
        status: r.status,
        code: ((await r.json()) as { code?: string }).code,
      }));
    expect((await direct(gateways[0]!, apiKey)).status).toBe(200);
    const guesses = [];
    for (let i = 0; i < 20; i += 1) guesses.push(await direct(gateways[i % 2]!, `gwa_guess_${i}`));
    expect(guesses.slice(9).map((g) => g.code)).toEqual(Array(11).fill('IP_BLOCKED'));
    // The guesses spent the address's few lookups: a key no instance has seen is refused unread...
    const { apiKey: unseen } = await customerWith({});
    expect(await direct(gateways[1]!, unseen)).toMatchObject({ status: 429, code: 'IP_BLOCKED' });
    // ...while the key instance 0 saw is recognised by instance 1 through Redis.
    expect(await direct(gateways[1]!, apiKey)).toMatchObject({ status: 200 });
    expect(await direct(gateways[0]!, apiKey)).toMatchObject({ status: 200 });
  });

  it('the session cap holds across both: 12 parallel creates with a cap of 3 make exactly 3', async () => {
    const { apiKey } = await customerWith({ max_sessions: 3 });
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        call('/v1/sessions', { method: 'POST', ip: EXEMPT, headers: { 'x-api-key': apiKey }, body: { session_name: `c${i}` } }),
      ),
    );
    expect(results.filter((r) => r.status === 201)).toHaveLength(3);
    expect(results.filter((r) => r.status === 403).every((r) => r.json!.code === 'SESSION_LIMIT_EXCEEDED')).toBe(true);
    expect((await call('/v1/sessions', { ip: EXEMPT, headers: { 'x-api-key': apiKey } })).json!.sessions).toHaveLength(3);
  });

  it('the message quota is exact across both: 40 parallel sends with 10 allowed → exactly 10 reach the provider', async () => {
    const { apiKey } = await customerWith({ max_messages: 10 });
    const created = await call('/v1/sessions', {
      method: 'POST',
      headers: { 'x-api-key': apiKey },
      body: { session_name: 'q', auto_connect: true },
    });
    const { session_id: sessionId, session_token: token } = created.json!.session;
    sim.pair(sessionId);
    sim.clearRequests();
    const results = await Promise.all(
      Array.from({ length: 40 }, () =>
        call('/v1/wa/chat/send/text', { method: 'POST', ip: EXEMPT, headers: { token }, body: { Phone: '6281234567890', Body: 'hi' } }),
      ),
    );
    expect(results.filter((r) => r.status === 200)).toHaveLength(10);
    expect(results.filter((r) => r.status === 429)).toHaveLength(30);
    expect(sim.requests.filter((r) => r.path === '/chat/send/text')).toHaveLength(10);
  });

  it('the expiry sweep runs once per tick, not once per instance', async () => {
    await customerWith({ expires_at: '2020-01-01T00:00:00Z' });
    const ran = () => gateways.flatMap((g) => g.logs).filter((l) => l.msg === 'subscriptions expired');
    const tickCounts = () => gateways.map((g) => g.logs.filter((l) => l.msg === 'expiry sweep tick').length);
    await waitFor(() => ran().length > 0, { what: 'a sweep expiring the subscription', timeoutMs: 10_000, intervalMs: 50 });
    // The marker: both instances tick twice more (and at least three times in all), and any of those
    // ticks would have expired it again had the sweep run per instance.
    const then = tickCounts();
    await waitFor(() => tickCounts().every((n, i) => n >= Math.max(then[i]! + 2, 3)), {
      what: 'both instances to tick twice more',
      timeoutMs: 10_000,
      intervalMs: 50,
    });
    expect(ran()).toHaveLength(1);
    expect(ran()[0]).toMatchObject({ expired: 1 });
    // Both instances fire every tick; for each tick exactly one of them did the work.
    const ticks = gateways.map((g) => g.logs.filter((l) => l.msg === 'expiry sweep tick'));
    expect(ticks.every((t) => t.length >= 3)).toBe(true);
    const worked = new Map<string, number>();
    for (const t of ticks.flat()) if (t.ran) worked.set(String(t.tick), (worked.get(String(t.tick)) ?? 0) + 1);
    expect(worked.size).toBeGreaterThanOrEqual(3);
    expect([...worked.values()].every((n) => n === 1)).toBe(true);
  }, 20_000);
});
