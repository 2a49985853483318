import { beforeEach, describe, expect, it } from 'vitest';
import { createTestApp } from '../../helpers/app.js';
import { fileAppWithSimulator } from '../../helpers/sim.js';

const t = fileAppWithSimulator();
beforeEach(() => {
  t.sim.reset();
});

describe('GET /ready', () => {
  it('200 when the store answers and the provider is reachable', async () => {
    const res = await t.app.inject({ url: '/ready' });
    expect(res.statusCode).toBe(200);
    // More checks may be listed (redis, encryption: deps.ts); these two are always there.
    expect(res.json()).toMatchObject({ status: 'ready', checks: { store: 'ok', provider: 'ok' } });
    expect(Object.values(res.json().checks as Record<string, string>).every((c) => c === 'ok')).toBe(true);
  });

  it('503 naming the provider when it is down, 200 again once it is back', async () => {
    t.sim.setDown(true);
    const down = await t.app.inject({ url: '/ready' });
    expect(down.statusCode).toBe(503);
    expect(down.json()).toMatchObject({
      status: 'not_ready',
      checks: { store: 'ok', provider: 'down' },
      details: { provider: 'provider unavailable' },
      message: 'not ready: provider down',
      code: 'NOT_READY',
    });
    t.sim.setDown(false);
    expect((await t.app.inject({ url: '/ready' })).statusCode).toBe(200);
  });

  it('503 when the provider answers its health check with an error or too slowly', async () => {
    t.sim.failNext('/health', { status: 500 });
    expect((await t.app.inject({ url: '/ready' })).json().details).toMatchObject({
      provider: 'provider answered its health check with an error',
    });
    t.sim.setLatency(2_500, '/health');
    const slow = await t.app.inject({ url: '/ready' });
    expect(slow.statusCode).toBe(503);
    expect(slow.json().details.provider).toMatch(/timed out|no answer within/);
  });

  it('503 when no provider is configured; /health stays 200 and touches neither', async () => {
    const bare = await createTestApp();
    try {
      const res = await bare.app.inject({ url: '/ready' });
      expect(res.statusCode).toBe(503);
      expect(res.json()).toMatchObject({ checks: { store: 'ok', provider: 'down' }, details: { provider: 'provider is not configured' } });
      expect((await bare.app.inject({ url: '/health' })).statusCode).toBe(200);
    } finally {
      await bare.close();
    }
  });
});
