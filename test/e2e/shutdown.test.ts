import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { connect } from 'node:net';
import { join } from 'node:path';
import { Pool } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProviderSimulator, type ProviderSimulator } from '../../sim/provider-simulator.js';
import type { Db } from '../../src/store/index.js';
import { openPglite } from '../../src/store/pglite.js';
import { startGatewayProcess, type GatewayProcess } from '../helpers/gateway-process.js';
import { createTestDatabase, storeKind, type TestDatabase } from '../helpers/store.js';
import { waitFor } from '../helpers/wait.js';

// Issue 7 §5 and SPEC §7: on SIGTERM the real process stops accepting, drains the requests in flight,
// flushes statistics and hands leased quota back before it exits. Proven from the outside: the
// process under load, a signal mid-way, then the database after exit. Runs on both stores.
const ADMIN_TOKEN = 'sim-admin-token-shutdown';
const INTERNAL_KEY = 'shutdown-internal-key';
const SEND_LATENCY_MS = 400;

interface Outcome {
  wave: 'before' | 'after';
  status: number | null;
  error: string | null;
  at: number;
}

let sim: ProviderSimulator;
let database: TestDatabase | null = null;
let dataDir: string;
let gateway: GatewayProcess;
let client: Pool;

beforeAll(async () => {
  sim = createProviderSimulator({ adminToken: ADMIN_TOKEN, connectStallMs: 50, webhookRetryCount: 1 });
  await sim.listen(0);
  dataDir = mkdtempSync(join(tmpdir(), 'gw-shutdown-'));
  if (storeKind === 'postgres') database = await createTestDatabase('postgres');
  gateway = await startGatewayProcess({
    WA_SERVER_URL: sim.url,
    WA_ADMIN_TOKEN: ADMIN_TOKEN,
    INTERNAL_API_KEYS: INTERNAL_KEY,
    DATA_DIR: dataDir,
    ...(database ? { DATABASE_URL: database.url! } : {}),
    SHUTDOWN_TIMEOUT_MS: '10000',
    PUBLIC_RATE_LIMIT_MAX_REQUEST: '100000',
    PUBLIC_SPAM_MAX_PER_10S: '100000',
  });
  client = new Pool(gateway.url, { connections: 200 });
});

afterAll(async () => {
  gateway.signal('SIGKILL');
  await client.close();
  await sim.close();
  await database?.drop();
  rmSync(dataDir, { recursive: true, force: true });
});

async function call(method: 'GET' | 'POST', path: string, headers: Record<string, string>, body?: object) {
  const res = await client.request({
    method,
    path,
    headers: { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.statusCode, json: (await res.body.json()) as Record<string, any> };
}

/** A user with a 1000-message plan and a paired session, made through the API as a real caller would. */
async function pairedSession() {
  const user = await call(
    'POST',
    '/internal/users',
    { 'x-internal-api-key': INTERNAL_KEY },
    { user_id: 'shutdown-user', source: 'load', expires_at: '2099-01-01T00:00:00Z', max_sessions: 1, max_messages: 1000 },
  );
  expect(user.status).toBe(200);
  const created = await call(
    'POST',
    '/v1/sessions',
    { 'x-api-key': user.json.api_key as string },
    { session_name: 'load', auto_connect: true },
  );
  expect(created.status).toBe(201);
  const { session_id: sessionId, session_token: token } = created.json.session as { session_id: string; session_token: string };
  sim.pair(sessionId, { phone: '6281200000001' });
  return { userId: 'shutdown-user', sessionId, token };
}

async function send(token: string, wave: Outcome['wave'], i: number): Promise<Outcome> {
  try {
    const res = await client.request({
      method: 'POST',
      path: '/v1/wa/chat/send/text',
      headers: { token, 'content-type': 'application/json' },
      body: JSON.stringify({ Phone: '6281234567890', Body: `load ${wave} ${i}` }),
    });
    await res.body.dump();
    return { wave, status: res.statusCode, error: null, at: Date.now() };
  } catch (error) {
    return { wave, status: null, error: (error as { code?: string }).code ?? String(error), at: Date.now() };
  }
}

const sendsSeen = () => sim.requests.filter((r) => r.path === '/chat/send/text').length;

/** True once the gateway refuses a new connection: its listener is closed, it is draining. */
const refusesConnections = () =>
  new Promise<boolean>((resolve) => {
    const socket = connect(Number(new URL(gateway.url).port), '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(true));
  });

/** The counters as the database holds them once the process is gone. */
async function countersAfterExit(userId: string, sessionId: string) {
  const db: Db = database ? await database.open() : await openPglite(join(dataDir, 'pgdata'));
  try {
    const sent = await db.query<{ n: number }>(
      'SELECT COALESCE(sum(total_sent), 0) AS n FROM wa_session_message_stats WHERE session_id = $1',
      [sessionId],
    );
    const used = await db.query<{ n: number }>('SELECT messages_used AS n FROM wa_user_subscriptions WHERE user_id = $1', [userId]);
    return { totalSent: Number(sent.rows[0]!.n), messagesUsed: Number(used.rows[0]!.n) };
  } finally {
    await db.close();
  }
}

describe('graceful shutdown (real process)', () => {
  it('SIGTERM under load: every accepted send is answered, late ones are refused cleanly, no counter is lost', async () => {
    const { userId, sessionId, token } = await pairedSession();
    sim.setLatency(SEND_LATENCY_MS, '/chat/send');
    sim.clearRequests();

    // 60 sends in flight: the signal comes once every one of them waits on the (slow) provider.
    const before = Array.from({ length: 60 }, (_, i) => send(token, 'before', i));
    await waitFor(() => sendsSeen() === 60, { what: 'the 60 sends at the provider', timeoutMs: 10_000 });
    const signalledAt = Date.now();
    gateway.signal('SIGTERM');
    await gateway.waitForLog('shutting down');
    await waitFor(refusesConnections, 'the gateway to stop accepting connections');
    // 40 more once the gateway is closing: refused (connection refused or 503), never half-answered.
    const after = Array.from({ length: 40 }, (_, i) => send(token, 'after', i));
    const outcomes = await Promise.all([...before, ...after]);

    expect(await gateway.exited).toBe(0);
    const messages = gateway.logs.map((l) => l.msg);
    expect(messages).toContain('shut down cleanly');
    expect(messages, 'drained before the deadline: no connection was cut').not.toContain(
      'drain deadline passed; closing the connections still open',
    );
    const early = outcomes.filter((o) => o.wave === 'before');
    expect(
      early.map((o) => o.status),
      'every send accepted before the signal is answered',
    ).toEqual(early.map(() => 200));
    expect(early.filter((o) => o.at > signalledAt).length, 'answers given while draining').toBeGreaterThan(0);
    for (const late of outcomes.filter((o) => o.wave === 'after')) {
      const refused = late.error === 'ECONNREFUSED' || late.status === 503 || late.status === 200;
      expect(refused, `late send: ${JSON.stringify(late)}`).toBe(true);
    }
    const ok = outcomes.filter((o) => o.status === 200).length;
    expect(sendsSeen(), 'the provider saw exactly the answered sends').toBe(ok);
    expect(await countersAfterExit(userId, sessionId)).toEqual({ totalSent: ok, messagesUsed: ok });
  });
});
