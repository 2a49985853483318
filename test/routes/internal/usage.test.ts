import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { GLOBAL_KEY, OTHER_SCOPED_KEY, SCOPED_KEY, createTestApp, internal, type TestApp } from '../../helpers/app.js';
import { seedUser } from '../../helpers/seed.js';
import { openTestStore, recordingStatements } from '../../helpers/store.js';
import { type UsageRows, writeUsage } from '../../helpers/usage.js';

// Issue 17 / SPEC §10: the internal usage reads, for one user and per user for billing runs, JSON and CSV.
// Usage is written here as the flush writes it (store/usage.ts), so each test knows its exact figures.
let store: Awaited<ReturnType<typeof openTestStore>>;
let recorded: ReturnType<typeof recordingStatements>;
let t: TestApp;
beforeAll(async () => {
  store = await openTestStore();
  recorded = recordingStatements(store.db);
  t = await createTestApp({ db: recorded.db });
});
afterAll(async () => {
  await t.close();
  await store.close();
});
beforeEach(() => {
  t.clock.set('2026-06-01T00:00:00Z');
});

const addUsage = (userId: string, rows: UsageRows) => writeUsage(t.db, userId, rows, t.clock.now());
const get = async (url: string, key = GLOBAL_KEY, headers: Record<string, string> = {}) => {
  const res = await t.app.inject({ url, headers: { ...internal(key), ...headers } });
  return {
    status: res.statusCode,
    body: String(res.headers['content-type']).includes('json') ? res.json() : res.body,
    headers: res.headers,
  };
};

describe('GET /internal/users/:user_id/usage', () => {
  it('answers the same shape as /v1/usage, with received messages and types', async () => {
    const { userId } = await seedUser(t.app, { source: 'app' });
    await addUsage(userId, [
      ['2026-05-31', 's1', 'text', 5, 1, 0],
      ['2026-05-31', 's1', 'image', 2, 0, 0],
      ['2026-05-31', 's2', 'text', 1, 0, 0],
      ['2026-06-01', 's1', 'text', 0, 0, 9],
    ]);
    const { status, body } = await get(`/internal/users/${userId}/usage?from=2026-05-31&to=2026-06-01`);
    expect(status).toBe(200);
    expect(body).toEqual({
      from: '2026-05-31',
      to: '2026-06-01',
      days: [
        { date: '2026-05-31', sent: 8, failed: 1, received: 0, by_type: { image: { sent: 2, failed: 0 }, text: { sent: 6, failed: 1 } } },
        { date: '2026-06-01', sent: 0, failed: 0, received: 9, by_type: {} },
      ],
      totals: { sent: 8, failed: 1, received: 9 },
    });
    const one = await get(`/internal/users/${userId}/usage?from=2026-05-31&to=2026-05-31&session_id=s2`);
    expect(one.body.totals).toEqual({ sent: 1, failed: 0, received: 0 });
  });

  it('a scoped key reads its own source only: another source is 403, as elsewhere', async () => {
    const { userId } = await seedUser(t.app, { source: 'app' });
    expect((await get(`/internal/users/${userId}/usage`, SCOPED_KEY)).status).toBe(200);
    const refused = await get(`/internal/users/${userId}/usage`, OTHER_SCOPED_KEY);
    expect(refused).toMatchObject({ status: 403, body: { message: expect.any(String), code: 'USER_NOT_IN_SOURCE' } });
  });

  it('errors: unknown user 404, no key 401, bad ranges 400, a session the user never had 404', async () => {
    const { userId } = await seedUser(t.app);
    expect((await get('/internal/users/nobody-here/usage')).body).toEqual({ message: 'user not found', code: 'USER_NOT_FOUND' });
    expect((await t.app.inject({ url: `/internal/users/${userId}/usage` })).statusCode).toBe(401);
    for (const [query, code] of [
      ['from=2026-06-02&to=2026-06-01', 'USAGE_RANGE_INVALID'],
      ['from=2025-01-01&to=2026-06-01', 'USAGE_RANGE_TOO_LONG'],
      ['from=2026-02-29&to=2026-03-01', 'USAGE_DATE_INVALID'],
    ]) {
      const res = await get(`/internal/users/${userId}/usage?${query}`);
      expect(res, query).toMatchObject({ status: 400, body: { code } });
    }
    expect((await get(`/internal/users/${userId}/usage?session_id=nope`)).body.code).toBe('SESSION_NOT_FOUND');
  });
});

describe('GET /internal/usage', () => {
  const source = `billing${Date.now()}`;
  const ids: string[] = [];
  beforeAll(async () => {
    for (const n of [3, 1, 2]) {
      const { userId } = await seedUser(t.app, { source, user_id: `${source}-u${n}` });
      ids.push(userId);
    }
    await addUsage(`${source}-u1`, [
      ['2026-05-01', 'a', 'text', 10, 2, 3],
      ['2026-06-01', 'a', 'text', 1, 0, 0],
      ['2025-01-01', 'a', 'text', 1000, 0, 0],
    ]);
    await addUsage(`${source}-u2`, [['2026-05-15', 'b', 'image', 4, 0, 1]]);
  });

  it('per-user totals over the range, zeros included, ordered by user id, paged, in one statement per page', async () => {
    recorded.statements.splice(0);
    const first = await get(`/internal/usage?from=2026-05-01&to=2026-05-31&source=${source}&limit=2`);
    expect(recorded.statements.filter((s) => /gateway_usage_daily|wa_service_users/.test(s))).toHaveLength(1);
    expect(first).toMatchObject({ status: 200 });
    expect(first.body).toEqual({
      items: [
        { user_id: `${source}-u1`, source_service: source, sent: 10, failed: 2, received: 3 },
        { user_id: `${source}-u2`, source_service: source, sent: 4, failed: 0, received: 1 },
      ],
      meta: { page: 1, limit: 2, total: 3 },
    });
    const second = await get(`/internal/usage?from=2026-05-01&to=2026-05-31&source=${source}&limit=2&page=2`);
    expect(second.body.items).toEqual([{ user_id: `${source}-u3`, source_service: source, sent: 0, failed: 0, received: 0 }]);
    const past = await get(`/internal/usage?source=${source}&limit=2&page=9`);
    expect(past.body).toEqual({ items: [], meta: { page: 9, limit: 2, total: 3 } });
  });

  it('defaults to the last 30 days, and a scoped key always gets its own source', async () => {
    const recent = await get(`/internal/usage?source=${source}`);
    expect(recent.body.items[0]).toMatchObject({ user_id: `${source}-u1`, sent: 1 });
    const scoped = await get(`/internal/usage?source=${source}&limit=1000`, SCOPED_KEY);
    expect(scoped.status).toBe(200);
    expect(scoped.body.items.length).toBeGreaterThan(0);
    expect(scoped.body.items.every((i: { source_service: string }) => i.source_service === 'app')).toBe(true);
  });

  it('bad input is a 400 with a code', async () => {
    for (const [query, code] of [
      ['from=2026-05-02&to=2026-05-01', 'USAGE_RANGE_INVALID'],
      ['from=2025-05-30&to=2026-05-31', 'USAGE_RANGE_TOO_LONG'],
      ['from=2026-04-31', 'USAGE_DATE_INVALID'],
      ['limit=0', 'VALIDATION_FAILED'],
      ['limit=1001', 'VALIDATION_FAILED'],
      ['format=xml', 'VALIDATION_FAILED'],
    ]) {
      const res = await get(`/internal/usage?${query}`);
      expect(res, query).toMatchObject({ status: 400, body: { message: expect.any(String), code } });
    }
  });

  it('CSV with Accept: text/csv or format=csv: the same rows, every page, escaped', async () => {
    for (const id of ['=cmd|x', 'comma,and "quotes"']) await seedUser(t.app, { source: `${source}-csv`, user_id: id });
    // The API refuses control characters in ids; a database the Go service filled may still hold them.
    await t.db.query(
      "INSERT INTO wa_service_users (id, source_service, customer_api_key, status) VALUES ($1, $2, 'legacy-key-with-newline-id', 'active')",
      ['line\nbreak', `${source}-csv`],
    );
    await addUsage('comma,and "quotes"', [['2026-05-20', 'c', 'text', 7, 0, 0]]);
    const byHeader = await get(`/internal/usage?from=2026-05-01&to=2026-05-31&source=${source}-csv`, GLOBAL_KEY, { accept: 'text/csv' });
    expect(byHeader.status).toBe(200);
    expect(byHeader.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(byHeader.headers['content-disposition']).toBe('attachment; filename="usage-2026-05-01-2026-05-31.csv"');
    expect(byHeader.body).toBe(
      [
        'user_id,source_service,from,to,sent,failed,received',
        `'=cmd|x,${source}-csv,2026-05-01,2026-05-31,0,0,0`,
        `"comma,and ""quotes""",${source}-csv,2026-05-01,2026-05-31,7,0,0`,
        `"line\nbreak",${source}-csv,2026-05-01,2026-05-31,0,0,0`,
        '',
      ].join('\r\n'),
    );
    const byFormat = await get(`/internal/usage?from=2026-05-01&to=2026-05-31&source=${source}-csv&format=csv`);
    expect(byFormat.body).toBe(byHeader.body);
    const json = await get(`/internal/usage?source=${source}-csv&format=json`, GLOBAL_KEY, { accept: 'text/csv' });
    expect(json.body.meta.total).toBe(3);
    const bad = await get('/internal/usage?from=2026-06-02&to=2026-06-01&format=csv');
    expect(bad).toMatchObject({ status: 400, body: { code: 'USAGE_RANGE_INVALID' } });
  });

  it('CSV streams page by page: 1,203 users in three statements of 500', async () => {
    const many = `bulk${Date.now()}`;
    await t.db.query(
      `INSERT INTO wa_service_users (id, source_service, customer_api_key, status, created_at, updated_at)
       SELECT $1 || '-' || lpad(g::text, 5, '0'), $1, $1 || '-key-' || g, 'active', now(), now() FROM generate_series(1, 1203) g`,
      [many],
    );
    await addUsage(`${many}-01203`, [['2026-05-31', 'z', 'text', 3, 0, 0]]);
    recorded.statements.splice(0);
    const res = await get(`/internal/usage?source=${many}&format=csv`);
    const lines = (res.body as string).trimEnd().split('\r\n');
    expect(lines).toHaveLength(1204);
    expect(lines[1]).toBe(`${many}-00001,${many},2026-05-03,2026-06-01,0,0,0`);
    expect(lines[1203]).toBe(`${many}-01203,${many},2026-05-03,2026-06-01,3,0,0`);
    expect(recorded.statements.filter((s) => s.includes('gateway_usage_daily'))).toHaveLength(3);
  });
});

describe('usage retention', () => {
  it('the prune job keeps USAGE_RETENTION_DAYS days, today included, and removes the older ones', async () => {
    const { userId } = await seedUser(t.app);
    await addUsage(userId, [
      ['2025-04-28', 'p', 'text', 1, 0, 0],
      ['2025-04-27', 'p', 'text', 1, 0, 0],
      ['2026-06-01', 'p', 'text', 1, 0, 0],
    ]);
    // 2026-06-01 and the 399 days before it are kept: from 2025-04-28 on.
    await t.deps.jobs.usagePrune.runOnce();
    await t.deps.jobs.usagePrune.runOnce();
    const { rows } = await t.db.query<{ d: string }>(
      "SELECT to_char(day, 'YYYY-MM-DD') AS d FROM gateway_usage_daily WHERE user_id = $1 ORDER BY day",
      [userId],
    );
    expect(rows.map((r) => r.d)).toEqual(['2025-04-28', '2026-06-01']);
  });
});
