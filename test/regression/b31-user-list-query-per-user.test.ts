/**
 * B31 (go-service-api §12, internal.go:103-113): "The user list runs two extra queries per user and
 * ignores their errors."
 *
 * Gateway: a page of `/internal/users` is one count and one page query (each user joined with its newest
 * subscription for the provider and its session count), however many users it holds; and the answer is
 * still right for each user. Queries are counted through the store the test hands to the app (a seam,
 * no module mocking).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../src/store/index.js';
import { createTestApp, internal, type TestApp } from '../helpers/app.js';
import { seedUser } from '../helpers/seed.js';
import { openTestStore } from '../helpers/store.js';

let t: TestApp;
let store: Awaited<ReturnType<typeof openTestStore>>;
const seen: string[] = [];
const USER_TABLES = /wa_service_users|wa_user_subscriptions|wa_sessions/;

beforeAll(async () => {
  store = await openTestStore();
  const counting: Db = {
    ...store.db,
    query: (text, params) => {
      seen.push(text);
      return store.db.query(text, params);
    },
  };
  t = await createTestApp({ db: counting });
  for (let i = 0; i < 50; i += 1) {
    const { userId } = await seedUser(t.app, { user_id: `b31_${String(i).padStart(2, '0')}`, source: 'b31', max_sessions: 1 + (i % 5) });
    for (let s = 0; s < i % 3; s += 1) {
      await store.db.query('INSERT INTO wa_sessions (user_id, session_id, session_token) VALUES ($1, $2, $3)', [
        userId,
        `${userId}_s${s}`,
        `tok_${userId}_${s}`,
      ]);
    }
  }
  await store.db.query("DELETE FROM wa_user_subscriptions WHERE user_id IN ('b31_07', 'b31_08')");
});
afterAll(async () => {
  await t.close();
  await store.close();
});

async function listed(query: string) {
  seen.length = 0;
  const res = await t.app.inject({ url: `/internal/users?source=b31&${query}`, headers: internal() });
  expect(res.statusCode).toBe(200);
  return { body: res.json(), queries: seen.filter((q) => USER_TABLES.test(q)).length };
}

describe('B31: the user list is a constant number of queries', () => {
  it('50 users in one page: two queries, and every item has its own session_count and subscription', async () => {
    const { body, queries } = await listed('limit=100');
    expect(queries).toBeGreaterThan(0);
    expect(queries).toBeLessThanOrEqual(2);
    expect(body.meta).toMatchObject({ total: 50, limit: 100, source: 'b31', provider: 'genfity-wa' });
    expect(body.items).toHaveLength(50);
    for (const item of body.items as Array<{ id: string; session_count: number; subscription: { max_sessions: number } | null }>) {
      const i = Number(item.id.slice(4));
      expect(item.session_count, item.id).toBe(i % 3);
      if (i === 7 || i === 8) expect(item.subscription, item.id).toBeNull();
      else expect(item.subscription, item.id).toMatchObject({ provider: 'genfity-wa', max_sessions: 1 + (i % 5), status: 'active' });
    }
  });

  it('a page of 5 costs the same as a page of 50', async () => {
    const small = await listed('limit=5&page=2');
    const large = await listed('limit=50');
    expect(small.body.items).toHaveLength(5);
    expect(small.queries).toBe(large.queries);
  });
});
