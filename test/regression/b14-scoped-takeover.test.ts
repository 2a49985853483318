/**
 * B14 (go-service-api §12, internal.go:143-148, 179-185): "A scoped key can take over a user of another
 * source through `POST /internal/users` (no ownership check), although `PUT` does check ownership
 * (internal.go:232-235)."
 *
 * Gateway: a scoped key that upserts another source's user gets 403 `user does not belong to this
 * source`; the user keeps its source, plan and key. A scoped key still upserts its own users, and a
 * global key may move a user between sources (as the Go PUT allowed).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, customer, GLOBAL_KEY, internal, SCOPED_KEY, type TestApp } from '../helpers/app.js';
import { seedUser } from '../helpers/seed.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

const upsert = (payload: object, key: string) => t.app.inject({ method: 'POST', url: '/internal/users', headers: internal(key), payload });
const rowOf = async (userId: string) =>
  (
    await t.db.query<{ source_service: string; max_sessions: number }>(
      `SELECT u.source_service, s.max_sessions FROM wa_service_users u JOIN wa_user_subscriptions s ON s.user_id = u.id WHERE u.id = $1`,
      [userId],
    )
  ).rows[0];

describe('B14: no take-over through the upsert', () => {
  it('a scoped key (source "app") cannot upsert a user of source "other"', async () => {
    const victim = await seedUser(t.app, { source: 'other', max_sessions: 2 });
    const res = await upsert({ user_id: victim.userId, source: 'app', expires_at: '2035-01-01T00:00:00Z', max_sessions: 50 }, SCOPED_KEY);
    expect(res.statusCode).toBe(403);
    expect(res.json()).toEqual({ message: 'user does not belong to this source', code: 'USER_NOT_IN_SOURCE' });
    expect(await rowOf(victim.userId)).toEqual({ source_service: 'other', max_sessions: 2 });
    expect((await t.app.inject({ url: '/v1/me', headers: customer(victim.apiKey) })).statusCode).toBe(200);
  });

  it("a scoped key still upserts its own source's users; a global key may move a user", async () => {
    const own = await seedUser(t.app, { source: 'app' });
    expect(
      (await upsert({ user_id: own.userId, source: 'app', expires_at: '2035-01-01T00:00:00Z', max_sessions: 4 }, SCOPED_KEY)).statusCode,
    ).toBe(200);
    expect(await rowOf(own.userId)).toEqual({ source_service: 'app', max_sessions: 4 });
    expect(
      (await upsert({ user_id: own.userId, source: 'other', expires_at: '2035-01-01T00:00:00Z', max_sessions: 4 }, GLOBAL_KEY)).statusCode,
    ).toBe(200);
    expect((await rowOf(own.userId))!.source_service).toBe('other');
  });
});
