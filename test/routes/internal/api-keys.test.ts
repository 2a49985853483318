import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, customer, internal, OTHER_SCOPED_KEY, SCOPED_KEY, type TestApp } from '../../helpers/app.js';
import { seedUser } from '../../helpers/seed.js';
import { openTestStore, recordingStatements } from '../../helpers/store.js';

// Issue 18 §1–2 (SPEC §10 "Keys like a key platform"): rotation with overlap, on two instances of the
// gateway sharing one store (each with its own app and dependencies), and the last use of a key.
const NOW = '2026-06-01T10:00:00Z';
let store: Awaited<ReturnType<typeof openTestStore>>;
let recorded: ReturnType<typeof recordingStatements>;
let a: TestApp;
let b: TestApp;

beforeAll(async () => {
  store = await openTestStore();
  recorded = recordingStatements(store.db);
  a = await createTestApp({ db: recorded.db, now: NOW });
  b = await createTestApp({ db: store.db, now: NOW });
});
afterAll(async () => {
  await a?.close();
  await b?.close();
  await store?.close();
});

/** Both instances' clocks move together, as real clocks would. */
const at = (iso: string) => {
  a.clock.set(iso);
  b.clock.set(iso);
};
const sha256 = (v: string) => createHash('sha256').update(v).digest('hex');
const me = (t: TestApp, key: string) => t.app.inject({ url: '/v1/me', headers: customer(key) });
const rotate = (userId: string, payload?: unknown, key?: string) =>
  a.app.inject({
    method: 'POST',
    url: `/internal/users/${userId}/apikey/rotate`,
    headers: { ...internal(key), ...(payload === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(payload === undefined ? {} : { payload: typeof payload === 'string' ? payload : JSON.stringify(payload) }),
  });
const keyInfo = async (userId: string, t = a) =>
  (await t.app.inject({ url: `/internal/users/${userId}/apikey`, headers: internal() })).json();

describe('rotation with grace', () => {
  it('the old key works on both instances until the grace ends, and is refused on both from that instant', async () => {
    at(NOW);
    const { userId, apiKey: old } = await seedUser(a.app);
    const res = await rotate(userId, { grace_seconds: 3600 });
    expect(res.statusCode).toBe(200);
    const fresh = res.json().api_key as string;
    expect(fresh).toMatch(/^gwa_[\w-]{43}$/);
    for (const t of [a, b]) {
      expect((await me(t, old)).statusCode).toBe(200);
      expect((await me(t, fresh)).statusCode).toBe(200);
    }
    expect(await keyInfo(userId, b)).toMatchObject({ previous_key_expires_at: '2026-06-01T11:00:00.000Z' });
    at('2026-06-01T10:59:59.999Z');
    for (const t of [a, b]) expect((await me(t, old)).statusCode).toBe(200);
    at('2026-06-01T11:00:00.000Z');
    for (const t of [a, b]) {
      const refused = await me(t, old);
      expect(refused.statusCode).toBe(401);
      expect(refused.json()).toEqual({ message: 'invalid api key', code: 'API_KEY_INVALID' });
      expect((await me(t, fresh)).statusCode).toBe(200);
    }
    expect(await keyInfo(userId)).toMatchObject({ previous_key_expires_at: null, previous_key_last_used_at: null });
  });

  it('a second rotation ends the first grace at once: one previous key at most', async () => {
    at(NOW);
    const { userId, apiKey: first } = await seedUser(a.app);
    const second = (await rotate(userId, { grace_seconds: 86_400 })).json().api_key as string;
    expect((await me(b, first)).statusCode).toBe(200);
    at('2026-06-01T10:05:00Z');
    const third = (await rotate(userId, { grace_seconds: 600 })).json().api_key as string;
    for (const t of [a, b]) {
      expect((await me(t, first)).statusCode).toBe(401);
      expect((await me(t, second)).statusCode).toBe(200);
      expect((await me(t, third)).statusCode).toBe(200);
    }
    expect(await keyInfo(userId)).toMatchObject({ previous_key_expires_at: '2026-06-01T10:15:00.000Z' });
    // A rotation without grace ends the second key's grace too.
    const fourth = (await rotate(userId, {})).json().api_key as string;
    for (const key of [first, second, third]) expect((await me(b, key)).statusCode).toBe(401);
    expect((await me(b, fourth)).statusCode).toBe(200);
    expect(await keyInfo(userId)).toMatchObject({ previous_key_expires_at: null });
  });

  it('the previous key is stored as its SHA-256, like the current one, never in plaintext', async () => {
    const { userId, apiKey: old } = await seedUser(a.app);
    const fresh = (await rotate(userId, { grace_seconds: 60 })).json().api_key as string;
    const { rows } = await store.db.query<Record<string, unknown>>('SELECT * FROM wa_service_users WHERE id = $1', [userId]);
    expect(rows[0]).toMatchObject({ customer_api_key: sha256(fresh), previous_api_key: sha256(old) });
    expect(JSON.stringify(rows[0])).not.toContain(old.slice(4));
    expect(JSON.stringify(rows[0])).not.toContain(fresh.slice(4));
    expect(JSON.stringify(await keyInfo(userId))).not.toContain(sha256(old));
  });

  it("the Go calls rotate at once: no body, an empty body and govconnect's {}", async () => {
    for (const payload of [undefined, '', {}]) {
      const { userId, apiKey: old } = await seedUser(a.app);
      const res = await rotate(userId, payload);
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({ api_key: expect.stringMatching(/^gwa_/), user_id: userId });
      expect((await me(b, old)).statusCode).toBe(401);
      expect((await me(b, res.json().api_key)).statusCode).toBe(200);
    }
  });

  it('a week is the longest grace', async () => {
    at(NOW);
    const { userId, apiKey: old } = await seedUser(a.app);
    expect((await rotate(userId, { grace_seconds: 604_800 })).statusCode).toBe(200);
    at('2026-06-08T09:59:59Z');
    expect((await me(b, old)).statusCode).toBe(200);
    at('2026-06-08T10:00:00Z');
    expect((await me(b, old)).statusCode).toBe(401);
  });
});

describe('rotation: bad input changes nothing', () => {
  it.each([
    ['negative', { grace_seconds: -1 }],
    ['over a week', { grace_seconds: 604_801 }],
    ['not an integer', { grace_seconds: 1.5 }],
    ['a string', { grace_seconds: '3600' }],
    ['null', { grace_seconds: null }],
    ['not an object', [3600]],
  ])('grace_seconds %s → 400', async (_name, payload) => {
    at(NOW);
    const { userId, apiKey } = await seedUser(a.app);
    const res = await rotate(userId, payload);
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'VALIDATION_FAILED', message: expect.any(String) });
    expect((await me(b, apiKey)).statusCode).toBe(200);
    const audit = await a.app.inject({ url: `/internal/audit?user_id=${userId}&action=apikey.rotate`, headers: internal() });
    expect(audit.json().meta.total).toBe(0);
  });

  it("a scoped key rotates only its own source's users, with grace or not", async () => {
    const { userId, apiKey } = await seedUser(a.app, { source: 'app' });
    expect((await rotate(userId, { grace_seconds: 60 }, OTHER_SCOPED_KEY)).statusCode).toBe(403);
    expect((await me(b, apiKey)).statusCode).toBe(200);
    expect((await rotate(userId, { grace_seconds: 60 }, SCOPED_KEY)).statusCode).toBe(200);
  });
});

describe('last use', () => {
  /** Flushes that wrote this key's last use (a flush of a batch of keys writes each key in one statement). */
  const writesOf = (apiKey: string) =>
    recorded.calls.filter((c) => /SET api_key_last_used_at = d\.at/.test(c.text) && JSON.stringify(c.params).includes(sha256(apiKey)))
      .length;

  it('is noted in memory on the request path and written at most once a minute per key under a burst', async () => {
    at('2026-06-01T12:00:05Z');
    const { userId, apiKey } = await seedUser(a.app);
    expect(await keyInfo(userId)).toMatchObject({ last_used_at: null });
    const burst = async () => {
      const before = recorded.calls.length;
      const answers = await Promise.all(Array.from({ length: 40 }, () => me(a, apiKey)));
      expect(answers.map((r) => r.statusCode)).toEqual(Array(40).fill(200));
      // The requests only read the key: no statement of theirs writes a user row.
      const writes = recorded.calls.slice(before).filter((c) => /UPDATE wa_service_users/.test(c.text) && !/d\.at/.test(c.text));
      expect(writes).toEqual([]);
    };
    await burst();
    await a.deps.flushKeyUsage();
    expect(writesOf(apiKey)).toBe(1);
    expect(await keyInfo(userId)).toMatchObject({ last_used_at: '2026-06-01T12:00:00.000Z' });
    at('2026-06-01T12:00:59Z');
    await burst();
    await a.deps.flushKeyUsage();
    expect(writesOf(apiKey)).toBe(1);
    at('2026-06-01T12:01:30Z');
    await burst();
    await a.deps.flushKeyUsage();
    await burst();
    await a.deps.flushKeyUsage();
    expect(writesOf(apiKey)).toBe(2);
    expect(await keyInfo(userId)).toMatchObject({ last_used_at: '2026-06-01T12:01:00.000Z' });
  });

  it("follows each key: a rotation starts the new key unused and keeps the old key's last use while it still works", async () => {
    at('2026-06-01T13:00:10Z');
    const { userId, apiKey: old } = await seedUser(a.app);
    await me(a, old);
    await a.deps.flushKeyUsage();
    const fresh = (await rotate(userId, { grace_seconds: 3600 })).json().api_key as string;
    expect(await keyInfo(userId)).toMatchObject({
      last_used_at: null,
      previous_key_last_used_at: '2026-06-01T13:00:00.000Z',
      previous_key_expires_at: '2026-06-01T14:00:10.000Z',
    });
    at('2026-06-01T13:20:00Z');
    await me(b, old);
    await b.deps.flushKeyUsage();
    at('2026-06-01T13:42:00Z');
    await me(a, fresh);
    await a.deps.flushKeyUsage();
    expect(await keyInfo(userId)).toMatchObject({
      last_used_at: '2026-06-01T13:42:00.000Z',
      previous_key_last_used_at: '2026-06-01T13:20:00.000Z',
    });
  });

  it('never moves back: an instance flushing an older minute late leaves the newer one', async () => {
    at('2026-06-01T15:00:00Z');
    const { userId, apiKey } = await seedUser(a.app);
    await me(a, apiKey);
    at('2026-06-01T15:03:00Z');
    await me(b, apiKey);
    await b.deps.flushKeyUsage();
    await a.deps.flushKeyUsage();
    expect(await keyInfo(userId)).toMatchObject({ last_used_at: '2026-06-01T15:03:00.000Z' });
  });

  it('a refused key is not noted', async () => {
    at('2026-06-01T16:00:00Z');
    const { userId, apiKey: old } = await seedUser(a.app);
    await rotate(userId, {});
    expect((await me(a, old)).statusCode).toBe(401);
    await a.deps.flushKeyUsage();
    expect(await keyInfo(userId)).toMatchObject({ last_used_at: null, previous_key_last_used_at: null });
  });
});
