import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pool } from 'undici';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createProviderSimulator, type ProviderSimulator } from '../../../sim/provider-simulator.js';
import { customer } from '../../helpers/app.js';
import { startGatewayProcess, type GatewayProcess } from '../../helpers/gateway-process.js';
import { fileAppWithSimulator } from '../../helpers/sim.js';
import { createTestDatabase, storeKind, type TestDatabase } from '../../helpers/store.js';
import { pairedSession } from './helpers.js';

// Issue 11 item 9: every provider answer the gateway reads itself has a total deadline (not only an
// idle timeout) and a size cap; answers that only stream through to the customer keep streaming.
const t = fileAppWithSimulator({ env: { PROVIDER_TIMEOUT_MS: '1000', PROVIDER_LONG_TIMEOUT_MS: '3000' } });
beforeEach(() => {
  t.sim.reset();
});

/** Fails the test on its own deadline rather than waiting on the gateway's. */
const within = <T>(ms: number, work: Promise<T>): Promise<T> =>
  Promise.race([work, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms).unref())]);

describe('answers the gateway reads itself', () => {
  it('a trickling /session/status answer ends at the deadline with 504', async () => {
    const { token } = await pairedSession(t);
    t.sim.setStream('/session/status', { mode: 'trickle', intervalMs: 50 });
    const started = performance.now();
    const res = await within(2500, t.app.inject({ url: '/v1/wa/session/status', headers: { token } }));
    expect(res.statusCode).toBe(504);
    expect(res.json()).toEqual({ message: 'provider timed out', code: 'PROVIDER_TIMEOUT' });
    expect(performance.now() - started).toBeGreaterThanOrEqual(900);
  });

  it('a trickling contacts answer ends the sync at the deadline with 504', async () => {
    const { sessionId, apiKey } = await pairedSession(t);
    t.sim.setStream('/user/contacts', { mode: 'trickle', intervalMs: 50 });
    const res = await within(
      2500,
      t.app.inject({ method: 'POST', url: `/v1/sessions/${sessionId}/contacts/sync`, headers: customer(apiKey) }),
    );
    expect(res.statusCode).toBe(504);
    expect(res.json().code).toBe('PROVIDER_TIMEOUT');
  });

  it('an endless /session/* answer is cut at the cap: 502 PROVIDER_ANSWER_TOO_LARGE', async () => {
    const { token } = await pairedSession(t);
    t.sim.setStream('/session/status', { mode: 'endless' });
    const res = await within(2500, t.app.inject({ url: '/v1/wa/session/status', headers: { token } }));
    expect(res.statusCode).toBe(502);
    expect(res.json()).toEqual({ message: expect.any(String), code: 'PROVIDER_ANSWER_TOO_LARGE' });
    // The connection that carried it is dropped, not kept for the next call.
    expect((await t.app.inject({ url: '/v1/wa/session/status', headers: { token } })).statusCode).toBe(200);
  });

  it('a streamed answer the gateway does not read keeps streaming past the cap', async () => {
    const { token } = await pairedSession(t);
    const client = new Pool(await t.app.listen({ port: 0, host: '127.0.0.1' }));
    try {
      t.sim.setStream('/user/contacts', { mode: 'endless' });
      const res = await client.request({ method: 'GET', path: '/v1/wa/user/contacts', headers: { token } });
      expect(res.statusCode).toBe(200);
      let seen = 0;
      for await (const chunk of res.body) {
        seen += (chunk as Buffer).length;
        if (seen > 4 * 1024 * 1024) break;
      }
      expect(seen).toBeGreaterThan(4 * 1024 * 1024);
    } finally {
      await client.destroy();
    }
  });
});

describe('an endless contacts answer, real process', () => {
  const ADMIN = 'sim-admin-token-endless';
  const INTERNAL_KEY = 'endless-internal-key';
  let sim: ProviderSimulator;
  let gateway: GatewayProcess;
  let database: TestDatabase | null = null;
  let dataDir = '';
  let client: Pool;

  beforeAll(async () => {
    sim = createProviderSimulator({ adminToken: ADMIN, connectStallMs: 50, webhookRetryCount: 1 });
    await sim.listen(0);
    dataDir = mkdtempSync(join(tmpdir(), 'gw-endless-'));
    if (storeKind === 'postgres') database = await createTestDatabase('postgres');
    gateway = await startGatewayProcess({
      WA_SERVER_URL: sim.url,
      WA_ADMIN_TOKEN: ADMIN,
      INTERNAL_API_KEYS: INTERNAL_KEY,
      DATA_DIR: dataDir,
      ...(database ? { DATABASE_URL: database.url! } : {}),
      PROVIDER_CONTACTS_MAX_BYTES: String(16 * 1024 * 1024),
    });
    client = new Pool(gateway.url);
  });
  afterAll(async () => {
    gateway?.signal('SIGKILL');
    await client?.close();
    await sim?.close();
    await database?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const rssMiB = () => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${gateway.pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;

  async function call(method: 'GET' | 'POST', path: string, headers: Record<string, string>, body?: object) {
    const res = await client.request({
      method,
      path,
      headers: { 'content-type': 'application/json', ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(15_000),
    });
    return { status: res.statusCode, json: (await res.body.json()) as Record<string, any> };
  }

  it('ends at PROVIDER_CONTACTS_MAX_BYTES with 502, and memory stays bounded', async () => {
    const user = await call(
      'POST',
      '/internal/users',
      { 'x-internal-api-key': INTERNAL_KEY },
      { user_id: 'endless-user', source: 'load', expires_at: '2099-01-01T00:00:00Z', max_sessions: 1 },
    );
    const created = await call('POST', '/v1/sessions', { 'x-api-key': user.json.api_key as string }, { session_name: 'endless' });
    expect(created.status).toBe(201);
    const sessionId = created.json.session.session_id as string;
    const baseline = rssMiB();
    // Past this the process is stopped: without a cap it would take the machine's memory.
    const limit = baseline + 300;
    let peak = baseline;
    const sampler = setInterval(() => {
      peak = Math.max(peak, rssMiB());
      if (peak > limit) gateway.signal('SIGKILL');
    }, 20);
    try {
      sim.setStream('/user/contacts', { mode: 'endless' });
      const sync = await call('POST', `/v1/sessions/${sessionId}/contacts/sync`, { 'x-api-key': user.json.api_key as string });
      expect(sync.status).toBe(502);
      expect(sync.json.code).toBe('PROVIDER_ANSWER_TOO_LARGE');
    } finally {
      clearInterval(sampler);
    }
    expect(peak).toBeLessThan(limit);
    // Still serving.
    expect((await call('GET', '/v1/me', { 'x-api-key': user.json.api_key as string })).status).toBe(200);
  });
});
