import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { LOOKUPS_WHILE_BLOCKED } from '../../../src/limits/budgets.js';
import { credentialId } from '../../../src/limits/credentials.js';
import { customer, internal, type TestApp } from '../../helpers/app.js';
import { createAppWithSimulator } from '../../helpers/sim.js';
import { openTestStore, recordingStatements } from '../../helpers/store.js';
import { REDIS_URL } from '../../limits/helpers.js';
import { pairedSession, type SimApp } from '../gateway/helpers.js';

// SPEC §10 / issue 12 §2 on the real app, on both stores (vitest projects) and both limiter stores.
const LIMITER_STORES = [
  ['memory', {}],
  ['redis', { REDIS_URL, REDIS_KEY_PREFIX: `wa-gw-test:${randomBytes(6).toString('hex')}:` }],
] as const;

const EXEMPT = '192.0.2.200';

async function start(limiterEnv: Record<string, string>, limits: Record<string, string>) {
  const store = await openTestStore();
  const recorded = recordingStatements(store.db);
  const t = await createAppWithSimulator({
    db: recorded.db,
    env: { TRUST_PROXY: '10.0.0.1', RATE_LIMIT_EXEMPT_IPS: `${EXEMPT},198.18.0.0/15`, ...limiterEnv, ...limits },
  });
  await vi.waitFor(() => expect(t.deps.limiter.mode()).toBe(limiterEnv.REDIS_URL ? 'redis' : 'memory'));
  /** Credential lookups: the queries a request without a usable credential would cost the store. */
  const lookups = () => recorded.statements.filter((s) => /customer_api_key = \$1|session_token(_hash)? = \$1/.test(s)).length;
  const close = async () => {
    await t.close();
    await store.close();
  };
  return { t, lookups, close };
}

const request = (t: TestApp, remoteAddress: string, url: string, headers: Record<string, string> = {}) =>
  t.app.inject({ url, remoteAddress, headers });
const codes = (answers: Array<{ statusCode: number; json(): any }>) =>
  answers.map((a) => (a.statusCode === 429 ? a.json().code : a.statusCode));

describe.each(LIMITER_STORES)('public rate limits, limiter on %s', (_, limiterEnv) => {
  describe('a request budget of 5 a minute: per address as the Go service, per tenant once its credential lets it in', () => {
    let s: Awaited<ReturnType<typeof start>>;
    beforeAll(async () => {
      s = await start(limiterEnv, {
        PUBLIC_RATE_LIMIT_MAX_REQUEST: '5',
        PUBLIC_RATE_LIMIT_WINDOW_SECONDS: '60',
        PUBLIC_SPAM_MAX_PER_10S: '8',
        PUBLIC_SPAM_BLOCK_MINUTES: '10',
      });
    });
    afterAll(async () => {
      await s.close();
    });
    const from = (remoteAddress: string, url = '/v1/me', headers: Record<string, string> = {}) =>
      request(s.t, remoteAddress, url, { 'x-api-key': 'gwa_nobody', ...headers });

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
        expect((await s.t.app.inject({ url: '/internal/me', headers: internal(), remoteAddress: '192.0.2.11' })).statusCode).toBe(200);
        expect((await s.t.app.inject({ url: '/health', remoteAddress: '192.0.2.11' })).statusCode).toBe(200);
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
      for (let i = 0; i < 5; i += 1)
        expect((await from('10.0.0.1', '/v1/me', { 'x-forwarded-for': `203.0.113.${i}` })).statusCode).toBe(401);
    });

    it('a tenant over its request budget gets 429 RATE_LIMITED with Retry-After from any address, and no store lookup while refused', async () => {
      const { apiKey, token } = await pairedSession(s.t as SimApp);
      const answers = [];
      for (let i = 0; i < 5; i += 1)
        answers.push(
          await request(s.t, `192.0.2.${20 + i}`, i % 2 ? '/v1/me' : '/v1/wa/session/status', i % 2 ? customer(apiKey) : { token }),
        );
      // pairedSession's own session create was the first request of this tenant.
      expect(answers.map((a) => a.statusCode)).toEqual([200, 200, 200, 200, 429]);
      const before = s.lookups();
      const refused = [];
      for (let i = 0; i < 20; i += 1) refused.push(await request(s.t, `192.0.2.${30 + i}`, '/v1/me', customer(apiKey)));
      for (const r of [answers[4]!, ...refused]) {
        expect(r.statusCode).toBe(429);
        expect(r.json()).toEqual({ message: 'rate limit exceeded', code: 'RATE_LIMITED' });
        expect(Number(r.headers['retry-after'])).toBeGreaterThan(0);
        expect(r.headers['ratelimit-remaining']).toBe('0');
      }
      expect(s.lookups() - before).toBe(0);
      // Nobody else is affected: the same addresses still have their own budgets.
      expect((await request(s.t, '192.0.2.20', '/v1/me', customer('gwa_nobody'))).headers['ratelimit-remaining']).toBe('4');
    });
  });

  describe('a spam limit of 8 in 10 s under a budget of 30 a minute: per tenant behind one address (issue 12 §2)', () => {
    let s: Awaited<ReturnType<typeof start>>;
    let t: SimApp;
    beforeAll(async () => {
      s = await start(limiterEnv, {
        PUBLIC_RATE_LIMIT_MAX_REQUEST: '30',
        PUBLIC_RATE_LIMIT_WINDOW_SECONDS: '60',
        PUBLIC_SPAM_MAX_PER_10S: '8',
        PUBLIC_SPAM_BLOCK_MINUTES: '10',
      });
      t = s.t as SimApp;
    });
    afterAll(async () => {
      await s.close();
    });
    const status = (remoteAddress: string, token: string) => request(t, remoteAddress, '/v1/wa/session/status', { token });
    const me = (remoteAddress: string, apiKey: string) => request(t, remoteAddress, '/v1/me', customer(apiKey));

    it('two tenants behind one address each have their own budget: one over its spam limit gets 429, the other keeps working', async () => {
      const office = '203.0.113.40';
      const a = await pairedSession(t);
      const b = await pairedSession(t);
      const answers = [];
      // One budget per user across /v1 and /wa; pairedSession's create was A's first request.
      for (let i = 0; i < 9; i += 1) answers.push(i % 2 ? await me(office, a.apiKey) : await status(office, a.token));
      expect(codes(answers)).toEqual([200, 200, 200, 200, 200, 200, 200, 'SPAM_DETECTED', 'SPAM_DETECTED']);
      const spam = answers[7]!;
      expect(spam.json()).toEqual({ message: 'spam detected', code: 'SPAM_DETECTED' });
      expect(Number(spam.headers['retry-after'])).toBeGreaterThan(0);
      expect(Number(spam.headers['retry-after'])).toBeLessThanOrEqual(10);
      expect(codes([await status('198.51.100.40', a.token)])).toEqual(['SPAM_DETECTED']);

      expect(codes([await me(office, b.apiKey), await status(office, b.token), await status(office, b.token)])).toEqual([200, 200, 200]);
      // No address was blocked, nor even counted, for A: a wrong key from it is a plain 401 with the full budget.
      const stranger = await me(office, 'gwa_nobody');
      expect(stranger.statusCode).toBe(401);
      expect(stranger.headers['ratelimit-remaining']).toBe('29');
    });

    it('a key-guessing address is blocked and costs no store lookup per blocked request; a tenant behind it keeps working', async () => {
      const office = '203.0.113.41';
      const tenant = await pairedSession(t);
      expect(codes([await me(office, tenant.apiKey), await status(office, tenant.token)])).toEqual([200, 200]);
      const guesses = [];
      for (let i = 0; i < 10; i += 1) guesses.push(await me(office, `gwa_guess_${i}`));
      expect(codes(guesses)).toEqual([401, 401, 401, 401, 401, 401, 401, 401, 'SPAM_DETECTED', 'IP_BLOCKED']);

      const before = s.lookups();
      const blocked = [];
      for (let i = 0; i < 100; i += 1) {
        blocked.push(i % 2 ? await me(office, `gwa_guess_more_${i}`) : await status(office, `wat_guess_${i}`));
      }
      blocked.push(await request(t, office, '/v1/me'), await request(t, office, '/wa/session/status'));
      expect(new Set(codes(blocked))).toEqual(new Set(['IP_BLOCKED']));
      expect(Number(blocked.at(-1)!.headers['retry-after'])).toBeGreaterThan(500);
      expect(s.lookups() - before).toBeLessThanOrEqual(LOOKUPS_WHILE_BLOCKED);

      expect(codes([await me(office, tenant.apiKey), await status(office, tenant.token), await status(office, tenant.token)])).toEqual([
        200, 200, 200,
      ]);
    });

    it('behind a blocked address a new tenant gets in through one of its lookups, and a rotated key is shut out again', async () => {
      const office = '203.0.113.42';
      for (let i = 0; i < 10; i += 1) await me(office, `gwa_guess_${i}`);
      expect(codes([await me(office, 'gwa_guess')])).toEqual(['IP_BLOCKED']);
      const newcomer = await pairedSession(t);
      expect(
        codes([await status(office, newcomer.token), await status(office, newcomer.token), await me(office, newcomer.apiKey)]),
      ).toEqual([200, 200, 200]);

      await t.app.inject({ method: 'POST', url: `/internal/users/${newcomer.userId}/apikey/rotate`, headers: internal(), payload: {} });
      expect(codes([await me(office, newcomer.apiKey)])).toEqual(['IP_BLOCKED']);
      const forgotten = credentialId('customer-key', newcomer.apiKey);
      await vi.waitFor(async () => expect(await t.deps.limiter.credentials.knownElsewhere(forgotten)).toBe(false));
      while (await t.deps.limiter.lookupWhileBlocked(office)) {}
      const before = s.lookups();
      expect(codes([await me(office, newcomer.apiKey), await me(office, newcomer.apiKey)])).toEqual(['IP_BLOCKED', 'IP_BLOCKED']);
      expect(s.lookups() - before).toBe(0);
    });

    it('an exempt address is never limited, and its requests spend no budget', async () => {
      const tenant = await pairedSession(t);
      const answers = [];
      for (let i = 0; i < 40; i += 1) answers.push(await me(EXEMPT, 'gwa_nobody'), await status(EXEMPT, tenant.token));
      expect(new Set(answers.map((a) => a.statusCode))).toEqual(new Set([401, 200]));
      expect(answers.every((a) => a.headers['ratelimit-limit'] === undefined)).toBe(true);
      const inRange = await me('198.18.200.1', 'gwa_nobody');
      expect(inRange.statusCode).toBe(401);
      expect(inRange.headers['ratelimit-limit']).toBeUndefined();
      const counted = await status('203.0.113.43', tenant.token);
      expect(counted.statusCode).toBe(200);
      expect(counted.headers['ratelimit-remaining']).toBe('28');
    });
  });
});
