import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestApp, internal, type TestApp } from '../../helpers/app.js';
import { seedUser } from '../../helpers/seed.js';
import { type UsageRows, writeUsage } from '../../helpers/usage.js';

// Issue 17 §3: the operator overview, and the usage routes in the OpenAPI document.
let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});
beforeEach(() => {
  t.clock.set('2026-06-01T00:00:00Z');
});

const addUsage = (userId: string, rows: UsageRows) => writeUsage(t.db, userId, rows, t.clock.now());

describe('GET /internal/overview', () => {
  it('users by status, sessions, messages today / this month / 30 days, top senders and the outbox, per source', async () => {
    const src = `ov${Date.now()}`;
    const a = await seedUser(t.app, { source: src, user_id: `${src}-a` });
    const b = await seedUser(t.app, { source: src, user_id: `${src}-b` });
    await seedUser(t.app, { source: src, user_id: `${src}-c` });
    await t.app.inject({ method: 'PUT', url: `/internal/users/${src}-c`, headers: internal(), payload: { status: 'inactive' } });
    await addUsage(a.userId, [
      ['2026-06-01', 's', 'text', 5, 1, 2],
      ['2026-05-20', 's', 'text', 100, 0, 0],
    ]);
    await addUsage(b.userId, [['2026-06-01', 's', 'text', 7, 0, 0]]);
    const res = await t.app.inject({ url: '/internal/overview', headers: internal() });
    expect(res.statusCode).toBe(200);
    const all = res.json();
    expect(all.today).toBe('2026-06-01');
    expect(all.messages.days).toHaveLength(30);
    expect(all.messages.days.at(-1).date).toBe('2026-06-01');
    expect(all.messages.today.sent).toBeGreaterThanOrEqual(12);
    expect(all.webhooks).toEqual({ pending: expect.any(Number), retrying: expect.any(Number), failed: expect.any(Number) });
    // The same through a scoped key of that source only: exact figures.
    const scoped = createTestApp({ db: t.db, env: { INTERNAL_API_KEYS: `${src}:key-of-${src}` } });
    const s = await scoped;
    try {
      s.clock.set(t.clock.now());
      const mine = (await s.app.inject({ url: '/internal/overview', headers: internal(`key-of-${src}`) })).json();
      expect(mine).toMatchObject({
        source: src,
        users: { active: 2, inactive: 1 },
        sessions: { connected: 0, disconnected: 0, by_health: {} },
        messages: { today: { sent: 12, failed: 1, received: 2 }, this_month: { sent: 12, failed: 1, received: 2 } },
        webhooks: { pending: 0, retrying: 0, failed: 0 },
      });
      expect(mine.messages.days.find((d: { date: string }) => d.date === '2026-05-20')).toEqual({
        date: '2026-05-20',
        sent: 100,
        failed: 0,
        received: 0,
      });
      expect(mine.top_users.map((u: { user_id: string; sent: number }) => [u.user_id, u.sent])).toEqual([
        [`${src}-b`, 7],
        [`${src}-a`, 5],
      ]);
    } finally {
      await s.close();
    }
  });
});

describe('in the OpenAPI document', () => {
  it('has the usage routes with their parameters and response shapes, CSV included', async () => {
    const doc = (await t.app.inject({ url: '/openapi.json' })).json();
    const props = (op: any, type = 'application/json') => Object.keys(op.responses['200'].content[type].schema.properties ?? {});
    const v1 = doc.paths['/v1/usage'].get;
    expect(v1.security).toEqual([{ apiKey: [] }]);
    expect(v1.parameters.map((p: { name: string }) => p.name).sort()).toEqual(['from', 'session_id', 'to']);
    expect(props(v1)).toEqual(['from', 'to', 'days', 'totals']);
    expect(v1.responses['200'].content['application/json'].schema.properties.days.items.properties).toHaveProperty('by_type');
    expect(props(doc.paths['/internal/users/{user_id}/usage'].get)).toEqual(['from', 'to', 'days', 'totals']);
    const totals = doc.paths['/internal/usage'].get;
    expect(totals.parameters.map((p: { name: string }) => p.name).sort()).toEqual(['format', 'from', 'limit', 'page', 'source', 'to']);
    expect(props(totals)).toEqual(['items', 'meta']);
    expect(totals.responses['200'].content['text/csv'].schema.type).toBe('string');
    expect(Object.keys(totals.responses)).toEqual(expect.arrayContaining(['200', '400', '401', '403']));
    expect(props(doc.paths['/internal/overview'].get)).toEqual(
      expect.arrayContaining(['users', 'sessions', 'messages', 'top_users', 'webhooks']),
    );
  });
});
