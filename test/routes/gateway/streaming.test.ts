import { Readable } from 'node:stream';
import { Client } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAppWithSimulator } from '../../helpers/sim.js';
import { pairedSession, providerCalls, type SimApp } from './helpers.js';

let t: SimApp;
let token = '';
let client: Client;
beforeAll(async () => {
  t = await createAppWithSimulator({ env: { GATEWAY_MAX_BODY_BYTES: '65536' } });
  token = (await pairedSession(t)).token;
  client = new Client(await t.app.listen({ port: 0, host: '127.0.0.1' }));
});
afterAll(async () => {
  await client.close();
  await t.close();
});

function chunked(totalBytes: number): Readable {
  let sent = 0;
  return new Readable({
    read() {
      if (sent >= totalBytes) return this.push(null);
      const size = Math.min(8192, totalBytes - sent);
      sent += size;
      this.push(Buffer.alloc(size, 0x61));
    },
  });
}

describe('gateway streaming over real HTTP', () => {
  it('a chunked body without a length is cut off at the cap with 413', async () => {
    t.sim.clearRequests();
    const res = await client.request({
      method: 'POST',
      path: '/v1/wa/chat/send/image',
      headers: { token, 'content-type': 'application/json' },
      body: chunked(200_000),
    });
    expect(res.statusCode).toBe(413);
    expect(await res.body.json()).toMatchObject({ code: 'BODY_TOO_LARGE' });
    expect(providerCalls(t, '/chat/send/image').every((r) => r.body.length <= 65_536)).toBe(true);
  });

  it('a large body under the cap streams through whole', async () => {
    t.sim.clearRequests();
    const document = `data:application/octet-stream;base64,${Buffer.alloc(40_000, 1).toString('base64')}`;
    const body = JSON.stringify({ Phone: '6281234567890', Document: document, FileName: 'big.bin' });
    const res = await client.request({
      method: 'POST',
      path: '/v1/wa/chat/send/document',
      headers: { token, 'content-type': 'application/json' },
      body,
    });
    expect(res.statusCode).toBe(200);
    await res.body.dump();
    const [call] = providerCalls(t, '/chat/send/document');
    expect(call!.body).toBe(body);
  });

  it('HEAD is answered without a body', async () => {
    const res = await client.request({ method: 'HEAD', path: '/v1/wa/session/status', headers: { token } });
    expect(res.statusCode).toBe(200);
    expect(await res.body.text()).toBe('');
  });
});
