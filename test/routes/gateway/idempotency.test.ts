import { beforeEach, describe, expect, it } from 'vitest';
import { fileAppWithSimulator } from '../../helpers/sim.js';
import { pairedSession, providerCalls, sendText } from './helpers.js';

// Issue 11 item 11 and SPEC §10: an Idempotency-Key is bound to the request it was first used for
// (session, method, normalised path, body bytes). The same request again is answered from the first
// result; another request with that key is 422 IDEMPOTENCY_KEY_REUSED and nothing is sent.
const t = fileAppWithSimulator();
beforeEach(() => {
  t.sim.clearRequests();
});

const location = (token: string, key: string, prefix = '/v1/wa') =>
  t.app.inject({
    method: 'POST',
    url: `${prefix}/chat/send/location`,
    headers: { token, 'content-type': 'application/json', 'idempotency-key': key },
    payload: { Phone: '6281234567890', Latitude: -6.2, Longitude: 106.8 },
  });

describe('Idempotency-Key bound to its request', () => {
  it('the same key with another body → 422 and the second message is not sent', async () => {
    const { token } = await pairedSession(t);
    const first = await sendText(t, token, { 'idempotency-key': 'order-7' }, { Phone: '6281234567890', Body: 'first' });
    expect(first.statusCode).toBe(200);
    const other = await sendText(t, token, { 'idempotency-key': 'order-7' }, { Phone: '6281234567890', Body: 'second' });
    expect(other.statusCode).toBe(422);
    expect(other.json()).toEqual({ message: expect.any(String), code: 'IDEMPOTENCY_KEY_REUSED' });
    expect(providerCalls(t, '/chat/send/text').map((c) => JSON.parse(c.body).Body)).toEqual(['first']);
  });

  it('the same key on another send route → 422; the same request again is still a replay', async () => {
    const { token } = await pairedSession(t);
    const first = await sendText(t, token, { 'idempotency-key': 'k-1' });
    expect((await location(token, 'k-1')).json().code).toBe('IDEMPOTENCY_KEY_REUSED');
    const again = await sendText(t, token, { 'idempotency-key': 'k-1' });
    expect(again.statusCode).toBe(200);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.json()).toEqual(first.json());
    expect(providerCalls(t).map((c) => c.path)).toEqual(['/chat/send/text']);
  });

  it('the path is compared normalised: /wa and /v1/wa, or an encoded path, are the same request', async () => {
    const { token } = await pairedSession(t);
    await location(token, 'k-2', '/wa');
    const replayed = await t.app.inject({
      method: 'POST',
      url: '/v1/wa/chat/send/%6Cocation',
      headers: { token, 'content-type': 'application/json', 'idempotency-key': 'k-2' },
      payload: { Phone: '6281234567890', Latitude: -6.2, Longitude: 106.8 },
    });
    expect(replayed.statusCode).toBe(200);
    expect(replayed.headers['idempotent-replayed']).toBe('true');
    expect(providerCalls(t, '/chat/send/location')).toHaveLength(1);
  });

  it('a key is per session: another session may use the same key for its own message', async () => {
    const a = await pairedSession(t);
    const b = await pairedSession(t);
    expect((await sendText(t, a.token, { 'idempotency-key': 'shared' })).statusCode).toBe(200);
    const other = await sendText(t, b.token, { 'idempotency-key': 'shared' }, { Phone: '6281234567890', Body: 'mine' });
    expect(other.statusCode).toBe(200);
    expect(other.headers['idempotent-replayed']).toBeUndefined();
    expect(providerCalls(t, '/chat/send/text')).toHaveLength(2);
  });

  it('a key longer than 255 characters or with a control character → 400, nothing sent', async () => {
    const { token } = await pairedSession(t);
    for (const key of ['k'.repeat(256), 'tab\there']) {
      const res = await sendText(t, token, { 'idempotency-key': key });
      expect(res.statusCode).toBe(400);
      expect(res.json().code).toBe('IDEMPOTENCY_KEY_INVALID');
    }
    expect((await sendText(t, token, { 'idempotency-key': 'k'.repeat(255) })).statusCode).toBe(200);
    expect(providerCalls(t, '/chat/send/text')).toHaveLength(1);
  });

  it('a reused key uses no quota: the refused request gives its hold back', async () => {
    const { token } = await pairedSession(t, { max_messages: 2 });
    await sendText(t, token, { 'idempotency-key': 'q' }, { Phone: '6281234567890', Body: 'one' });
    expect((await sendText(t, token, { 'idempotency-key': 'q' }, { Phone: '6281234567890', Body: 'two' })).statusCode).toBe(422);
    expect((await sendText(t, token)).statusCode).toBe(200);
    expect((await sendText(t, token)).statusCode).toBe(429);
  });
});
