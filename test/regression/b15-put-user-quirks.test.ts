/**
 * B15 (go-service-api §12, internal.go:219-267): "`PUT /internal/users/:user_id` requires `user_id` in the
 * body but uses the path. It returns 200 `updated` when the user or subscription does not exist (nothing
 * is created). An omitted `max_messages` resets the quota to 0 (unlimited)."
 *
 * Gateway: PUT is a patch on the user named by the path. The Go body (with `user_id`, `source`,
 * `expires_at`) is still accepted and its `user_id` ignored, but none of them is required; omitted fields
 * keep their values; an unknown user is 404 (global key) and nothing is created.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, internal, type TestApp } from '../helpers/app.js';
import { seedUser } from '../helpers/seed.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

const put = (userId: string, payload: object) =>
  t.app.inject({ method: 'PUT', url: `/internal/users/${userId}`, headers: internal(), payload });
const planOf = async (userId: string) =>
  (await t.app.inject({ url: `/internal/users/${userId}`, headers: internal() })).json().subscription;

describe("B15: PUT /internal/users/:user_id is a patch of the path's user", () => {
  it('an omitted max_messages keeps the quota', async () => {
    const { userId } = await seedUser(t.app, { max_messages: 500, max_sessions: 1 });
    const res = await put(userId, { max_sessions: 3 });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ message: 'updated' });
    expect(await planOf(userId)).toMatchObject({ max_sessions: 3, max_messages: 500 });
  });

  it("the Go body is accepted; the path names the user, the body's user_id is ignored", async () => {
    const a = await seedUser(t.app, { max_messages: 10 });
    const b = await seedUser(t.app, { max_messages: 20 });
    const res = await put(a.userId, { user_id: b.userId, source: 'app', expires_at: '2032-01-01T00:00:00Z', max_messages: 99 });
    expect(res.statusCode).toBe(200);
    expect(await planOf(a.userId)).toMatchObject({ max_messages: 99, expires_at: '2032-01-01T00:00:00.000Z' });
    expect(await planOf(b.userId)).toMatchObject({ max_messages: 20 });
  });

  it('an unknown user → 404 and nothing is created', async () => {
    const res = await put('b15_ghost', { source: 'app', expires_at: '2032-01-01T00:00:00Z', max_sessions: 2 });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({ message: 'user not found', code: 'USER_NOT_FOUND' });
    expect((await t.db.query("SELECT 1 FROM wa_service_users WHERE id = 'b15_ghost'")).rows).toEqual([]);
    expect((await t.db.query("SELECT 1 FROM wa_user_subscriptions WHERE user_id = 'b15_ghost'")).rows).toEqual([]);
  });
});
