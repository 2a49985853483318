import { createHmac } from 'node:crypto';
import { connect } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createSecretBox } from '../../../src/lib/secrets-at-rest.js';
import { customer, TEST_ENCRYPTION_KEY } from '../../helpers/app.js';
import { freePort, startReceiver, type Receiver } from '../../helpers/receiver.js';
import { seedUser } from '../../helpers/seed.js';
import { createAppWithSimulator } from '../../helpers/sim.js';
import { deliveryRound } from '../../helpers/webhooks.js';

// Issue 11 §2: what can be checked without the body is checked first, with nothing read; the body is
// read raw (bounded, with a deadline), its signature checked, and only then parsed. Failing addresses
// are refused for a while without their bodies being read.
const GLOBAL_KEY = 'global-hmac-key-for-limits-0123456789abcdef';
const sign = (key: string, body: string | Buffer) => createHmac('sha256', key).update(body).digest('hex');
let t: Awaited<ReturnType<typeof createAppWithSimulator>>;
let receiver: Receiver;
let port = 0;

beforeAll(async () => {
  port = await freePort();
  receiver = await startReceiver();
  t = await createAppWithSimulator({
    env: {
      GATEWAY_PUBLIC_URL: `http://127.0.0.1:${port}`,
      WA_GLOBAL_HMAC_KEY: GLOBAL_KEY,
      WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true',
      WEBHOOK_AUTH_FAILURE_LIMIT: '3',
      REQUEST_BODY_TIMEOUT_MS: '500',
      GATEWAY_MAX_BODY_BYTES: String(16 * 1024 * 1024),
    },
  });
  await t.app.listen({ port, host: '127.0.0.1' });
});
afterAll(async () => {
  await t.close();
  await receiver.close();
});
beforeEach(() => {
  receiver.received.splice(0);
});

async function relayed() {
  const owner = await seedUser(t.app);
  const res = await t.app.inject({
    method: 'POST',
    url: '/v1/sessions',
    headers: customer(owner.apiKey),
    payload: { session_name: 'limits', webhook_url: receiver.url, events: 'Message' },
  });
  const sessionId = res.json().session.session_id as string;
  const { rows } = await t.db.query<{ relay_hmac_key: string }>('SELECT relay_hmac_key FROM wa_sessions WHERE session_id = $1', [
    sessionId,
  ]);
  return {
    sessionId,
    path: new URL(t.sim.findUserById(sessionId)!.webhook).pathname,
    key: createSecretBox(TEST_ENCRYPTION_KEY).decrypt(rows[0]!.relay_hmac_key),
  };
}

/** Sends a head that declares `declared` bytes and only a few of them; resolves with the status line, or null at the deadline. */
function partialPost(path: string, headers: Record<string, string>, declared: number, deadlineMs = 2_000) {
  return new Promise<number | null>((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let answer = '';
    const timer = setTimeout(() => {
      socket.destroy();
      resolve(null);
    }, deadlineMs);
    socket.on('data', (chunk: Buffer) => {
      answer += chunk.toString('latin1');
      const status = /^HTTP\/1\.1 (\d{3})/.exec(answer);
      if (!status) return;
      clearTimeout(timer);
      socket.destroy();
      resolve(Number(status[1]));
    });
    socket.on('error', () => undefined);
    const head = Object.entries({ 'content-type': 'application/json', ...headers, 'content-length': String(declared) })
      .map(([k, v]) => `${k}: ${v}`)
      .join('\r\n');
    socket.write(`POST ${path} HTTP/1.1\r\nhost: 127.0.0.1\r\n${head}\r\n\r\n{"type":`);
  });
}

const post = (url: string, body: string | Buffer, headers: Record<string, string>, remoteAddress = '127.0.0.1') =>
  t.app.inject({ method: 'POST', url, payload: body, headers: { 'content-type': 'application/json', ...headers }, remoteAddress });

describe('refused with nothing read', () => {
  it('an unknown relay id, a missing or malformed signature, a declared length over the limit', async () => {
    const { path } = await relayed();
    const signature = { 'x-hmac-signature': 'a'.repeat(64) };
    expect(await partialPost('/webhook/wa/s/0123456789abcdef0123456789abcdef', signature, 10_000_000)).toBe(404);
    expect(await partialPost(path, {}, 10_000_000)).toBe(401);
    expect(await partialPost(path, { 'x-hmac-signature': 'not-hex' }, 10_000_000)).toBe(401);
    expect(await partialPost('/webhook/wa', {}, 10_000_000)).toBe(401);
    expect(await partialPost(path, signature, 17 * 1024 * 1024)).toBe(413);
  });

  it('a signed post whose body does not arrive in time → 408', async () => {
    const { path } = await relayed();
    expect(await partialPost(path, { 'x-hmac-signature': 'a'.repeat(64) }, 1_000)).toBe(408);
  });
});

describe('an address that keeps failing is refused for a while', () => {
  it('more than WEBHOOK_AUTH_FAILURE_LIMIT forged posts → 429, not read; other addresses and its valid relay posts go on', async () => {
    const body = JSON.stringify({ type: 'Connected', event: {}, userID: 'f'.repeat(32) });
    const forged = { 'x-hmac-signature': 'c'.repeat(64) };
    for (let i = 0; i < 4; i += 1) expect((await post('/webhook/wa', body, forged, '10.9.9.9')).statusCode).toBe(401);
    const refused = await post('/webhook/wa', body, forged, '10.9.9.9');
    expect(refused.statusCode).toBe(429);
    expect(refused.json()).toMatchObject({ code: 'WEBHOOK_AUTH_BLOCKED', message: expect.any(String) });
    const valid = await post('/webhook/wa', body, { 'x-hmac-signature': sign(GLOBAL_KEY, body) }, '10.9.9.8');
    expect(valid.statusCode).toBe(404);
    expect(valid.json().code).toBe('WEBHOOK_SESSION_UNKNOWN');
    const { path, key, sessionId } = await relayed();
    const event = JSON.stringify({ type: 'Disconnected', event: {}, userID: sessionId });
    expect((await post(path, event, { 'x-hmac-signature': sign(key, event) }, '10.9.9.9')).statusCode).toBe(200);
  });
});

describe('large events that are signed still go through', () => {
  it('a message with several MB of base64 media is accepted, stored and relayed intact', async () => {
    const { path, key, sessionId } = await relayed();
    const media = Buffer.alloc(6 * 1024 * 1024, 7).toString('base64');
    const body = JSON.stringify({
      type: 'Message',
      event: { Info: { ID: 'MEDIA-1', Chat: '62811@s.whatsapp.net', Sender: '62811@s.whatsapp.net', IsFromMe: false } },
      base64: media,
      mimeType: 'image/jpeg',
      userID: sessionId,
      instanceName: 'limits',
    });
    const res = await post(path, body, { 'x-hmac-signature': sign(key, body) });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'accepted', duplicate: false });
    const [got] = await receiver.waitFor(1, { timeoutMs: 10_000, between: deliveryRound(t) });
    // The session's format is genfity-wa's own (the default): the very bytes that were posted.
    expect(got!.raw.equals(Buffer.from(body))).toBe(true);
    expect(JSON.parse(got!.body).base64).toBe(media);
  });
});
