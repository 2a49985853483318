import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { customer, internal } from '../../helpers/app.js';
import { seedUser } from '../../helpers/seed.js';
import { createAppWithSimulator } from '../../helpers/sim.js';
import { failingStatements, openTestStore } from '../../helpers/store.js';

// Issue 18: the audit record is part of its change's transaction. A change that fails half-way
// records nothing; a record that cannot be written fails the change. Each case then retries the
// same change and finds it recorded exactly once.
let store: Awaited<ReturnType<typeof openTestStore>>;
let faults: ReturnType<typeof failingStatements>;
let t: Awaited<ReturnType<typeof createAppWithSimulator>>;

beforeAll(async () => {
  store = await openTestStore();
  faults = failingStatements(store.db);
  t = await createAppWithSimulator({ db: faults.db, now: '2026-06-01T10:00:00Z' });
});
afterAll(async () => {
  await t?.close();
  await store?.close();
});
beforeEach(() => {
  t.sim.reset();
});

const AUDIT_INSERT = /INSERT INTO gateway_audit_log/;
const recordsOf = async (userId: string, action?: string) =>
  (
    await store.db.query<{ action: string }>(
      'SELECT action FROM gateway_audit_log WHERE user_id = $1 AND ($2::text IS NULL OR action = $2)',
      [userId, action ?? null],
    )
  ).rows.map((r) => r.action);
const upsert = (body: object) => t.app.inject({ method: 'POST', url: '/internal/users', headers: internal(), payload: body });
const failing = async <T extends { statusCode: number }>(pattern: RegExp, request: () => Promise<T>) => {
  faults.failNext(pattern);
  const res = await request();
  expect(faults.armed(), 'the injected failure was reached').toBe(false);
  expect(res.statusCode).toBe(500);
  return res;
};

describe('no change without its record, no record without its change', () => {
  it('a new user whose subscription fails after the user and its record were written: neither is kept', async () => {
    const body = { user_id: 'atomic_1', source: 'app', expires_at: '2030-01-01T00:00:00Z' };
    await failing(/INSERT INTO wa_user_subscriptions/, () => upsert(body));
    expect((await store.db.query('SELECT id FROM wa_service_users WHERE id = $1', ['atomic_1'])).rows).toEqual([]);
    expect(await recordsOf('atomic_1')).toEqual([]);
    expect((await upsert(body)).statusCode).toBe(200);
    expect((await recordsOf('atomic_1')).sort()).toEqual(['subscription.create', 'user.create']);
  });

  it('a new user whose record cannot be written is not created', async () => {
    const body = { user_id: 'atomic_2', source: 'app', expires_at: '2030-01-01T00:00:00Z' };
    await failing(AUDIT_INSERT, () => upsert(body));
    expect((await store.db.query('SELECT id FROM wa_service_users WHERE id = $1', ['atomic_2'])).rows).toEqual([]);
    expect((await upsert(body)).json().api_key).toMatch(/^gwa_/);
  });

  it('a status change or a renewal whose record fails changes nothing', async () => {
    const { userId, apiKey } = await seedUser(t.app);
    const put = (payload: object) => t.app.inject({ method: 'PUT', url: `/internal/users/${userId}`, headers: internal(), payload });
    await failing(AUDIT_INSERT, () => put({ status: 'inactive', expires_at: '2031-01-01T00:00:00Z' }));
    expect((await t.app.inject({ url: '/v1/me', headers: customer(apiKey) })).statusCode).toBe(200);
    const user = (await t.app.inject({ url: `/internal/users/${userId}`, headers: internal() })).json();
    expect(user).toMatchObject({ status: 'active', subscription: { expires_at: '2030-01-01T00:00:00.000Z' } });
    expect(await recordsOf(userId, 'user.status')).toEqual([]);
    await put({ status: 'inactive' });
    expect(await recordsOf(userId, 'user.status')).toEqual(['user.status']);
  });

  it('a rotation whose record fails issues no key: the old key alone still works, with no grace', async () => {
    const { userId, apiKey } = await seedUser(t.app);
    const rotate = () =>
      t.app.inject({ method: 'POST', url: `/internal/users/${userId}/apikey/rotate`, headers: internal(), payload: { grace_seconds: 60 } });
    await failing(AUDIT_INSERT, rotate);
    expect((await t.app.inject({ url: '/v1/me', headers: customer(apiKey) })).statusCode).toBe(200);
    expect((await t.app.inject({ url: `/internal/users/${userId}/apikey`, headers: internal() })).json()).toMatchObject({
      previous_key_expires_at: null,
    });
    expect(await recordsOf(userId)).not.toContain('apikey.rotate');
    expect((await rotate()).statusCode).toBe(200);
    expect(await recordsOf(userId, 'apikey.rotate')).toEqual(['apikey.rotate']);
  });

  it('a session create whose record fails leaves no session on either side', async () => {
    const { userId, apiKey } = await seedUser(t.app);
    const create = () =>
      t.app.inject({ method: 'POST', url: '/v1/sessions', headers: customer(apiKey), payload: { session_name: 'atomic' } });
    await failing(AUDIT_INSERT, create);
    expect((await store.db.query('SELECT id FROM wa_sessions WHERE user_id = $1', [userId])).rows).toEqual([]);
    expect(t.sim.requests.some((r) => r.method === 'DELETE' && r.path.startsWith('/admin/users/'))).toBe(true);
    expect(await recordsOf(userId)).not.toContain('session.create');
    expect((await create()).statusCode).toBe(201);
    expect(await recordsOf(userId, 'session.create')).toEqual(['session.create']);
  });

  it('settings whose record fails are not stored; a delete whose record fails keeps the row, and a retry records it once', async () => {
    const { userId, apiKey } = await seedUser(t.app);
    const created = await t.app.inject({ method: 'POST', url: '/v1/sessions', headers: customer(apiKey), payload: { session_name: 's' } });
    const sessionId = created.json().session.session_id as string;
    const settingsUrl = `/v1/sessions/${sessionId}/settings`;
    const change = () =>
      t.app.inject({
        method: 'PUT',
        url: settingsUrl,
        headers: customer(apiKey),
        payload: { typing_enabled: true, webhook_secret: 'x'.repeat(32) },
      });
    await failing(AUDIT_INSERT, change);
    expect((await t.app.inject({ url: settingsUrl, headers: customer(apiKey) })).json()).toMatchObject({
      typing_enabled: false,
      webhook_secret_set: false,
    });
    expect(await recordsOf(userId, 'session.settings')).toEqual([]);
    expect((await change()).statusCode).toBe(200);
    expect(await recordsOf(userId, 'session.settings')).toEqual(['session.settings']);

    const remove = () => t.app.inject({ method: 'DELETE', url: `/v1/sessions/${sessionId}`, headers: customer(apiKey) });
    await failing(AUDIT_INSERT, remove);
    expect((await store.db.query('SELECT id FROM wa_sessions WHERE session_id = $1', [sessionId])).rows).toHaveLength(1);
    expect(await recordsOf(userId, 'session.delete')).toEqual([]);
    // genfity-wa already deleted it: the retry still removes the row (B11), and records it once.
    expect((await remove()).statusCode).toBe(200);
    expect(await recordsOf(userId, 'session.delete')).toEqual(['session.delete']);
  });

  it('parallel deletes of one session record one delete', async () => {
    const { userId, apiKey } = await seedUser(t.app);
    const created = await t.app.inject({
      method: 'POST',
      url: '/v1/sessions',
      headers: customer(apiKey),
      payload: { session_name: 'twice' },
    });
    const url = `/v1/sessions/${created.json().session.session_id}`;
    const answers = await Promise.all([0, 1, 2].map(() => t.app.inject({ method: 'DELETE', url, headers: customer(apiKey) })));
    expect(answers.filter((r) => r.statusCode === 200).length).toBeGreaterThanOrEqual(1);
    expect(await recordsOf(userId, 'session.delete')).toEqual(['session.delete']);
  });

  it('an expiry sweep whose records fail expires nothing; the next run expires and records each once', async () => {
    const lapsed = await seedUser(t.app, { expires_at: '2026-06-01T10:00:10Z' });
    t.clock.set('2026-06-01T10:01:00Z');
    faults.failNext(AUDIT_INSERT);
    expect(await t.deps.jobs.expirySweep.runOnce()).toBeNull();
    expect(faults.armed()).toBe(false);
    const status = async () =>
      (await store.db.query<{ status: string }>('SELECT status FROM wa_user_subscriptions WHERE user_id = $1', [lapsed.userId])).rows[0]!
        .status;
    expect(await status()).toBe('active');
    expect(await recordsOf(lapsed.userId, 'subscription.expire')).toEqual([]);
    expect(await t.deps.jobs.expirySweep.runOnce()).toMatchObject({ ran: true });
    expect(await status()).toBe('expired');
    expect(await recordsOf(lapsed.userId, 'subscription.expire')).toEqual(['subscription.expire']);
  });
});
