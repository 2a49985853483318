import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { createProviderSimulator, type ProviderSimulator } from '../../sim/provider-simulator.js';
import { startGatewayProcess, type GatewayProcess } from './gateway-process.js';
import { createTestDatabase, type TestDatabase } from './store.js';
import { createTcpProxy } from './tcp-proxy.js';
import { waitFor } from './wait.js';

export const CLUSTER_ADMIN = 'cluster-admin-token';
export const CLUSTER_KEY = 'cluster-internal-key';
const REDIS = new URL(process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379');

export interface Answer {
  status: number;
  headers: Headers;
  text: string;
  json: Record<string, any> | null;
  ms: number;
}

/**
 * Real gateway processes on one fresh PostgreSQL database and one simulator, with or without Redis (then
 * reached through a TCP proxy the test can stop). `start` adds an instance; `call` is one HTTP request.
 */
export async function startCluster(options: { redis: boolean; instances?: number; env?: Record<string, string> }) {
  const database: TestDatabase = await createTestDatabase('postgres');
  const sim: ProviderSimulator = createProviderSimulator({ adminToken: CLUSTER_ADMIN, connectStallMs: 0, webhookRetryCount: 1 });
  await sim.listen(0);
  const redisProxy = options.redis ? await createTcpProxy({ host: REDIS.hostname, port: Number(REDIS.port || 6379) }) : null;
  const env: Record<string, string> = {
    DATABASE_URL: database.url!,
    ...(redisProxy
      ? { REDIS_URL: `redis://127.0.0.1:${redisProxy.port}`, REDIS_KEY_PREFIX: `gw-test-${randomBytes(4).toString('hex')}:` }
      : {}),
    WA_SERVER_URL: sim.url,
    WA_ADMIN_TOKEN: CLUSTER_ADMIN,
    INTERNAL_API_KEYS: CLUSTER_KEY,
    ENCRYPTION_KEY: randomBytes(32).toString('hex'),
    PUBLIC_RATE_LIMIT_MAX_REQUEST: '1000000',
    PUBLIC_SPAM_MAX_PER_10S: '1000000',
    ...options.env,
  };
  const gateways: GatewayProcess[] = [];
  const start = async () => {
    const g = await startGatewayProcess(env);
    gateways.push(g);
    return g;
  };
  await Promise.all(Array.from({ length: options.instances ?? 2 }, start));

  async function call(g: GatewayProcess, path: string, init: { method?: string; headers?: Record<string, string>; body?: unknown } = {}) {
    const started = Date.now();
    const res = await fetch(`${g.url}${path}`, {
      method: init.method ?? 'GET',
      headers: { 'content-type': 'application/json', ...init.headers },
      ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
    });
    const text = await res.text();
    let json: Record<string, any> | null = null;
    try {
      json = JSON.parse(text) as Record<string, any>;
    } catch {
      json = null;
    }
    return { status: res.status, headers: res.headers, text, json, ms: Date.now() - started } satisfies Answer;
  }

  /** A customer with a plan, created through the internal API of the first instance. */
  async function customer(plan: Record<string, unknown> = {}) {
    const userId = `cluster-${randomBytes(4).toString('hex')}`;
    const res = await call(gateways[0]!, '/internal/users', {
      method: 'POST',
      headers: { 'x-internal-api-key': CLUSTER_KEY },
      body: { user_id: userId, source: 'cluster', expires_at: '2099-01-01T00:00:00Z', max_sessions: 10, ...plan },
    });
    return { userId, apiKey: res.json!.api_key as string };
  }

  /** A session created through `g` (auto-connected and paired unless told otherwise). */
  async function session(g: GatewayProcess, apiKey: string, pair = true) {
    const res = await call(g, '/v1/sessions', {
      method: 'POST',
      headers: { 'x-api-key': apiKey },
      body: { session_name: 's', auto_connect: pair },
    });
    if (res.status !== 201) throw new Error(`session create: ${res.status} ${res.text}`);
    const { session_id: sessionId, session_token: token } = res.json!.session as { session_id: string; session_token: string };
    if (pair) sim.pair(sessionId);
    return { sessionId, token };
  }

  /** Runs SQL as the test, on the cluster's database. */
  async function sql(text: string) {
    const client = new pg.Client({ connectionString: database.url! });
    await client.connect();
    try {
      return (await client.query(text)).rows as Array<Record<string, unknown>>;
    } finally {
      await client.end();
    }
  }

  async function stop() {
    for (const g of gateways) g.signal('SIGTERM');
    await Promise.all(gateways.map((g) => g.exited));
    await redisProxy?.stop().catch(() => undefined);
    await sim.close();
    await database.drop();
  }

  return { sim, database, gateways, redisProxy, start, call, customer, session, sql, stop };
}
export type Cluster = Awaited<ReturnType<typeof startCluster>>;

/** Probes until `done` says so, failing past `ms` with the last answer; resolves with that answer and the time it took. */
export async function until<T>(probe: () => Promise<T>, done: (value: T) => boolean, ms = 5_000) {
  const started = Date.now();
  let value: T | undefined;
  const answered = async () => {
    value = await probe();
    return done(value);
  };
  await waitFor(answered, {
    what: () => `the probed answer to change (last: ${JSON.stringify(value).slice(0, 300)})`,
    timeoutMs: ms,
  });
  return { value: value as T, ms: Date.now() - started };
}
