import type { Static } from 'typebox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditItem } from '../../../src/routes/internal/audit.schemas.js';
import { customer, GLOBAL_KEY, internal, OTHER_SCOPED_KEY, SCOPED_KEY } from '../../helpers/app.js';
import { seedUser } from '../../helpers/seed.js';
import { createAppWithSimulator } from '../../helpers/sim.js';

// Issue 18 §3 (SPEC §10): every change through /internal and every customer change of state is
// recorded once, with who made it, the request id, the client address and what changed (secrets
// never); GET /internal/audit reads the trail, scoped keys their own source only.
let t: Awaited<ReturnType<typeof createAppWithSimulator>>;
beforeAll(async () => {
  // The test's requests come from 127.0.0.1; trusting it as a proxy lets them name a client address.
  t = await createAppWithSimulator({ now: '2026-06-01T10:00:00Z', env: { TRUST_PROXY: '127.0.0.1' } });
});
afterAll(async () => {
  await t.close();
});

const CLIENT = '203.0.113.7';
type Item = Omit<Static<typeof AuditItem>, 'at' | 'changes'> & { at: string; changes: Record<string, unknown> };
const send = (method: 'POST' | 'PUT' | 'DELETE', url: string, headers: Record<string, string>, payload?: object, requestId?: string) =>
  t.app.inject({
    method,
    url,
    headers: { ...headers, 'x-forwarded-for': CLIENT, ...(requestId ? { 'x-request-id': requestId } : {}) },
    ...(payload ? { payload } : {}),
  });
const audit = (query: string, key = GLOBAL_KEY) => t.app.inject({ url: `/internal/audit?${query}`, headers: internal(key) });
const itemsOf = async (query: string, key = GLOBAL_KEY) => (await audit(query, key)).json().items as Item[];

describe('audit trail: happy', () => {
  const SECRET_1 = 's3cret-one-'.repeat(4);
  const SECRET_2 = 's3cret-two-'.repeat(4);
  let userId: string;
  let apiKey: string;
  let rotated: string;
  let sessionId: string;
  let token: string;

  it('records each change once, with its actor, request id and client address', async () => {
    userId = 'audit_user_1';
    const body = { user_id: userId, source: 'app', expires_at: '2027-01-01T00:00:00Z', max_sessions: 2, max_messages: 100 };
    apiKey = (await send('POST', '/internal/users', internal(SCOPED_KEY), body, 'req-create')).json().api_key;
    // The same upsert again changes nothing, so it records nothing (govconnect repeats it often).
    await send('POST', '/internal/users', internal(SCOPED_KEY), body);
    await send('POST', '/internal/users', internal(GLOBAL_KEY), { ...body, expires_at: '2028-01-01T00:00:00Z' }, 'req-renew');
    await send('PUT', `/internal/users/${userId}`, internal(GLOBAL_KEY), { status: 'inactive' });
    await send('PUT', `/internal/users/${userId}`, internal(GLOBAL_KEY), { status: 'active', max_sessions: 3 });
    rotated = (await send('POST', `/internal/users/${userId}/apikey/rotate`, internal(SCOPED_KEY), { grace_seconds: 3600 })).json().api_key;

    const created = await send(
      'POST',
      '/v1/sessions',
      customer(rotated),
      { session_name: 'desk', webhook_secret: SECRET_1, auto_connect: true },
      'req-s',
    );
    expect(created.statusCode).toBe(201);
    ({ session_id: sessionId, session_token: token } = created.json().session);
    t.sim.pair(sessionId);
    await send('PUT', `/v1/sessions/${sessionId}`, customer(apiKey), { session_name: 'front desk' });
    await send('PUT', `/v1/sessions/${sessionId}/settings`, customer(rotated), { webhook_secret: SECRET_2, auto_read_enabled: true });
    // A settings call that changes nothing, and a contact sync, are not changes.
    await send('PUT', `/v1/sessions/${sessionId}/settings`, customer(rotated), { auto_read_enabled: true });
    expect((await send('POST', `/v1/sessions/${sessionId}/contacts/sync`, customer(rotated))).statusCode).toBe(200);
    expect((await send('DELETE', `/v1/sessions/${sessionId}`, customer(rotated))).statusCode).toBe(200);

    const items = await itemsOf(`user_id=${userId}&limit=100`);
    const byAction = (action: string) => items.filter((i) => i.action === action);
    expect(items.map((i) => i.action).sort()).toEqual(
      [
        'user.create',
        'subscription.create',
        'subscription.update',
        'user.status',
        'user.status',
        'subscription.update',
        'apikey.rotate',
        'session.create',
        'session.update',
        'session.settings',
        'session.delete',
      ].sort(),
    );
    expect(byAction('user.create')[0]).toMatchObject({
      actor: { type: 'internal', name: 'app' },
      request_id: 'req-create',
      ip: CLIENT,
      session_id: null,
      changes: {
        source_service: { before: null, after: 'app' },
        status: { before: null, after: 'active' },
        api_key: 'set',
      },
    });
    expect(byAction('subscription.create')[0]).toMatchObject({
      actor: { type: 'internal', name: 'app' },
      request_id: 'req-create',
      changes: {
        provider: { before: null, after: 'genfity-wa' },
        expires_at: { before: null, after: '2027-01-01T00:00:00.000Z' },
        max_sessions: { before: null, after: 2 },
        max_messages: { before: null, after: 100 },
      },
    });
    const [plan, renewal] = byAction('subscription.update');
    expect(renewal).toMatchObject({
      actor: { type: 'internal', name: 'global' },
      request_id: 'req-renew',
      changes: { expires_at: { before: '2027-01-01T00:00:00.000Z', after: '2028-01-01T00:00:00.000Z' } },
    });
    expect(plan).toMatchObject({ actor: { type: 'internal', name: 'global' }, changes: { max_sessions: { before: 2, after: 3 } } });
    expect(byAction('user.status').map((i) => i.changes.status)).toEqual([
      { before: 'inactive', after: 'active' },
      { before: 'active', after: 'inactive' },
    ]);
    expect(byAction('apikey.rotate')[0]).toMatchObject({
      actor: { type: 'internal', name: 'app' },
      changes: { api_key: 'changed', previous_key_expires_at: { before: null, after: '2026-06-01T11:00:00.000Z' } },
    });
    expect(byAction('session.create')[0]).toMatchObject({
      actor: { type: 'customer', name: userId },
      session_id: sessionId,
      request_id: 'req-s',
      ip: CLIENT,
      changes: { session_name: { before: null, after: 'desk' }, webhook_secret: 'set', session_token: 'set' },
    });
    expect(byAction('session.update')[0]).toMatchObject({
      actor: { type: 'customer', name: userId },
      changes: { session_name: { before: 'desk', after: 'front desk' } },
    });
    expect(byAction('session.settings')[0]!.changes).toEqual({
      auto_read_enabled: { before: false, after: true },
      webhook_secret: 'changed',
    });
    expect(byAction('session.delete')[0]).toMatchObject({
      session_id: sessionId,
      changes: { session_name: { before: 'front desk', after: null } },
    });
    // Every request got its own id; the one sent by the caller is kept.
    expect(new Set(items.map((i) => i.request_id)).size).toBeGreaterThanOrEqual(8);
    expect(items.every((i) => typeof i.request_id === 'string' && i.ip === CLIENT)).toBe(true);
  });

  it('never writes a secret: no key, token, webhook secret or hash in the trail', async () => {
    const { rows } = await t.db.query<{ changes: unknown }>('SELECT * FROM gateway_audit_log WHERE user_id = $1', [userId]);
    const stored = JSON.stringify(rows);
    for (const secret of [apiKey, rotated, token, SECRET_1, SECRET_2]) expect(stored).not.toContain(secret);
    expect(stored).not.toMatch(/[0-9a-f]{64}/);
  });

  it('the expiry sweep is recorded as the system', async () => {
    await send('PUT', `/internal/users/${userId}`, internal(), { expires_at: '2026-06-01T10:00:30Z' });
    t.clock.set('2026-06-01T10:01:00Z');
    expect(await t.deps.jobs.expirySweep.runOnce()).toMatchObject({ ran: true, expired: 1 });
    const [expired] = await itemsOf(`user_id=${userId}&action=subscription.expire`);
    expect(expired).toMatchObject({
      actor: { type: 'system', name: 'expiry-sweep' },
      at: '2026-06-01T10:01:00.000Z',
      request_id: null,
      ip: null,
      changes: { status: { before: 'active', after: 'expired' } },
    });
  });

  it('filters by action and time, newest first, page by page', async () => {
    const all = await itemsOf(`user_id=${userId}&limit=100`);
    expect(all.map((i) => i.at)).toEqual([...all.map((i) => i.at)].sort().reverse());
    const page1 = (await audit(`user_id=${userId}&limit=3&page=1`)).json();
    const page2 = (await audit(`user_id=${userId}&limit=3&page=2`)).json();
    expect(page1.meta).toEqual({ page: 1, limit: 3, total: all.length });
    expect([...page1.items, ...page2.items].map((i: Item) => i.id)).toEqual(all.slice(0, 6).map((i) => i.id));
    expect((await itemsOf(`user_id=${userId}&action=user.status`)).map((i) => i.action)).toEqual(['user.status', 'user.status']);
    expect(await itemsOf(`user_id=${userId}&from=2026-06-01T10:00:30Z`)).toHaveLength(1);
    expect(await itemsOf(`user_id=${userId}&to=2026-06-01T10:00:59Z`)).toHaveLength(all.length - 1);
    expect(await itemsOf(`user_id=${userId}&from=2026-06-01&to=2026-06-01`)).toHaveLength(all.length);
    expect(await itemsOf(`user_id=${userId}&from=2026-06-02`)).toEqual([]);
  });

  it('limit above 100 is cut to 100, as on GET /internal/users', async () => {
    expect((await audit('limit=500')).json().meta).toMatchObject({ limit: 100, page: 1 });
  });

  it('keeps AUDIT_RETENTION_DAYS (400): older records are pruned', async () => {
    const before = (await audit(`user_id=${userId}`)).json().meta.total;
    t.clock.set('2027-07-05T10:00:59Z');
    await t.deps.pruneAudit();
    expect((await audit(`user_id=${userId}`)).json().meta.total).toBe(before);
    t.clock.set('2027-07-06T10:01:00.001Z');
    await t.deps.pruneAudit();
    expect((await audit(`user_id=${userId}`)).json().meta.total).toBe(0);
    t.clock.set('2026-06-01T10:00:00Z');
  });
});

describe('audit trail: errors', () => {
  it.each([
    ['a bad date', 'from=2026-13-01'],
    ['a date that is no day', 'to=2026-02-30'],
    ['a date in another format', 'from=01/06/2026'],
    ['from after to', 'from=2026-06-02&to=2026-06-01'],
    ['limit 0', 'limit=0'],
    ['a limit that is no number', 'limit=ten'],
    ['page 0', 'page=0'],
    ['an unknown action', 'action=user.delete'],
  ])('%s → 400', async (_name, query) => {
    const res = await audit(query);
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'VALIDATION_FAILED', message: expect.any(String) });
  });

  it('needs an internal key', async () => {
    expect((await t.app.inject({ url: '/internal/audit' })).statusCode).toBe(401);
    expect((await t.app.inject({ url: '/internal/audit', headers: internal('wrong') })).statusCode).toBe(401);
  });
});

describe('audit trail: tenant isolation', () => {
  it("a scoped key reads its own source's users only; another source's user_id is 403", async () => {
    const mine = await seedUser(t.app, { source: 'app' });
    const theirs = await seedUser(t.app, { source: 'other' });
    for (const u of [mine, theirs]) await send('PUT', `/internal/users/${u.userId}`, internal(), { max_messages: 7 });
    const seen = await itemsOf('limit=100', SCOPED_KEY);
    expect(seen.some((i) => i.user_id === mine.userId)).toBe(true);
    expect(seen.some((i) => i.user_id === theirs.userId)).toBe(false);
    const other = await itemsOf('limit=100', OTHER_SCOPED_KEY);
    expect(other.some((i) => i.user_id === theirs.userId)).toBe(true);
    expect(other.some((i) => i.user_id === mine.userId)).toBe(false);
    const refused = await audit(`user_id=${theirs.userId}`, SCOPED_KEY);
    expect(refused.statusCode).toBe(403);
    expect(refused.json()).toMatchObject({ code: 'USER_NOT_IN_SOURCE' });
    expect((await audit('user_id=nobody-at-all', SCOPED_KEY)).statusCode).toBe(403);
    expect((await audit('user_id=nobody-at-all')).json()).toEqual({ items: [], meta: { page: 1, limit: 20, total: 0 } });
    expect((await itemsOf(`user_id=${mine.userId}`, SCOPED_KEY)).length).toBeGreaterThan(0);
  });
});
