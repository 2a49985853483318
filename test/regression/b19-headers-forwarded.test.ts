/**
 * B19 (go-service-api §12, public.go:455-459): "The pass-through forwards every client header (customer
 * key, Authorization, Accept-Encoding…). A Bearer token is not translated into a `token` header. A
 * forwarded `Accept-Encoding` disables transparent decompression, so a compressed provider body would
 * be relayed without `Content-Encoding`."
 *
 * Gateway: exactly one credential reaches genfity-wa, `token: <session token>`, however the caller sent
 * it (token, Bearer, raw Authorization); `Authorization`, `x-api-key`, `x-internal-api-key`, cookies and
 * hop-by-hop headers stay behind. A compressed answer keeps its `Content-Encoding`, so the bytes the
 * client gets are the bytes it can decode.
 */
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAppWithSimulator } from '../helpers/sim.js';
import { pairedSession, providerCalls, type SimApp } from '../routes/gateway/helpers.js';

let t: SimApp;
let front: Server;
let token = '';

// A provider that compresses when asked: the simulator behind a gzip-ing front (the simulator never compresses).
function gzipFront(target: () => string): Server {
  return createServer((req, res) => {
    const upstream = new URL(req.url ?? '/', target());
    const out = request(upstream, { method: req.method, headers: { ...req.headers, host: upstream.host } }, (answer) => {
      const chunks: Buffer[] = [];
      answer.on('data', (c: Buffer) => chunks.push(c));
      answer.on('end', () => {
        const body = Buffer.concat(chunks);
        const gzip = String(req.headers['accept-encoding'] ?? '').includes('gzip');
        res.writeHead(answer.statusCode ?? 502, {
          'content-type': answer.headers['content-type'] ?? 'application/json',
          ...(gzip ? { 'content-encoding': 'gzip' } : {}),
        });
        res.end(gzip ? gzipSync(body) : body);
      });
    });
    req.pipe(out);
  });
}

beforeAll(async () => {
  let simUrl = '';
  front = gzipFront(() => simUrl);
  await new Promise<void>((resolve) => front.listen(0, '127.0.0.1', resolve));
  t = await createAppWithSimulator({ env: { WA_SERVER_URL: `http://127.0.0.1:${(front.address() as AddressInfo).port}` } });
  simUrl = t.sim.url;
  token = (await pairedSession(t)).token;
});
afterAll(async () => {
  await t.close();
  await new Promise((resolve) => front.close(resolve));
});

describe('B19: one credential forwarded, compressed answers stay decodable', () => {
  it.each([
    ['token header', () => ({ token })],
    ['Bearer', () => ({ authorization: `Bearer ${token}` })],
    ['raw Authorization', () => ({ authorization: token })],
  ])('%s → only `token` reaches the provider', async (_name, credential) => {
    t.sim.clearRequests();
    const res = await t.app.inject({
      url: '/v1/wa/session/status',
      headers: {
        ...credential(),
        'x-api-key': 'gwa_customer-key',
        'x-internal-api-key': 'internal-key',
        cookie: 'sid=1',
        'proxy-authorization': 'Basic eA==',
        'x-trace': 'kept',
      },
    });
    expect(res.statusCode).toBe(200);
    const [call] = providerCalls(t, '/session/status');
    expect(call!.headers.token).toBe(token);
    for (const name of ['authorization', 'x-api-key', 'x-internal-api-key', 'cookie', 'proxy-authorization'])
      expect(call!.headers[name], name).toBeUndefined();
    expect(call!.headers['x-trace']).toBe('kept');
  });

  it('a gzip answer is relayed with its Content-Encoding, byte for byte', async () => {
    const res = await t.app.inject({ url: '/v1/wa/webhook/events?active=true', headers: { token, 'accept-encoding': 'gzip' } });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-encoding']).toBe('gzip');
    expect(JSON.parse(gunzipSync(res.rawPayload).toString('utf8'))).toMatchObject({ code: 200, success: true });
  });

  // `/session/*` answers are read by the gateway to refresh the session state, so they are asked for
  // uncompressed: the client still gets a body it can read (it once got a gzip header over mangled bytes).
  it('a /session/* answer is relayed readable, and still refreshes the state, when the client asks for gzip', async () => {
    const res = await t.app.inject({ url: '/v1/wa/session/status', headers: { token, 'accept-encoding': 'gzip' } });
    expect(res.statusCode).toBe(200);
    const body = res.headers['content-encoding'] === 'gzip' ? gunzipSync(res.rawPayload).toString('utf8') : res.body;
    expect(JSON.parse(body)).toMatchObject({ code: 200, success: true, data: { connected: true } });
  });
});
