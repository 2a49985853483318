import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProviderSimulator, type ProviderSimulator } from '../../sim/provider-simulator.js';
import { freePort, startGatewayProcess, type GatewayProcess } from '../helpers/gateway-process.js';
import { createTestDatabase, storeKind, type TestDatabase } from '../helpers/store.js';
import { waitFor } from '../helpers/wait.js';

// Issue 12 §1, from the outside: the real process is restarted with GATEWAY_PUBLIC_URL set, killed
// (SIGKILL, no goodbye) half-way through re-pointing, started again — it finishes — and started a
// third time, when it changes nothing. Progress shows in /ready and in the logs. Runs on both stores.
const ADMIN_TOKEN = 'sim-admin-token-relay-switch';
const INTERNAL_KEY = 'relay-switch-internal-key';
const SESSIONS = 30;

let sim: ProviderSimulator;
let database: TestDatabase | null = null;
let dataDir: string;
let port = 0;
let base = '';
const ids: string[] = [];
const running: GatewayProcess[] = [];

function env(relay: boolean): Record<string, string> {
  return {
    WA_SERVER_URL: sim.url,
    WA_ADMIN_TOKEN: ADMIN_TOKEN,
    INTERNAL_API_KEYS: INTERNAL_KEY,
    DATA_DIR: dataDir,
    ...(database ? { DATABASE_URL: database.url! } : {}),
    PORT: String(port),
    PROVIDER_TIMEOUT_MS: '500',
    DB_QUERY_TIMEOUT_MS: '1000',
    RELAY_REPOINT_RATE: '10',
    WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true',
    PUBLIC_RATE_LIMIT_MAX_REQUEST: '100000',
    PUBLIC_SPAM_MAX_PER_10S: '100000',
    ...(relay ? { GATEWAY_PUBLIC_URL: base } : {}),
  };
}

async function start(relay: boolean) {
  const gateway = await startGatewayProcess(env(relay));
  running.push(gateway);
  return gateway;
}
async function stop(gateway: GatewayProcess, signal: NodeJS.Signals) {
  gateway.signal(signal);
  await gateway.exited;
}

async function call(method: string, path: string, headers: Record<string, string>, body?: object) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...headers },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  return { status: res.status, json: (await res.json()) as Record<string, any> };
}

const pointed = () => ids.filter((id) => sim.findUserById(id)!.webhook.startsWith(`${base}/webhook/wa/s/`)).length;
const repointCalls = () => sim.requests.filter((r) => r.method === 'PUT' || r.path === '/session/hmac/config').length;

beforeAll(async () => {
  sim = createProviderSimulator({ adminToken: ADMIN_TOKEN, connectStallMs: 50, webhookRetryCount: 1 });
  await sim.listen(0);
  dataDir = mkdtempSync(join(tmpdir(), 'gw-relay-switch-'));
  if (storeKind === 'postgres') database = await createTestDatabase('postgres');
  port = await freePort();
  base = `http://127.0.0.1:${port}`;
});

afterAll(async () => {
  for (const gateway of running) gateway.signal('SIGKILL');
  await Promise.all(running.map((g) => g.exited));
  await sim.close();
  await database?.drop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('switching the relay on (real process)', () => {
  it('sessions made in direct mode point at their customer URL', async () => {
    const gateway = await start(false);
    const user = await call(
      'POST',
      '/internal/users',
      { 'x-internal-api-key': INTERNAL_KEY },
      { user_id: 'switch-user', source: 'switch', expires_at: '2099-01-01T00:00:00Z', max_sessions: SESSIONS },
    );
    expect(user.status).toBe(200);
    for (let i = 0; i < SESSIONS; i += 1) {
      const created = await call(
        'POST',
        '/v1/sessions',
        { 'x-api-key': user.json.api_key as string },
        { session_name: `village-${i}`, webhook_url: `http://127.0.0.1:9/hook/${i}`, events: 'Message' },
      );
      expect(created.status).toBe(201);
      ids.push(created.json.session.session_id as string);
    }
    expect(pointed()).toBe(0);
    await stop(gateway, 'SIGTERM');
  }, 60_000);

  it('killed half-way through re-pointing, the next start finishes the job; progress is in /ready and the logs', async () => {
    sim.clearRequests();
    const first = await start(true);
    await first.waitForLog('relay: re-pointing sessions at the gateway');
    let detail = '';
    await waitFor(
      async () => {
        detail = (await call('GET', '/ready', {})).json.details?.relay ?? detail;
        return pointed() >= SESSIONS / 3;
      },
      { what: 'a third of the sessions re-pointed', timeoutMs: 30_000, intervalMs: 20 },
    );
    expect(detail).toMatch(new RegExp(`^re-pointing \\d+/${SESSIONS} sessions$`));
    await stop(first, 'SIGKILL');
    const half = pointed();
    expect(half).toBeGreaterThanOrEqual(SESSIONS / 3);
    expect(half).toBeLessThan(SESSIONS);

    sim.clearRequests();
    const second = await start(true);
    const done = await second.waitForLog('relay: every session points at the gateway', 60_000);
    expect(pointed()).toBe(SESSIONS);
    // The run that died may have left one session half-done (its key set, its webhook not): finished here.
    expect(sim.requests.filter((r) => r.method === 'PUT').length).toBeLessThanOrEqual(SESSIONS - half + 1);
    expect(done).toMatchObject({ total: expect.any(Number), pointed: expect.any(Number), skipped: 0 });
    expect(second.logs.some((l) => /^relay: re-pointed \d+\/\d+ sessions$/.test(String(l.msg)))).toBe(true);
    expect((await call('GET', '/ready', {})).json.details?.relay).toBeUndefined();
    await stop(second, 'SIGTERM');
  }, 90_000);

  it('a third start changes nothing', async () => {
    const webhooks = ids.map((id) => sim.findUserById(id)!.webhook);
    sim.clearRequests();
    const third = await start(true);
    const done = await third.waitForLog('relay: every session points at the gateway');
    expect(done).toMatchObject({ total: 0, pointed: 0 });
    expect(repointCalls()).toBe(0);
    expect(ids.map((id) => sim.findUserById(id)!.webhook)).toEqual(webhooks);
    await stop(third, 'SIGTERM');
  }, 60_000);
});
