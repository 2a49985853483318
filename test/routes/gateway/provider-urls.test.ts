import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createAppWithSimulator } from '../../helpers/sim.js';
import { pairedSession, providerCalls, type SimApp } from './helpers.js';

// Issue 11 item 6: in direct mode genfity-wa itself calls the webhook URL a customer sets through the
// gateway, so the URL policy of /v1/sessions (WEBHOOK_ALLOW_PRIVATE_TARGETS) applies to every field
// that reaches it — matched without regard to case, as Go's encoding/json matches them — and to the
// other URLs the provider connects to (a session's proxy, its S3 endpoint). A refusal forwards nothing.
let t: SimApp;
let token = '';
beforeAll(async () => {
  t = await createAppWithSimulator();
  token = (await pairedSession(t)).token;
});
afterAll(async () => {
  await t.close();
});
beforeEach(() => {
  t.sim.clearRequests();
});

const call = (method: 'POST' | 'PUT', path: string, payload: string | object, prefix = '/v1/wa') =>
  t.app.inject({
    method,
    url: `${prefix}${path}`,
    headers: { token, 'content-type': 'application/json' },
    payload: typeof payload === 'string' ? payload : JSON.stringify(payload),
  });

describe('provider-bound URLs through the gateway (direct mode)', () => {
  it.each([
    ['POST', '/webhook', { webhookurl: 'http://127.0.0.1:8070/internal/users', events: ['Message'] }],
    ['POST', '/webhook', { WebhookURL: 'http://10.0.0.7/hook' }],
    ['POST', '/webhook', { WEBHOOKURL: 'http://[::1]:9000/' }],
    ['POST', '/webhook', { webhookurl: 'https://example.com/ok', WebhookUrl: 'http://169.254.169.254/latest/meta-data' }],
    ['POST', '/webhook', { 'webhoo\u212Aurl': 'http://192.168.1.1/' }],
    ['POST', '/webhook', { webhookurl: 'http://localhost./x' }],
    ['PUT', '/webhook', { webhook: 'http://127.0.0.1/', active: true }],
    ['PUT', '/webhook', { Webhook: 'http://0x7f.1/', Active: true, events: ['All'] }],
    ['PUT', '/webhook', { WebhookURL: 'gopher://example.com/', webhook: 'http://172.16.0.1/', active: true }],
  ] as const)('%s %s %j → 400 WEBHOOK_URL_NOT_ALLOWED, nothing forwarded', async (method, path, body) => {
    const res = await call(method, path, body);
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({ message: expect.any(String), code: 'WEBHOOK_URL_NOT_ALLOWED' });
    expect(providerCalls(t)).toEqual([]);
  });

  it('the /wa prefix is checked the same way', async () => {
    const res = await call('POST', '/webhook', { webhookurl: 'http://127.0.0.1/' }, '/wa');
    expect(res.json().code).toBe('WEBHOOK_URL_NOT_ALLOWED');
    expect(providerCalls(t)).toEqual([]);
  });

  it('a public URL, an empty one (clearing) and a body without a URL go through unchanged', async () => {
    for (const body of [{ webhookurl: 'https://hooks.example.com/wa', events: ['Message'] }, { webhookurl: '' }, { events: ['Message'] }]) {
      const res = await call('POST', '/webhook', body);
      expect(res.statusCode).toBe(200);
    }
    expect(providerCalls(t, '/webhook').map((c) => JSON.parse(c.body))).toEqual([
      { webhookurl: 'https://hooks.example.com/wa', events: ['Message'] },
      { webhookurl: '' },
      { events: ['Message'] },
    ]);
  });

  it('a body the gateway cannot read as JSON is refused, not forwarded (Go would read the first value)', async () => {
    const res = await call('POST', '/webhook', '{"webhookurl":"http://127.0.0.1/"} trailing');
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe('INVALID_JSON');
    expect(providerCalls(t)).toEqual([]);
  });

  it('a proxy or an S3 endpoint on a private address → 400, nothing forwarded; public ones pass', async () => {
    const proxy = await call('POST', '/session/proxy', { proxy_url: 'socks5://127.0.0.1:1080', enable: true });
    expect(proxy.json().code).toBe('PROVIDER_URL_NOT_ALLOWED');
    const s3 = await call('POST', '/session/s3/config', { enabled: true, Endpoint: '169.254.169.254', bucket: 'b' });
    expect(s3.json().code).toBe('PROVIDER_URL_NOT_ALLOWED');
    expect(providerCalls(t)).toEqual([]);
    await call('POST', '/session/s3/config', { enabled: true, endpoint: 'https://s3.ap-southeast-1.amazonaws.com', bucket: 'b' });
    expect(providerCalls(t, '/session/s3/config')).toHaveLength(1);
  });
});

describe('WEBHOOK_ALLOW_PRIVATE_TARGETS=true', () => {
  it('lets private webhook URLs through to the provider', async () => {
    const open = await createAppWithSimulator({ env: { WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true' } });
    try {
      const session = await pairedSession(open);
      const res = await open.app.inject({
        method: 'POST',
        url: '/v1/wa/webhook',
        headers: { token: session.token, 'content-type': 'application/json' },
        payload: { webhookurl: 'http://10.0.0.7/hook' },
      });
      expect(res.statusCode).toBe(200);
      expect(providerCalls(open, '/webhook')).toHaveLength(1);
    } finally {
      await open.close();
    }
  });
});
