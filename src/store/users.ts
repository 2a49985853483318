import type { Queryable } from './db.js';
import { PROVISIONING } from './sessions.js';
import { currentSubscriptionSql, type SubscriptionRow } from './subscriptions.js';

export interface UserRow {
  id: string;
  source_service: string;
  created_by: string | null;
  status: string | null;
  api_key_hint: string | null;
  api_key_updated_at: Date | null;
  /** To the minute (services/key-usage.ts). */
  api_key_last_used_at: Date | null;
  /** Until when the key replaced by the last rotation still works; null or past: it does not. */
  previous_api_key_expires_at: Date | null;
  previous_api_key_last_used_at: Date | null;
  created_at: Date | null;
  updated_at: Date | null;
}

// Never the key hashes: nothing that reads a user can leak one (go-service-api B17).
const USER_COLUMNS =
  'id, source_service, created_by, status, api_key_hint, api_key_updated_at, api_key_last_used_at, previous_api_key_expires_at, previous_api_key_last_used_at, created_at, updated_at';

export async function findUserById(q: Queryable, id: string, forUpdate = false): Promise<UserRow | null> {
  const lock = forUpdate ? ' FOR UPDATE' : '';
  const { rows } = await q.query<UserRow>(`SELECT ${USER_COLUMNS} FROM wa_service_users WHERE id = $1${lock}`, [id]);
  return rows[0] ?? null;
}

/** Customer keys are looked up by their SHA-256 (the Go format), through the unique index. */
export async function findUserByKeyHash(q: Queryable, keyHash: string): Promise<UserRow | null> {
  const { rows } = await q.query<UserRow>(`SELECT ${USER_COLUMNS} FROM wa_service_users WHERE customer_api_key = $1`, [keyHash]);
  return rows[0] ?? null;
}

export interface NewUser {
  id: string;
  source: string;
  keyHash: string;
  keyHint: string;
  createdBy: string;
  now: Date;
}

/** Inserts unless the id exists; null means another request created it first. */
export async function insertUserIfAbsent(q: Queryable, u: NewUser): Promise<UserRow | null> {
  const { rows } = await q.query<UserRow>(
    `INSERT INTO wa_service_users (id, source_service, customer_api_key, created_by, status, api_key_hint, api_key_updated_at, created_at, updated_at)
     VALUES ($1, $2, $3, $4, 'active', $5, $6, $6, $6) ON CONFLICT (id) DO NOTHING RETURNING ${USER_COLUMNS}`,
    [u.id, u.source, u.keyHash, u.createdBy, u.keyHint, u.now],
  );
  return rows[0] ?? null;
}

export async function updateUserFields(
  q: Queryable,
  id: string,
  fields: { source?: string; status?: string },
  now: Date,
): Promise<UserRow | null> {
  const { rows } = await q.query<UserRow>(
    `UPDATE wa_service_users SET source_service = COALESCE($2, source_service), status = COALESCE($3, status), updated_at = $4
     WHERE id = $1 RETURNING ${USER_COLUMNS}`,
    [id, fields.source ?? null, fields.status ?? null, now],
  );
  return rows[0] ?? null;
}

export interface UserFilter {
  source: string | null;
  status: string | null;
}

function filterSql(filter: UserFilter): { where: string; params: unknown[] } {
  return {
    where: 'WHERE ($1::text IS NULL OR u.source_service = $1) AND ($2::text IS NULL OR u.status = $2)',
    params: [filter.source, filter.status],
  };
}

export async function countUsers(q: Queryable, filter: UserFilter): Promise<number> {
  const { where, params } = filterSql(filter);
  const { rows } = await q.query<{ total: number }>(`SELECT count(*) AS total FROM wa_service_users u ${where}`, params);
  return rows[0]?.total ?? 0;
}

export interface UserListRow extends UserRow {
  session_count: number;
  /** The user's sessions counted by health (SPEC §10), only the healths that occur; null without sessions. */
  session_health: Record<string, number> | null;
  sub_id: number | null;
  sub_provider: string | null;
  sub_status: string | null;
  sub_expires_at: Date | null;
  sub_max_sessions: number | null;
  sub_max_messages: number | null;
  sub_messages_used: number | null;
  sub_created_at: Date | null;
  sub_updated_at: Date | null;
}

/**
 * One query for a whole page (go-service-api B31 ran two more per user): each user with its newest
 * subscription for the provider and its session count.
 */
export async function listUsersPage(
  q: Queryable,
  filter: UserFilter & { provider: string; limit: number; offset: number; userId?: string },
): Promise<UserListRow[]> {
  const { where, params } = filterSql(filter);
  const { rows } = await q.query<UserListRow>(
    `SELECT ${USER_COLUMNS.split(', ')
      .map((c) => `u.${c}`)
      .join(', ')},
       (SELECT count(*) FROM wa_sessions s WHERE s.user_id = u.id) AS session_count,
       (SELECT json_object_agg(h.health, h.n) FROM (SELECT s.health, count(*) AS n FROM wa_sessions s
          WHERE s.user_id = u.id AND s.status IS DISTINCT FROM '${PROVISIONING}' GROUP BY s.health) h) AS session_health,
       sub.id AS sub_id, sub.provider AS sub_provider, sub.status AS sub_status, sub.expires_at AS sub_expires_at,
       sub.max_sessions AS sub_max_sessions, sub.max_messages AS sub_max_messages, sub.messages_used AS sub_messages_used,
       sub.created_at AS sub_created_at, sub.updated_at AS sub_updated_at
     FROM wa_service_users u
     LEFT JOIN LATERAL ${currentSubscriptionSql('u.id', '$3')} sub ON true
     ${where} AND ($6::text IS NULL OR u.id = $6)
     ORDER BY u.created_at DESC NULLS LAST, u.id LIMIT $4 OFFSET $5`,
    [...params, filter.provider, filter.limit, filter.offset, filter.userId ?? null],
  );
  return rows;
}

export interface CustomerRow extends UserRow {
  subscription: SubscriptionRow | null;
  /** Whether the key presented is the current one, or the one a rotation replaced (see its expiry). */
  current_key: boolean;
}

/**
 * A customer key → the user and its subscription for the provider, in one round trip: every `/v1`
 * request needs both. The key may be the current one or the previous one of a rotation with grace;
 * whether the previous one still works is the caller's rule (services/api-key-grace.ts).
 */
export async function findCustomerByKeyHash(q: Queryable, keyHash: string, provider: string): Promise<CustomerRow | null> {
  const { rows } = await q.query<UserRow & { subscription: Record<string, unknown> | null; current_key: boolean }>(
    `SELECT ${USER_COLUMNS.split(', ')
      .map((c) => `u.${c}`)
      .join(', ')}, to_jsonb(s) AS subscription, u.customer_api_key = $1 AS current_key
     FROM wa_service_users u
     LEFT JOIN LATERAL ${currentSubscriptionSql('u.id', '$2')} s ON true
     WHERE u.customer_api_key = $1 OR u.previous_api_key = $1
     ORDER BY current_key DESC LIMIT 1`,
    [keyHash, provider],
  );
  const row = rows[0];
  if (!row) return null;
  return { ...row, subscription: row.subscription ? subscriptionFromJson(row.subscription) : null };
}

const toDate = (v: unknown) => (v === null || v === undefined ? null : new Date(v as string));

function subscriptionFromJson(j: Record<string, unknown>): SubscriptionRow {
  return {
    id: Number(j.id),
    user_id: String(j.user_id),
    provider: (j.provider as string | null) ?? null,
    max_sessions: j.max_sessions === null ? null : Number(j.max_sessions),
    max_messages: j.max_messages === null ? null : Number(j.max_messages),
    messages_used: Number(j.messages_used ?? 0),
    period_started_at: toDate(j.period_started_at),
    expires_at: new Date(j.expires_at as string),
    status: (j.status as string | null) ?? null,
    created_at: toDate(j.created_at),
    updated_at: toDate(j.updated_at),
  };
}
