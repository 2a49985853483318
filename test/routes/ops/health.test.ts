import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../helpers/app.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

describe('health and banner', () => {
  it.each(['/', '/health'])('GET and HEAD %s → 200 without credentials', async (url) => {
    const get = await t.app.inject({ url });
    expect(get.statusCode).toBe(200);
    expect(get.headers['x-request-id']).toBeTruthy();
    const head = await t.app.inject({ method: 'HEAD', url });
    expect(head.statusCode).toBe(200);
    expect(head.body).toBe('');
  });

  it('bodies as the Go service answered them', async () => {
    expect((await t.app.inject({ url: '/' })).json()).toEqual({
      mode: 'subscription-gateway',
      service: 'genfity-wa-support',
      status: 'running',
    });
    expect((await t.app.inject({ url: '/health' })).json()).toEqual({ status: 'healthy' });
  });
});

describe('cross-cutting HTTP behaviour', () => {
  it('OPTIONS on any path → 204 with the CORS headers real browser clients need', async () => {
    const res = await t.app.inject({
      method: 'OPTIONS',
      url: '/wa/chat/send/text',
      headers: { origin: 'https://example.com', 'access-control-request-method': 'POST' },
    });
    expect(res.statusCode).toBe(204);
    expect(res.headers['access-control-allow-origin']).toBe('*');
    expect(String(res.headers['access-control-allow-headers'])).toMatch(/token/);
    const bare = await t.app.inject({ method: 'OPTIONS', url: '/anything' });
    expect(bare.statusCode).toBe(204);
  });

  it('every answer, preflight or not, found or not, carries the CORS headers once', async () => {
    const answers = [
      await t.app.inject({ url: '/health', headers: { origin: 'https://example.com' } }),
      await t.app.inject({ url: '/nope' }),
      await t.app.inject({ method: 'POST', url: '/wa/chat/send/text', payload: {} }),
      await t.app.inject({
        method: 'OPTIONS',
        url: '/v1/me',
        headers: { origin: 'https://example.com', 'access-control-request-method': 'GET' },
      }),
    ];
    for (const res of answers) {
      expect(res.headers['access-control-allow-origin']).toBe('*');
      expect(res.headers['access-control-expose-headers']).toBe('X-Request-Id');
    }
  });

  it('unknown routes → 404 {message}', async () => {
    const res = await t.app.inject({ url: '/nope' });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({ message: 'route not found', code: 'ROUTE_NOT_FOUND' });
  });

  it('accepts a sane X-Request-Id and returns it; replaces an unsafe one', async () => {
    expect((await t.app.inject({ url: '/health', headers: { 'x-request-id': 'abc-123' } })).headers['x-request-id']).toBe('abc-123');
    const unsafe = await t.app.inject({ url: '/health', headers: { 'x-request-id': 'bad id\twith spaces' } });
    expect(unsafe.headers['x-request-id']).not.toBe('bad id\twith spaces');
  });

  it('a trailing slash reaches the same route', async () => {
    expect((await t.app.inject({ url: '/health/' })).statusCode).toBe(200);
  });
});
