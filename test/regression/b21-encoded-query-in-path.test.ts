/**
 * B21 (go-service-api §12, public.go:445): "The decoded path is concatenated into the provider URL, so
 * percent-encoded `?` or `#` in the path change the URL's meaning."
 *
 * Gateway: a path whose decoded form holds `?`, `#` (or `\`, NUL, a leftover `%`) is refused with 400
 * GATEWAY_PATH_INVALID before anything is forwarded; the path that is forwarded is re-encoded segment by
 * segment, and the real query string travels separately, as the client sent it.
 */
import type { Client } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pairedOverHttp, providerCalls, type SimApp } from '../routes/gateway/helpers.js';

let t: SimApp;
let token = '';
let client: Client;
let close: () => Promise<void>;
beforeAll(async () => {
  ({ t, token, client, close } = await pairedOverHttp());
});
afterAll(async () => {
  await close();
});

describe('B21: an encoded ? or # cannot rewrite the provider URL', () => {
  it.each([
    '/session%3Fstatus',
    '/session/status%3Ftoken=someone-else',
    '/chat/history%23x',
    '/session%2fstatus%3F',
    '/session/status%253F',
  ])('%s → 400 GATEWAY_PATH_INVALID, nothing forwarded', async (path) => {
    t.sim.clearRequests();
    const res = await client.request({ method: 'GET', path: `/v1/wa${path}`, headers: { token } });
    expect(res.statusCode).toBe(400);
    expect(await res.body.json()).toMatchObject({ code: 'GATEWAY_PATH_INVALID', message: expect.stringContaining('invalid path') });
    expect(providerCalls(t)).toEqual([]);
  });

  it('the real query string is forwarded as sent, the path on its own', async () => {
    t.sim.clearRequests();
    const res = await client.request({ method: 'GET', path: '/v1/wa/webhook/events?active=true&x=%3F', headers: { token } });
    expect(res.statusCode).toBe(200);
    await res.body.dump();
    const [call] = providerCalls(t);
    expect(call).toMatchObject({ path: '/webhook/events', query: { active: 'true', x: '?' } });
    expect(call!.headers.token).toBe(token);
  });
});
