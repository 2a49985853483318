import type { Queryable } from './db.js';

export interface SubscriptionRow {
  id: number;
  user_id: string;
  provider: string | null;
  max_sessions: number | null;
  max_messages: number | null;
  messages_used: number;
  period_started_at: Date | null;
  expires_at: Date;
  status: string | null;
  created_at: Date | null;
  updated_at: Date | null;
}

/**
 * The user's current subscription for a provider, as a subquery of at most one row: every reader and
 * writer (customer key, session token, `/internal/users`, the upsert) picks the same one. Legacy
 * databases may hold several rows per (user, provider) (go-service-api B13): the most recently
 * updated wins, a row never updated loses to any that was, and the newest id breaks a tie.
 * `userId` and `provider` are SQL expressions (a column or a `$n` parameter), never values.
 */
export function currentSubscriptionSql(userId: string, provider: string): string {
  return `(SELECT * FROM wa_user_subscriptions cs WHERE cs.user_id = ${userId} AND cs.provider = ${provider}
    ORDER BY cs.updated_at DESC NULLS LAST, cs.id DESC LIMIT 1)`;
}

/** `forUpdate`: the row is locked until the transaction ends, so what a writer read is what it changes. */
export async function findSubscription(q: Queryable, userId: string, provider: string, forUpdate = false): Promise<SubscriptionRow | null> {
  const { rows } = await q.query<SubscriptionRow>(
    forUpdate
      ? `SELECT * FROM wa_user_subscriptions WHERE id = (SELECT id FROM ${currentSubscriptionSql('$1', '$2')} sub) FOR UPDATE`
      : `SELECT * FROM ${currentSubscriptionSql('$1', '$2')} sub`,
    [userId, provider],
  );
  return rows[0] ?? null;
}

export interface SubscriptionValues {
  expiresAt: Date;
  maxSessions: number;
  maxMessages: number;
}

export async function insertSubscription(
  q: Queryable,
  userId: string,
  provider: string,
  v: SubscriptionValues,
  now: Date,
): Promise<SubscriptionRow> {
  const { rows } = await q.query<SubscriptionRow>(
    `INSERT INTO wa_user_subscriptions (user_id, provider, max_sessions, max_messages, expires_at, status, messages_used, period_started_at, created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, 'active', 0, $6, $6, $6) RETURNING *`,
    [userId, provider, v.maxSessions, v.maxMessages, v.expiresAt, now],
  );
  return rows[0]!;
}

/**
 * Overwrites the plan and re-activates the row (go-service-api §8.5). Moving `expires_at` forward is
 * a renewal and starts a new quota period (SPEC §3), so the used count restarts from zero.
 */
export async function updateSubscription(q: Queryable, id: number, v: Partial<SubscriptionValues>, now: Date): Promise<SubscriptionRow> {
  const { rows } = await q.query<SubscriptionRow>(
    `UPDATE wa_user_subscriptions SET
       max_sessions = COALESCE($2, max_sessions), max_messages = COALESCE($3, max_messages),
       messages_used = CASE WHEN $4::timestamptz > expires_at THEN 0 ELSE messages_used END,
       period_started_at = CASE WHEN $4::timestamptz > expires_at THEN $5 ELSE period_started_at END,
       expires_at = COALESCE($4, expires_at), status = 'active', updated_at = $5
     WHERE id = $1 RETURNING *`,
    [id, v.maxSessions ?? null, v.maxMessages ?? null, v.expiresAt ?? null, now],
  );
  return rows[0]!;
}

/**
 * Marks active subscriptions whose `expires_at` has passed as expired (the sweep of SPEC §3); returns
 * the rows it marked. `updated_at` is left alone: readers pick the most recently updated of a legacy user's
 * duplicate rows (B13), and bumping a lapsed duplicate would hide the live one behind it.
 */
export async function expireLapsedSubscriptions(
  q: Queryable,
  now: Date,
): Promise<Array<Pick<SubscriptionRow, 'id' | 'user_id' | 'provider'>>> {
  const { rows } = await q.query<Pick<SubscriptionRow, 'id' | 'user_id' | 'provider'>>(
    `UPDATE wa_user_subscriptions SET status = 'expired' WHERE status = 'active' AND expires_at <= $1 RETURNING id, user_id, provider`,
    [now],
  );
  return rows;
}
