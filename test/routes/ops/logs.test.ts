import { createServer, type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../../../src/app.js';
import { loadConfig } from '../../../src/config.js';
import { createDeps, type Deps } from '../../../src/deps.js';
import { createManualClock } from '../../../src/lib/clock.js';
import { createLogger } from '../../../src/lib/logger.js';
import { GLOBAL_KEY, TEST_INTERNAL_KEYS } from '../../helpers/app.js';
import { openTestStore } from '../../helpers/store.js';

// SPEC §7 / issue 7 §4: pino JSON lines, a request id accepted from X-Request-Id (or generated) on
// every line of the request, and no credential anywhere, even at trace level.
const lines: string[] = [];
const memory = {
  write: (line: string) => {
    lines.push(line);
  },
};
let store: Awaited<ReturnType<typeof openTestStore>>;
let deps: Deps;
let app: App;

beforeAll(async () => {
  store = await openTestStore();
  const config = loadConfig({ INTERNAL_API_KEYS: TEST_INTERNAL_KEYS, LOG_LEVEL: 'trace' });
  deps = await createDeps(config, {
    db: store.db,
    clock: createManualClock('2026-06-01T00:00:00Z'),
    logger: createLogger('trace', memory),
  });
  app = await buildApp(config, deps);
  await app.ready();
});
afterAll(async () => {
  await app.close();
  await deps.close();
  await store.close();
});

const parsed = () => lines.map((line) => JSON.parse(line) as Record<string, unknown>);

describe('logs', () => {
  it('no key, token or Authorization value reaches a log line', async () => {
    const created = await app.inject({
      method: 'POST',
      url: '/internal/users',
      payload: { user_id: 'log-user', source: 'app', expires_at: '2030-01-01T00:00:00Z' },
      headers: { 'x-internal-api-key': GLOBAL_KEY, authorization: `Bearer ${GLOBAL_KEY}`, 'x-request-id': 'req-logs-1' },
    });
    expect(created.statusCode).toBe(200);
    const apiKey = created.json().api_key as string;
    const secrets = [GLOBAL_KEY, apiKey, 'session-token-secret-1', 'bearer-secret-2', 'cookie-secret-3'];
    const everything = {
      'x-api-key': apiKey,
      token: 'session-token-secret-1',
      authorization: 'Bearer bearer-secret-2',
      'x-internal-api-key': GLOBAL_KEY,
      cookie: 'sid=cookie-secret-3',
    };
    for (const url of ['/v1/me', '/internal/me', '/wa/chat/send/text', '/v1/wa/session/status', '/nope']) {
      await app.inject({
        method: url.includes('send') ? 'POST' : 'GET',
        url,
        headers: everything,
        payload: url.includes('send') ? {} : undefined,
      });
    }
    // Whoever logs a request's headers or a secret field later is redacted too (lib/logger.ts REDACTED);
    // the process logger, because Fastify's request serializer would drop the headers anyway.
    deps.logger.info(
      {
        req: { headers: everything },
        api_key: apiKey,
        session: { session_token: 'session-token-secret-1', webhook_secret: 'cookie-secret-3' },
      },
      'probe',
    );

    expect(lines.length).toBeGreaterThan(10);
    for (const line of lines) for (const secret of secrets) expect(line, 'a secret in the log').not.toContain(secret);
    const probe = parsed().find((l) => l.msg === 'probe') as { req: { headers: Record<string, string> }; api_key: string };
    expect(probe.req.headers).toEqual({
      'x-api-key': '[redacted]',
      token: '[redacted]',
      authorization: '[redacted]',
      'x-internal-api-key': '[redacted]',
      cookie: '[redacted]',
    });
    expect(probe.api_key).toBe('[redacted]');
  });

  it("every line of a request carries its id: the caller's X-Request-Id, or a generated one, returned in a header", async () => {
    const given = await app.inject({ url: '/health', headers: { 'x-request-id': 'trace-me-42' } });
    expect(given.headers['x-request-id']).toBe('trace-me-42');
    const mine = parsed()
      .filter((l) => l.reqId === 'trace-me-42')
      .map((l) => l.msg);
    expect(mine).toEqual(expect.arrayContaining(['incoming request', 'request completed']));

    const generated = await app.inject({ url: '/health' });
    const id = generated.headers['x-request-id'] as string;
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(parsed().filter((l) => l.reqId === id).length).toBeGreaterThanOrEqual(2);
  });

  it('lines are pino JSON with a level and a time', () => {
    for (const line of parsed())
      expect(line).toMatchObject({ level: expect.any(Number), time: expect.any(Number), msg: expect.any(String) });
  });
});

describe('logs of a provider that cannot be reached', () => {
  it('the client gets 502 PROVIDER_UNAVAILABLE; the log line says why (the transport error is kept as the cause)', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const own: string[] = [];
    const ownStore = await openTestStore();
    const config = loadConfig({ INTERNAL_API_KEYS: TEST_INTERNAL_KEYS, LOG_LEVEL: 'info', WA_SERVER_URL: `http://127.0.0.1:${port}` });
    const ownDeps = await createDeps(config, {
      db: ownStore.db,
      clock: createManualClock('2026-06-01T00:00:00Z'),
      logger: createLogger('info', { write: (line: string) => void own.push(line) }),
    });
    const ownApp = await buildApp(config, ownDeps);
    try {
      const user = await ownApp.inject({
        method: 'POST',
        url: '/internal/users',
        headers: { 'x-internal-api-key': GLOBAL_KEY },
        payload: { user_id: 'log-provider-down', source: 'app', expires_at: '2030-01-01T00:00:00Z' },
      });
      const res = await ownApp.inject({
        method: 'POST',
        url: '/v1/sessions',
        headers: { 'x-api-key': user.json().api_key as string, 'x-request-id': 'provider-down-1' },
        payload: { session_name: 'down' },
      });
      expect(res.json()).toEqual({ message: 'provider unavailable', code: 'PROVIDER_UNAVAILABLE' });
      const failed = own
        .map((l) => JSON.parse(l) as Record<string, any>)
        .find((l) => l.reqId === 'provider-down-1' && l.msg === 'request failed');
      expect(failed).toMatchObject({ code: 'PROVIDER_UNAVAILABLE', err: { code: 'ECONNREFUSED' } });
    } finally {
      await ownApp.close();
      await ownDeps.close();
      await ownStore.close();
    }
  });
});
