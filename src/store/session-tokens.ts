import type { Queryable } from './db.js';
import { currentSubscriptionSql } from './subscriptions.js';

/** Everything the hot path needs to decide on a token, in one row. */
export interface TokenRow {
  row_id: number;
  session_id: string;
  session_token: string;
  typing_enabled: boolean | null;
  user_id: string;
  user_status: string | null;
  sub_id: number | null;
  sub_status: string | null;
  expires_at: Date | null;
  max_messages: number | null;
  messages_used: number | null;
  period_started_at: Date | null;
}

/**
 * Session token → session, owner and the owner's subscription for the provider, one round trip.
 * With secrets encrypted at rest the token is found by its keyed hash (`lookupHash`), else as is.
 */
export async function findSessionByToken(
  q: Queryable,
  token: string,
  lookupHash: string | null,
  provider: string,
): Promise<TokenRow | null> {
  const { rows } = await q.query<TokenRow>(
    `SELECT s.id AS row_id, s.session_id, s.session_token, s.typing_enabled, s.user_id, u.status AS user_status,
       sub.id AS sub_id, sub.status AS sub_status, sub.expires_at, sub.max_messages, sub.messages_used, sub.period_started_at
     FROM wa_sessions s
     JOIN wa_service_users u ON u.id = s.user_id
     LEFT JOIN LATERAL ${currentSubscriptionSql('s.user_id', '$2')} sub ON true
     WHERE ${lookupHash === null ? 's.session_token = $1' : 's.session_token_hash = $1'} AND s.status IS DISTINCT FROM 'provisioning'`,
    [lookupHash ?? token, provider],
  );
  return rows[0] ?? null;
}
