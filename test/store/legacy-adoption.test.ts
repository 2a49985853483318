import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runMigrations } from '../../src/store/migrate.js';
import { createSecretBox } from '../../src/lib/secrets-at-rest.js';
import { TEST_ENCRYPTION_KEY, type TestApp } from '../helpers/app.js';
import { createAppWithSimulator, SIM_ADMIN_TOKEN } from '../helpers/sim.js';
import { legacyKeys, loadLegacyDump } from '../helpers/legacy.js';
import { createTestDatabase, storeKind, type TestDatabase } from '../helpers/store.js';

// Issue 2 §3: a database made by the Go service is adopted in place, with every row kept and every
// key and token still working. Runs on real PostgreSQL (and on PGlite, loaded from the same dump).
const keys = legacyKeys();
const TABLES = ['wa_service_users', 'wa_user_subscriptions', 'wa_sessions', 'wa_session_message_stats', 'wa_session_contacts'];
let database: TestDatabase;
let t: Awaited<ReturnType<typeof createAppWithSimulator>>;
let before: Record<string, unknown[]>;

async function snapshot(db: TestApp['db']) {
  const out: Record<string, unknown[]> = {};
  for (const table of TABLES) out[table] = (await db.query(`SELECT * FROM ${table} ORDER BY id`)).rows;
  return out;
}

beforeAll(async () => {
  database = await createTestDatabase(storeKind);
  const db = await database.open();
  await loadLegacyDump(db);
  before = {};
  for (const table of TABLES) before[table] = (await db.query(`SELECT * FROM ${table} ORDER BY id`)).rows;
  await runMigrations(db);
  t = await createAppWithSimulator({ db, env: { INTERNAL_API_KEYS: keys.internal_api_keys }, now: '2026-11-25T12:00:00Z' });
});
afterAll(async () => {
  await t.close();
  await t.db.close();
  await database.drop();
});

describe(`legacy Go database adopted in place (${storeKind})`, () => {
  it('keeps every row and every Go column value, the session token now encrypted in place', async () => {
    const after = await snapshot(t.db);
    for (const table of TABLES) {
      expect(after[table]!.length, table).toBe(before[table]!.length);
      after[table]!.forEach((row, i) => {
        const { session_token: stored, ...rest } = row as Record<string, unknown>;
        const { session_token: original, ...was } = before[table]![i] as Record<string, unknown>;
        expect(rest, table).toMatchObject(was);
        if (table === 'wa_sessions') expect(createSecretBox(TEST_ENCRYPTION_KEY).decrypt(String(stored))).toBe(original);
      });
    }
    const [session] = after.wa_sessions as Array<{ session_token: string; session_token_hash: string }>;
    expect(session!.session_token).toMatch(/^enc:v1:/);
    expect(session!.session_token_hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('migrating again changes nothing', async () => {
    expect(await runMigrations(t.db)).toEqual([]);
  });

  it.each(['usr_001', 'usr_002'])('customer key of %s works on /v1/me', async (userId) => {
    const res = await t.app.inject({ url: '/v1/me', headers: { 'x-api-key': keys.customer_api_keys[userId]! } });
    expect(res.statusCode).toBe(200);
    expect(res.json().user.id).toBe(userId);
    expect(res.json().subscription).toMatchObject({ max_sessions: 3, max_messages: 100, expires_at: '2030-12-31T23:59:59.000Z' });
  });

  it('the expired subscription of gov_001 authenticates but is refused with 403', async () => {
    const res = await t.app.inject({ url: '/v1/me', headers: { 'x-api-key': keys.customer_api_keys.gov_001! } });
    expect(res.statusCode).toBe(403);
    expect(res.json()).toEqual({ message: 'subscription expired', code: 'SUBSCRIPTION_EXPIRED' });
  });

  it('the internal keys work: scoped sees its source, global sees all', async () => {
    const [scoped, global] = keys.internal_api_keys.split(',').map((e) => e.split(':').pop()!);
    const mine = await t.app.inject({ url: '/internal/users', headers: { 'x-internal-api-key': scoped! } });
    expect(
      mine
        .json()
        .items.map((i: { id: string }) => i.id)
        .sort(),
    ).toEqual(['usr_001', 'usr_002']);
    const all = await t.app.inject({ url: '/internal/users', headers: { 'x-internal-api-key': global! } });
    expect(all.json().meta.total).toBe(3);
    const usr1 = all.json().items.find((i: { id: string }) => i.id === 'usr_001');
    expect(usr1).toMatchObject({ session_count: 1, subscription: { max_sessions: 3, max_messages: 100, status: 'active' } });
    expect(all.json().items.find((i: { id: string }) => i.id === 'gov_001').subscription.status).toBe('expired');
  });

  it('usr_001 sees its session with the same token, its statistics and its contacts', async () => {
    const session = keys.sessions.usr_001!;
    const headers = { 'x-api-key': keys.customer_api_keys.usr_001! };
    const list = await t.app.inject({ url: '/v1/sessions', headers });
    expect(list.json().sessions).toEqual([
      expect.objectContaining({
        session_id: session.session_id,
        session_token: session.session_token,
        session_name: 'marketing-1',
        webhook_url: 'https://example.com/hook',
        last_message_sent: 4,
      }),
    ]);
    const settings = await t.app.inject({ url: `/v1/sessions/${session.session_id}/settings`, headers });
    expect(settings.json()).toMatchObject({
      message_stat_sent: session.message_stat_sent,
      message_stats: {
        sent: 4,
        failed: 0,
        by_type: [
          { message_type: 'image', sent: 1, last_failed_at: null },
          { message_type: 'text', sent: 3, last_failed_at: null },
        ],
      },
    });
    const contacts = await t.app.inject({ url: `/v1/sessions/${session.session_id}/contacts?sync=false`, headers });
    expect(contacts.json().contacts).toEqual([
      expect.objectContaining({ jid: '6281111111111@s.whatsapp.net', name: 'Budi', phone: '6281111111111' }),
    ]);
    // Another tenant of the same source cannot see it.
    const other = await t.app.inject({
      url: `/v1/sessions/${session.session_id}/settings`,
      headers: { 'x-api-key': keys.customer_api_keys.usr_002! },
    });
    expect(other.statusCode).toBe(404);
  });

  it('the legacy session token works on the gateway, and its sends add to the legacy statistics', async () => {
    const session = keys.sessions.usr_001!;
    // The provider already knows this session: give the simulator the same token, paired.
    const created = await fetch(`${t.sim.url}/admin/users`, {
      method: 'POST',
      headers: { authorization: SIM_ADMIN_TOKEN, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'marketing-1', token: session.session_token, events: 'Message' }),
    });
    const providerId = ((await created.json()) as { data: { id: string } }).data.id;
    await fetch(`${t.sim.url}/session/connect`, {
      method: 'POST',
      headers: { token: session.session_token, 'content-type': 'application/json' },
      body: '{"Immediate":true}',
    });
    t.sim.pair(providerId);
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/wa/chat/send/text',
      headers: { token: session.session_token, 'content-type': 'application/json' },
      payload: { Phone: '6281234567890', Body: 'halo' },
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers['x-message-quota-limit']).toBe('100');
    await t.deps.flushCounters();
    const settings = (
      await t.app.inject({ url: `/v1/sessions/${session.session_id}/settings`, headers: { 'x-api-key': keys.customer_api_keys.usr_001! } })
    ).json();
    expect(settings).toMatchObject({ message_stat_sent: 5, message_stats: { sent: 5 } });
    expect(settings.message_stats.by_type.find((s: { message_type: string }) => s.message_type === 'text').sent).toBe(4);
    // Issue 17: the usage history starts at adoption; the Go service's earlier sends stay in the totals above only.
    const usage = (await t.app.inject({ url: '/v1/usage', headers: { 'x-api-key': keys.customer_api_keys.usr_001! } })).json();
    expect(usage.totals).toEqual({ sent: 1, failed: 0, received: 0 });
    expect(usage.days).toHaveLength(30);
    expect(usage.days.at(-1)).toEqual({ date: '2026-11-25', sent: 1, failed: 0, received: 0, by_type: { text: { sent: 1, failed: 0 } } });
  });

  it('the session token is no longer stored in plaintext, and is found by its keyed hash', async () => {
    const session = keys.sessions.usr_001!;
    expect((await t.db.query('SELECT 1 FROM wa_sessions WHERE session_token = $1', [session.session_token])).rowCount).toBe(0);
    const hash = createSecretBox(TEST_ENCRYPTION_KEY).lookupHash(session.session_token);
    const { rows } = await t.db.query<{ user_id: string; session_id: string }>(
      'SELECT user_id, session_id FROM wa_sessions WHERE session_token_hash = $1',
      [hash],
    );
    expect(rows).toEqual([{ user_id: 'usr_001', session_id: session.session_id }]);
  });
});
