/**
 * B18 (go-service-api §12, security.go:31-35, 144-158, 178-188): "The limiter maps are never pruned
 * (memory grows with distinct IPs). The IP comes from client-controlled `X-Forwarded-For`/`X-Real-IP`,
 * because all proxies are trusted by default. The limiter is per process only."
 *
 * Gateway: the client is the socket peer unless that peer is listed in TRUST_PROXY (unset by default);
 * only then is `X-Forwarded-For` read, from the right, so a client cannot pick its own key by sending
 * headers. (The bounded memory limiter and the Redis limiter shared by instances are tested in
 * test/limits; the multi-instance behaviour in test/cluster.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createTestApp, customer, type TestApp } from '../helpers/app.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ env: { PUBLIC_RATE_LIMIT_MAX_REQUEST: '3', TRUST_PROXY: '10.0.0.1' } });
});
afterAll(async () => {
  await t.close();
});

const from = (remoteAddress: string, headers: Record<string, string> = {}) =>
  t.app.inject({ url: '/v1/me', remoteAddress, headers: { ...customer('gwa_nobody'), ...headers } });

describe('B18: the rate-limit key cannot be chosen by the client', () => {
  it('by default no proxy is trusted', () => {
    expect(loadConfig({}).trustProxy).toBe(false);
  });

  it('an untrusted peer that rotates X-Forwarded-For and X-Real-IP still spends one budget', async () => {
    const codes = [];
    for (let i = 0; i < 5; i += 1) {
      codes.push((await from('192.0.2.40', { 'x-forwarded-for': `198.51.100.${i}`, 'x-real-ip': `203.0.113.${i}` })).statusCode);
    }
    expect(codes).toEqual([401, 401, 401, 429, 429]);
  });

  it('behind a trusted proxy each client has its own budget, and entries it prepends are not believed', async () => {
    for (let i = 1; i <= 3; i += 1) expect((await from('10.0.0.1', { 'x-forwarded-for': `203.0.113.${i}` })).statusCode).toBe(401);
    const spoofing = [];
    for (let i = 0; i < 4; i += 1)
      spoofing.push((await from('10.0.0.1', { 'x-forwarded-for': `198.51.100.${i}, 203.0.113.50` })).statusCode);
    expect(spoofing).toEqual([401, 401, 401, 429]);
    expect((await from('10.0.0.1', { 'x-forwarded-for': '203.0.113.51' })).statusCode).toBe(401);
  });
});
