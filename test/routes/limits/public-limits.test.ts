import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, internal, type TestApp } from '../../helpers/app.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({
    env: {
      PUBLIC_RATE_LIMIT_MAX_REQUEST: '5',
      PUBLIC_RATE_LIMIT_WINDOW_SECONDS: '60',
      PUBLIC_SPAM_MAX_PER_10S: '8',
      PUBLIC_SPAM_BLOCK_MINUTES: '10',
      TRUST_PROXY: '10.0.0.1',
    },
  });
});
afterAll(async () => {
  await t.close();
});

const from = (remoteAddress: string, url = '/v1/me', headers: Record<string, string> = {}) =>
  t.app.inject({ url, remoteAddress, headers: { 'x-api-key': 'gwa_nobody', ...headers } });

describe('public rate limits', () => {
  it('the request over the limit gets 429 with Retry-After and RateLimit headers; one budget for /v1 and /wa', async () => {
    const answers = [];
    for (const url of ['/v1/me', '/wa/session/status', '/v1/wa/session/status', '/v1/sessions', '/v1/me', '/v1/me'])
      answers.push(await from('192.0.2.10', url));
    expect(answers.slice(0, 5).map((r) => r.statusCode)).toEqual([401, 401, 401, 401, 401]);
    expect(answers[0]!.headers['ratelimit-limit']).toBe('5');
    expect(answers[4]!.headers['ratelimit-remaining']).toBe('0');
    const over = answers[5]!;
    expect(over.statusCode).toBe(429);
    expect(over.json()).toEqual({ message: 'rate limit exceeded', code: 'RATE_LIMITED' });
    expect(Number(over.headers['retry-after'])).toBeGreaterThan(0);
    expect(over.headers['ratelimit-reset']).toBeDefined();
  });

  it('/internal, health and readiness are exempt', async () => {
    for (let i = 0; i < 12; i += 1) {
      expect((await t.app.inject({ url: '/internal/me', headers: internal(), remoteAddress: '192.0.2.11' })).statusCode).toBe(200);
      expect((await t.app.inject({ url: '/health', remoteAddress: '192.0.2.11' })).statusCode).toBe(200);
    }
  });

  it('a burst over the spam limit blocks the address for the block time', async () => {
    const answers = [];
    for (let i = 0; i < 10; i += 1) answers.push(await from('192.0.2.12'));
    expect(answers.map((r) => r.json().code)).toContain('SPAM_DETECTED');
    expect(answers.at(-1)!.json()).toEqual({ message: 'ip blocked due to spam', code: 'IP_BLOCKED' });
    expect(Number(answers.at(-1)!.headers['retry-after'])).toBeGreaterThan(60);
  });

  it('a spoofed X-Forwarded-For from an untrusted peer changes nothing; a trusted proxy is believed', async () => {
    for (let i = 0; i < 6; i += 1) await from('192.0.2.13', '/v1/me', { 'x-forwarded-for': `198.51.100.${i}` });
    expect((await from('192.0.2.13', '/v1/me', { 'x-forwarded-for': '198.51.100.99' })).statusCode).toBe(429);
    for (let i = 0; i < 5; i += 1) expect((await from('10.0.0.1', '/v1/me', { 'x-forwarded-for': `203.0.113.${i}` })).statusCode).toBe(401);
  });
});
