import { describe, expect, it } from 'vitest';
import { findSessionByToken } from '../../src/store/session-tokens.js';
import { findSubscription } from '../../src/store/subscriptions.js';
import { findCustomerByKeyHash, listUsersPage } from '../../src/store/users.js';
import { DEFAULT_PROVIDER } from '../../src/services/subscriptions.js';
import { fileStore, storeKind } from '../helpers/store.js';

const db = fileStore();

type Row = { tag: string; updated_at: string | null; provider?: string };

/** A user with the given subscription rows, inserted in order (so later rows have higher ids). */
async function userWith(name: string, subs: Row[]) {
  await db.query(
    `INSERT INTO wa_service_users (id, source_service, customer_api_key, status, created_at, updated_at)
     VALUES ($1, 'app', $2, 'active', now(), now())`,
    [name, `hash-${name}`],
  );
  await db.query(`INSERT INTO wa_sessions (user_id, session_id, session_token, status) VALUES ($1, $2, $3, 'connected')`, [
    name,
    `sess-${name}`,
    `token-${name}`,
  ]);
  const ids: Record<string, number> = {};
  for (const sub of subs) {
    const { rows } = await db.query<{ id: number }>(
      `INSERT INTO wa_user_subscriptions (user_id, provider, max_sessions, max_messages, expires_at, status, created_at, updated_at)
       VALUES ($1, $2, 1, 0, '2030-01-01T00:00:00Z', 'active', now(), $3) RETURNING id`,
      [name, sub.provider ?? DEFAULT_PROVIDER, sub.updated_at],
    );
    ids[sub.tag] = rows[0]!.id;
  }
  return ids;
}

/** The subscription id each reader of the store calls the user's current one. */
async function currentIds(name: string) {
  const page = await listUsersPage(db, { source: null, status: null, provider: DEFAULT_PROVIDER, limit: 1, offset: 0, userId: name });
  return {
    findSubscription: (await findSubscription(db, name, DEFAULT_PROVIDER))?.id ?? null,
    findCustomerByKeyHash: (await findCustomerByKeyHash(db, `hash-${name}`, DEFAULT_PROVIDER))?.subscription?.id ?? null,
    listUsersPage: page[0]?.sub_id ?? null,
    findSessionByToken: (await findSessionByToken(db, `token-${name}`, null, DEFAULT_PROVIDER))?.sub_id ?? null,
  };
}

// Legacy Go databases may hold several subscription rows per user and provider (go-service-api B13).
describe(`the current subscription (${storeKind}): one choice, made the same way by every reader`, () => {
  it.each<{ name: string; subs: Row[]; current: string | null }>([
    { name: 'one-row', subs: [{ tag: 'a', updated_at: '2026-01-01T00:00:00Z' }], current: 'a' },
    {
      name: 'newest-update-wins-over-a-newer-id',
      subs: [
        { tag: 'newer', updated_at: '2026-03-01T00:00:00Z' },
        { tag: 'older', updated_at: '2026-01-01T00:00:00Z' },
      ],
      current: 'newer',
    },
    {
      name: 'a-dated-row-wins-over-a-never-updated-one',
      subs: [
        { tag: 'dated', updated_at: '2020-01-01T00:00:00Z' },
        { tag: 'null', updated_at: null },
      ],
      current: 'dated',
    },
    {
      name: 'equal-updates-the-higher-id',
      subs: [
        { tag: 'first', updated_at: '2026-01-01T00:00:00Z' },
        { tag: 'second', updated_at: '2026-01-01T00:00:00Z' },
      ],
      current: 'second',
    },
    {
      name: 'all-never-updated-the-higher-id',
      subs: [
        { tag: 'first', updated_at: null },
        { tag: 'second', updated_at: null },
      ],
      current: 'second',
    },
    {
      name: 'another-providers-row-never-counts',
      subs: [
        { tag: 'ours', updated_at: '2026-01-01T00:00:00Z' },
        { tag: 'theirs', updated_at: '2027-01-01T00:00:00Z', provider: 'other-provider' },
      ],
      current: 'ours',
    },
    { name: 'only-another-provider', subs: [{ tag: 'theirs', updated_at: null, provider: 'other-provider' }], current: null },
    { name: 'none', subs: [], current: null },
  ])('$name', async ({ name, subs, current }) => {
    const ids = await userWith(name, subs);
    const expected = current === null ? null : ids[current]!;
    expect(await currentIds(name)).toEqual({
      findSubscription: expected,
      findCustomerByKeyHash: expected,
      listUsersPage: expected,
      findSessionByToken: expected,
    });
  });
});
