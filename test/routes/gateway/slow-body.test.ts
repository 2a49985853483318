import { connect } from 'node:net';
import { Pool } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAppWithSimulator } from '../../helpers/sim.js';
import { pairedSession, type SimApp } from './helpers.js';
import { waitFor } from '../../helpers/wait.js';

// Issue 11 item 3: a client that drips its declared body must not hold a provider connection, the
// lifecycle queue or anyone else's time. Its body has REQUEST_BODY_TIMEOUT_MS to arrive; then it
// gets 408 REQUEST_TIMEOUT and the connection is closed. Real sockets: app.inject has no clock of bytes.
const BODY_TIMEOUT_MS = 1000;

let t: SimApp;
let port = 0;
let client: Pool;
beforeAll(async () => {
  t = await createAppWithSimulator({
    env: { REQUEST_BODY_TIMEOUT_MS: String(BODY_TIMEOUT_MS), GATEWAY_MAX_BODY_BYTES: '65536', GATEWAY_USER_BUFFER_BYTES: '100000' },
  });
  const url = await t.app.listen({ port: 0, host: '127.0.0.1' });
  port = Number(new URL(url).port);
  client = new Pool(url);
});
afterAll(async () => {
  await client.close();
  await t.close();
});

interface Dripped {
  /** Everything the server wrote back, once the socket has closed. */
  answer: Promise<{ text: string; ms: number }>;
  stop(): void;
}

/** Sends the request line, headers and the first body byte, then one more byte every 100 ms. */
function drip(path: string, headers: Record<string, string>, declared = 200): Dripped {
  const started = performance.now();
  const socket = connect(port, '127.0.0.1');
  const head = Object.entries({ host: 'x', 'content-type': 'application/json', 'content-length': String(declared), ...headers })
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('');
  socket.write(`POST ${path} HTTP/1.1\r\n${head}\r\n{`);
  const timer = setInterval(() => socket.writable && socket.write(' '), 100);
  let text = '';
  socket.on('data', (chunk: Buffer) => {
    text += chunk.toString('utf8');
  });
  const answer = new Promise<{ text: string; ms: number }>((resolve) =>
    socket.on('close', () => {
      clearInterval(timer);
      resolve({ text, ms: performance.now() - started });
    }),
  );
  socket.on('error', () => undefined);
  return { answer, stop: () => socket.destroy() };
}

/** A request that must answer within `ms`, or the test fails on its own deadline. */
async function promptly(method: 'GET' | 'POST', path: string, token: string, body: object | undefined, ms: number) {
  const res = await client.request({
    method,
    path,
    headers: { token, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(ms),
  });
  await res.body.dump();
  return res.statusCode;
}

describe('slow request bodies', () => {
  it('a dripped connect and send get 408 at the deadline, and meanwhile another tenant sends and connects at once', async () => {
    const slow = await pairedSession(t);
    const other = await pairedSession(t);
    const connecting = drip('/v1/wa/session/connect', { token: slow.token });
    const sending = drip('/v1/wa/chat/send/text', { token: slow.token });
    // Both dripped requests are in the gateway, reading their bodies, before the other tenant goes.
    await waitFor(() => t.deps.gatewayBytesInFlight(slow.userId) === 400, 'both dripped bodies in the gateway');
    expect(await promptly('POST', '/v1/wa/session/connect', other.token, { Immediate: true }, 800)).toBeGreaterThanOrEqual(200);
    expect(await promptly('POST', '/v1/wa/chat/send/text', other.token, { Phone: '6281234567890', Body: 'halo' }, 800)).toBe(200);
    for (const dripped of [connecting, sending]) {
      const { text, ms } = await dripped.answer;
      expect(text).toMatch(/^HTTP\/1\.1 408 /);
      expect(JSON.parse(text.slice(text.indexOf('\r\n\r\n') + 4))).toEqual({
        message: 'request body not received in time',
        code: 'REQUEST_TIMEOUT',
      });
      expect(ms).toBeGreaterThanOrEqual(BODY_TIMEOUT_MS - 50);
      expect(ms).toBeLessThan(BODY_TIMEOUT_MS + 1500);
    }
    // The provider never saw the slow tenant: nothing was forwarded before its body was complete.
    expect(t.sim.requests.filter((r) => r.headers.token === slow.token)).toEqual([]);
    expect(t.sim.requests.filter((r) => r.headers.token === other.token).map((r) => r.path)).toEqual([
      '/session/connect',
      '/chat/send/text',
    ]);
  });

  it('the deadline is on receiving the request, not on answering it: a slow provider answer still arrives', async () => {
    const { token } = await pairedSession(t);
    t.sim.setLatency(BODY_TIMEOUT_MS + 500, '/session/connect');
    try {
      expect(await promptly('POST', '/v1/wa/session/connect', token, { Immediate: true }, BODY_TIMEOUT_MS + 2500)).not.toBe(408);
    } finally {
      t.sim.setLatency(0, '/session/connect');
    }
  });

  it('the JSON routes have the same deadline', async () => {
    const { apiKey } = await pairedSession(t);
    const { text } = await drip('/v1/sessions', { 'x-api-key': apiKey }).answer;
    expect(text).toMatch(/^HTTP\/1\.1 408 /);
    expect(text).toContain('"code":"REQUEST_TIMEOUT"');
    const internal = await drip('/internal/users', { 'x-internal-api-key': 'test-global-key' }).answer;
    expect(internal.text).toMatch(/^HTTP\/1\.1 408 /);
  });

  it('a request without a valid token is refused before its body is read', async () => {
    const dripped = drip('/v1/wa/chat/send/text', { token: 'wat_unknown' }, 50_000_000);
    const { text, ms } = await dripped.answer;
    expect(text).toMatch(/^HTTP\/1\.1 403 /);
    expect(text).toContain('"code":"TOKEN_INVALID"');
    expect(ms).toBeLessThan(BODY_TIMEOUT_MS);
  });

  it('bodies in flight are bounded per user: past GATEWAY_USER_BUFFER_BYTES 429 with Retry-After, other users unaffected', async () => {
    const greedy = await pairedSession(t);
    const other = await pairedSession(t);
    const first = drip('/v1/wa/chat/send/text', { token: greedy.token }, 60_000);
    await waitFor(() => t.deps.gatewayBytesInFlight(greedy.userId) === 60_000, 'the first dripped body in the gateway');
    const second = await drip('/v1/wa/chat/send/text', { token: greedy.token }, 60_000).answer;
    expect(second.text).toMatch(/^HTTP\/1\.1 429 /);
    expect(second.text.toLowerCase()).toContain('retry-after: 1');
    expect(second.text).toContain('"code":"UPLOAD_BUDGET_EXCEEDED"');
    expect(second.ms).toBeLessThan(BODY_TIMEOUT_MS);
    expect(await promptly('POST', '/v1/wa/chat/send/text', other.token, { Phone: '6281234567890', Body: 'halo' }, 800)).toBe(200);
    // Once the dripped body is gone (408), its bytes are the user's again.
    expect((await first.answer).text).toMatch(/^HTTP\/1\.1 408 /);
    expect(await promptly('POST', '/v1/wa/chat/send/text', greedy.token, { Phone: '6281234567890', Body: 'halo' }, 800)).toBe(200);
  });
});

/** Writes raw bytes and collects everything until the server closes the socket. */
function raw(bytes: string): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(bytes));
    let text = '';
    socket.on('data', (chunk: Buffer) => {
      text += chunk.toString('utf8');
    });
    socket.on('close', () => resolve(text));
    socket.on('error', () => undefined);
  });
}

describe('requests the HTTP parser refuses', () => {
  it("get the gateway's JSON error and a closed connection", async () => {
    const huge = await raw(`GET /v1/me HTTP/1.1\r\nhost: x\r\nx-big: ${'a'.repeat(40_000)}\r\n\r\n`);
    expect(huge).toMatch(/^HTTP\/1\.1 431 /);
    expect(huge).toContain('{"message":"request headers too large","code":"HEADERS_TOO_LARGE"}');
    const garbled = await raw('GET /v1/me HTTP/1.1\r\nhost x\r\n\r\n');
    expect(garbled).toMatch(/^HTTP\/1\.1 400 /);
    expect(garbled).toContain('"code":"VALIDATION_FAILED"');
  });
});
