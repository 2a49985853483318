import { createHmac, timingSafeEqual } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { WebhookFormat } from '../../../sim/types.js';
import { createSecretBox } from '../../../src/lib/secrets-at-rest.js';
import { customer, TEST_ENCRYPTION_KEY } from '../../helpers/app.js';
import { freePort, type Received, startReceiver } from '../../helpers/receiver.js';
import { seedUser } from '../../helpers/seed.js';
import { createAppWithSimulator } from '../../helpers/sim.js';
import { deliveryRound } from '../../helpers/webhooks.js';

// Issue 12 §1 and SPEC §10: a receiver written for genfity-wa's own webhooks keeps working when the
// gateway relays. The same session is set up the way govconnect does it, once in direct mode (genfity-wa
// posts to the receiver) and once in relay mode (genfity-wa posts to the gateway, which relays), and
// the same events are replayed; the receiver must get the same bytes, content type and signature.
const SECRET = 'a1'.repeat(48);
const MEDIA = Buffer.alloc(300 * 1024, 0xa5).toString('base64');
// Go's HTML escaping, a separator JSON allows and JavaScript once did not, an emoji, a NUL and an escape.
const ODD_TEXT = 'halo <b>&</b> "kutip" \u2028 😀 nul:\u0000 backslash:\\u0041';

/** What a genfity-wa receiver (govconnect's among them) does with a post: verify the raw body, then read it. */
function readAsGenfityReceiver(post: Received, secret: string) {
  const given = String(post.headers['x-hmac-signature'] ?? '');
  const expected = createHmac('sha256', secret).update(post.raw).digest('hex');
  const verified = given.length === expected.length && timingSafeEqual(Buffer.from(given), Buffer.from(expected));
  const form = String(post.headers['content-type']).includes('application/x-www-form-urlencoded');
  const fields = form ? new URLSearchParams(post.raw.toString('utf8')) : null;
  const data = JSON.parse(fields ? fields.get('jsonData')! : post.raw.toString('utf8')) as Record<string, any>;
  return {
    verified,
    type: data.type as string,
    userID: (fields ? fields.get('userID') : data.userID) as string,
    instanceName: (fields ? fields.get('instanceName') : data.instanceName) as string,
    base64: data.base64 as string | undefined,
    text: (data.event?.Message?.conversation ?? data.event?.Message?.imageMessage?.caption) as string,
  };
}

/** Sets a session up as govconnect does, pairs it and replays two messages; what its receiver got. */
async function replay(mode: 'direct' | 'relay', format: WebhookFormat) {
  const receiver = await startReceiver();
  const port = await freePort();
  const relay: Record<string, string> = mode === 'relay' ? { GATEWAY_PUBLIC_URL: `http://127.0.0.1:${port}` } : {};
  const t = await createAppWithSimulator({ env: { WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true', ...relay } });
  try {
    t.sim.configure({ webhookFormat: format });
    if (mode === 'relay') await t.app.listen({ port, host: '127.0.0.1' });
    const owner = await seedUser(t.app);
    const created = await t.app.inject({
      method: 'POST',
      url: '/v1/sessions',
      headers: customer(owner.apiKey),
      payload: { session_name: 'desa-sukamaju', webhook_url: receiver.url, webhook_secret: SECRET, events: 'Message' },
    });
    expect(created.statusCode).toBe(201);
    const { session_id: sessionId, session_token: token } = created.json().session;
    const hmac = await t.app.inject({
      method: 'POST',
      url: '/v1/wa/session/hmac/config',
      headers: { token },
      payload: { hmac_key: SECRET },
    });
    expect(hmac.statusCode).toBe(200);
    t.sim.pair(sessionId, { phone: '6281200000123' });
    const at = '2026-06-01T07:00:00+07:00';
    t.sim.injectMessage(sessionId, {
      id: '3EB0AAAA0000000000000001',
      timestamp: at,
      from: '6281299990000',
      pushName: 'Budi',
      text: ODD_TEXT,
    });
    t.sim.injectMessage(sessionId, {
      id: '3EB0AAAA0000000000000002',
      timestamp: at,
      from: '6281299990000',
      message: { imageMessage: { caption: 'foto', mimetype: 'image/jpeg' } },
      extras: { base64: MEDIA, mimeType: 'image/jpeg', fileName: 'foto.jpg' },
    });
    const received = await receiver.waitFor(2, { timeoutMs: 10_000, between: deliveryRound(t) });
    return { sessionId, received: [...received].sort((a, b) => a.raw.length - b.raw.length) };
  } finally {
    await t.close();
    await receiver.close();
  }
}

describe.each(['form', 'json'] as const)('genfity-wa posting %s bodies', (format) => {
  it('the relay delivers what genfity-wa itself would have sent: same bytes, content type and x-hmac-signature', async () => {
    const direct = await replay('direct', format);
    const relayed = await replay('relay', format);
    // The two runs are two provider users: only the 32-hex userID differs, at the same place.
    const same = (raw: Buffer, from: string, to: string) => raw.toString('latin1').replaceAll(from, to);
    for (const [i, got] of relayed.received.entries()) {
      const expected = direct.received[i]!;
      expect(same(got.raw, relayed.sessionId, direct.sessionId)).toBe(expected.raw.toString('latin1'));
      expect(got.headers['content-type']).toBe(expected.headers['content-type']);
      const read = readAsGenfityReceiver(got, SECRET);
      expect({ ...read, userID: direct.sessionId }).toEqual(readAsGenfityReceiver(expected, SECRET));
      expect(read).toMatchObject({ verified: true, type: 'Message', userID: relayed.sessionId, instanceName: 'desa-sukamaju' });
      expect(readAsGenfityReceiver(got, 'another-secret').verified).toBe(false);
    }
    expect(String(relayed.received[0]!.headers['content-type'])).toContain(format === 'form' ? 'x-www-form-urlencoded' : 'json');
    expect(readAsGenfityReceiver(relayed.received[0]!, SECRET).text).toBe(ODD_TEXT);
    expect(readAsGenfityReceiver(relayed.received[1]!, SECRET).base64).toBe(MEDIA);
  });
});

describe('a post whose bytes are not all UTF-8', () => {
  it('is relayed byte for byte with its content type, and signed over those bytes', async () => {
    const receiver = await startReceiver();
    const port = await freePort();
    const t = await createAppWithSimulator({
      env: { WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true', GATEWAY_PUBLIC_URL: `http://127.0.0.1:${port}` },
    });
    try {
      await t.app.listen({ port, host: '127.0.0.1' });
      const owner = await seedUser(t.app);
      const created = await t.app.inject({
        method: 'POST',
        url: '/v1/sessions',
        headers: customer(owner.apiKey),
        payload: { session_name: 'bytes', webhook_url: receiver.url, webhook_secret: SECRET, events: 'Message' },
      });
      const sessionId = created.json().session.session_id as string;
      const { rows } = await t.db.query<{ relay_hmac_key: string }>('SELECT relay_hmac_key FROM wa_sessions WHERE session_id = $1', [
        sessionId,
      ]);
      const key = createSecretBox(TEST_ENCRYPTION_KEY).decrypt(rows[0]!.relay_hmac_key);
      const body = Buffer.concat([
        Buffer.from(
          `{"type":"Message","event":{"Info":{"ID":"3EB0BYTES","Chat":"62811@s.whatsapp.net","IsFromMe":true},"Message":{"conversation":"`,
        ),
        Buffer.from([0xff, 0xfe, 0xc3, 0x28]),
        Buffer.from(`\\u0000 \\ud83d"}},"userID":"${sessionId}","instanceName":"bytes"}`),
      ]);
      const path = new URL(t.sim.findUserById(sessionId)!.webhook).pathname;
      const res = await fetch(`http://127.0.0.1:${port}${path}`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json; charset=utf-8',
          'x-hmac-signature': createHmac('sha256', key).update(body).digest('hex'),
        },
        body,
      });
      expect(res.status).toBe(200);
      const [got] = await receiver.waitFor(1, { between: deliveryRound(t) });
      expect(got!.raw.equals(body)).toBe(true);
      expect(got!.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(got!.headers['x-hmac-signature']).toBe(createHmac('sha256', SECRET).update(body).digest('hex'));
    } finally {
      await t.close();
      await receiver.close();
    }
  });
});
