import type { Queryable } from './db.js';

export interface Claim {
  granted: number;
  max_messages: number;
  messages_used: number;
  period_started_at: Date | null;
}

/**
 * Takes up to `want` messages of a subscription's remaining quota in one atomic statement; the row
 * lock makes concurrent claims of every instance queue, so the total can never pass the maximum.
 */
export async function claimQuota(q: Queryable, subId: number, want: number): Promise<Claim> {
  const { rows } = await q.query<Claim>(
    `WITH s AS (
       SELECT id, LEAST($2::bigint, max_messages - messages_used) AS granted FROM wa_user_subscriptions
       WHERE id = $1 AND max_messages > 0 AND messages_used < max_messages FOR UPDATE)
     UPDATE wa_user_subscriptions u SET messages_used = u.messages_used + s.granted FROM s WHERE u.id = s.id
     RETURNING s.granted, u.max_messages, u.messages_used, u.period_started_at`,
    [subId, want],
  );
  return rows[0] ?? { granted: 0, max_messages: 0, messages_used: 0, period_started_at: null };
}

/** Hands unused claimed messages back, unless the period they were claimed in has ended. */
export async function returnQuota(q: Queryable, subId: number, count: number, period: Date | null): Promise<void> {
  await q.query(
    `UPDATE wa_user_subscriptions SET messages_used = GREATEST(0, messages_used - $2)
     WHERE id = $1 AND period_started_at IS NOT DISTINCT FROM $3`,
    [subId, count, period],
  );
}
