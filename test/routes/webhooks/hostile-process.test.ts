import { mkdtempSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProviderSimulator, type ProviderSimulator } from '../../../sim/provider-simulator.js';
import { startGatewayProcess, type GatewayProcess } from '../../helpers/gateway-process.js';
import { startHostileReceiver, type HostileReceiver } from '../../helpers/hostile-receivers.js';
import { createTestDatabase, storeKind, type TestDatabase } from '../../helpers/store.js';
import { waitFor } from '../../helpers/wait.js';

// Issue 11 §1 and §2, proven on the real process from the outside: a deadline on the client and the
// resident memory read from /proc. Margins are generous; the defects cost gigabytes and never ended.
const ADMIN_TOKEN = 'sim-admin-token-hostile';
const INTERNAL_KEY = 'hostile-internal-key';
const GLOBAL_HMAC = 'hostile-global-hmac-key-0123456789abcdef';
const TIMEOUT_MS = 2_000;
const MB = 1024 * 1024;

let sim: ProviderSimulator;
let database: TestDatabase | null = null;
let dataDir: string;
let gateway: GatewayProcess;
let endless: HostileReceiver;

beforeAll(async () => {
  sim = createProviderSimulator({ adminToken: ADMIN_TOKEN, connectStallMs: 50, webhookRetryCount: 1 });
  await sim.listen(0);
  endless = await startHostileReceiver('endless');
  dataDir = mkdtempSync(join(tmpdir(), 'gw-hostile-'));
  if (storeKind === 'postgres') database = await createTestDatabase('postgres');
  gateway = await startGatewayProcess({
    WA_SERVER_URL: sim.url,
    WA_ADMIN_TOKEN: ADMIN_TOKEN,
    INTERNAL_API_KEYS: INTERNAL_KEY,
    DATA_DIR: dataDir,
    ...(database ? { DATABASE_URL: database.url! } : {}),
    WA_GLOBAL_HMAC_KEY: GLOBAL_HMAC,
    WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true',
    WEBHOOK_TIMEOUT_MS: String(TIMEOUT_MS),
    WEBHOOK_RETRY_SCHEDULE: '1h',
    PUBLIC_RATE_LIMIT_MAX_REQUEST: '100000',
    PUBLIC_SPAM_MAX_PER_10S: '100000',
  });
});

afterAll(async () => {
  gateway?.signal('SIGKILL');
  await gateway?.exited;
  await endless?.close();
  await sim?.close();
  await database?.drop();
  rmSync(dataDir, { recursive: true, force: true });
});

async function call(method: string, path: string, headers: Record<string, string>, body?: object) {
  const res = await fetch(`${gateway.url}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...headers },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  return { status: res.status, json: (await res.json()) as Record<string, any> };
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The gateway's peak RSS growth while `work` runs (a process that died counts as unbounded). */
async function peakGrowthWhile<T>(work: Promise<T>): Promise<{ value: T; growthMb: number }> {
  const baseline = gateway.rssBytes();
  let peak = baseline;
  let settled = false;
  const sampler = (async () => {
    while (!settled) {
      try {
        peak = Math.max(peak, gateway.rssBytes());
      } catch {
        peak = Number.POSITIVE_INFINITY;
      }
      await pause(50);
    }
  })();
  try {
    return { value: await work, growthMb: (peak - baseline) / MB };
  } finally {
    settled = true;
    await sampler;
  }
}

/** A body of empty JSON objects: cheap to send, very expensive to parse (≈ 1.4 GB and 25 s for 50 MB: the case). */
function hugeJson(bytes: number): Buffer {
  return Buffer.from(`{"type":"Message","event":[${'{},'.repeat(Math.floor(bytes / 3))}{}]}`);
}

/** Posts a large body; resolves with the status, or with the error when the gateway closed on it. */
function postLarge(path: string, headers: Record<string, string>, body: Buffer, deadlineMs: number) {
  return new Promise<{ status: number | null; error: string | null; ms: number }>((resolve) => {
    const started = Date.now();
    const finish = (status: number | null, error: string | null) => resolve({ status, error, ms: Date.now() - started });
    const req = httpRequest(`${gateway.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-length': String(body.length), ...headers },
      timeout: deadlineMs,
    });
    req.on('response', (res) => {
      res.resume();
      finish(res.statusCode ?? null, null);
    });
    req.on('timeout', () => req.destroy(new Error('client deadline passed')));
    req.on('error', (error) => finish(null, error.message));
    req.end(body);
  });
}

describe('issue 11 §1: a receiver that answers 200 and then never stops sending', () => {
  it('the attempt ends within WEBHOOK_TIMEOUT_MS as delivered, and the gateway reads only a few KiB', async () => {
    const user = await call(
      'POST',
      '/internal/users',
      { 'x-internal-api-key': INTERNAL_KEY },
      { user_id: 'hostile', source: 'app', expires_at: '2099-01-01T00:00:00Z', max_sessions: 1, max_messages: 0 },
    );
    expect(user.status).toBe(200);
    const apiKey = user.json.api_key as string;
    const created = await call('POST', '/v1/sessions', { 'x-api-key': apiKey }, { session_name: 'h', webhook_url: endless.url });
    expect(created.status).toBe(201);
    const sessionId = created.json.session.session_id as string;
    expect((await call('POST', `/v1/sessions/${sessionId}/webhook-deliveries/test`, { 'x-api-key': apiKey })).status).toBe(202);
    let delivery: Record<string, unknown> = {};
    const watched = await peakGrowthWhile(
      waitFor(
        async () => {
          delivery = (await call('GET', `/v1/sessions/${sessionId}/webhook-deliveries`, { 'x-api-key': apiKey })).json.deliveries[0];
          return delivery.status !== 'pending';
        },
        { what: 'the attempt recorded', timeoutMs: TIMEOUT_MS + 6_000 },
      ),
    );
    expect(watched.value, 'the attempt was recorded within the deadline').toBe(true);
    expect(delivery).toMatchObject({ status: 'delivered', attempts: 1, last_status_code: 200 });
    expect(watched.growthMb).toBeLessThan(150);
    expect(endless.requests).toHaveLength(1);
  });
});

describe('issue 11 §2: large unauthenticated bodies', () => {
  it('50 MB to an unknown relay id is refused at once, with nothing read', async () => {
    const body = hugeJson(50 * MB);
    const watched = await peakGrowthWhile(
      postLarge('/webhook/wa/s/0123456789abcdef0123456789abcdef', { 'x-hmac-signature': 'a'.repeat(64) }, body, 5_000),
    );
    const answer = watched.value;
    // Refused before its body was read: the client sees the 404, or the connection closed under its upload.
    expect(answer.error ?? '').not.toContain('deadline');
    if (answer.error === null) expect(answer.status).toBe(404);
    expect(answer.ms).toBeLessThan(5_000);
    expect(watched.growthMb).toBeLessThan(100);
  });

  it('50 MB with a forged signature on the global webhook is refused within bounds, never parsed', async () => {
    const body = hugeJson(50 * MB);
    const watched = await peakGrowthWhile(postLarge('/webhook/wa', { 'x-hmac-signature': 'b'.repeat(64) }, body, 5_000));
    expect(watched.value).toMatchObject({ status: 401, error: null });
    expect(watched.value.ms).toBeLessThan(5_000);
    expect(watched.growthMb).toBeLessThan(150);
    const health = await fetch(`${gateway.url}/health`);
    expect(health.status).toBe(200);
  });
});
