import { describe, expect, it } from 'vitest';
import { AppError } from '../../src/errors.js';
import { createReadiness, providerCheck } from '../../src/services/readiness.js';

const never = () => new Promise<never>(() => undefined);

describe('createReadiness', () => {
  it('ready only when every check passes; each check by name, with details only where something was said', async () => {
    const readiness = createReadiness({
      checks: {
        store: async () => ({ ok: true }),
        encryption: async () => ({ ok: true, detail: 'ENCRYPTION_KEY unset: secrets stay as the Go service kept them' }),
      },
    });
    expect(await readiness.check()).toEqual({
      ready: true,
      checks: { store: 'ok', encryption: 'ok' },
      details: { encryption: 'ENCRYPTION_KEY unset: secrets stay as the Go service kept them' },
    });
  });

  it('a failing, throwing or hung check makes it not ready, with a short reason and never a stack', async () => {
    const readiness = createReadiness({
      timeoutMs: 50,
      checks: {
        redis: async () => ({ ok: false, detail: 'PING failed' }),
        store: async () => {
          throw Object.assign(new Error('connect ECONNREFUSED 10.0.0.5:5432 password=secret'), { code: 'ECONNREFUSED' });
        },
        provider: async () => {
          throw new AppError('PROVIDER_TIMEOUT');
        },
        hung: never,
      },
    });
    const started = Date.now();
    const report = await readiness.check();
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(report).toEqual({
      ready: false,
      checks: { redis: 'down', store: 'down', provider: 'down', hung: 'down' },
      details: { redis: 'PING failed', store: 'failed (ECONNREFUSED)', provider: 'provider timed out', hung: 'no answer within 50 ms' },
    });
  });

  it('providerCheck: a health answer of 5xx is down, below 500 is up', async () => {
    expect(await providerCheck({ health: async () => true })()).toEqual({ ok: true });
    expect((await providerCheck({ health: async () => false })()).ok).toBe(false);
  });
});
