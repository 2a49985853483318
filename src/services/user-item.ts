import type { UserListRow } from '../store/users.js';
import { HEALTH_STATES, type Health, healthOf } from './session-health.js';
import { effectiveMaxSessions, subscriptionState } from './subscriptions.js';

/** Every health with its count, zeros included, so a reader never meets a missing key. */
function byHealth(counts: Record<string, number> | null): Record<Health, number> {
  const out = Object.fromEntries(HEALTH_STATES.map((h) => [h, 0])) as Record<Health, number>;
  for (const [health, n] of Object.entries(counts ?? {})) out[healthOf(health)] += Number(n);
  return out;
}

/** The `/internal/users` item: `user_id` and `id` (SPEC §2), `subscription` null when there is none. */
export function toUserItem(row: UserListRow, now: Date) {
  return {
    user_id: row.id,
    id: row.id,
    source_service: row.source_service,
    status: row.status ?? 'active',
    created_by: row.created_by ?? '',
    created_at: row.created_at,
    updated_at: row.updated_at,
    subscription:
      row.sub_id === null || row.sub_expires_at === null
        ? null
        : {
            id: row.sub_id,
            provider: row.sub_provider ?? '',
            // The effective state: a row past its expiry reads "expired" even before the sweep marks it.
            status: subscriptionState({ status: row.sub_status, expires_at: row.sub_expires_at }, now),
            expires_at: row.sub_expires_at,
            max_sessions: effectiveMaxSessions(row.sub_max_sessions),
            max_messages: row.sub_max_messages ?? 0,
            messages_used: row.sub_messages_used ?? 0,
            created_at: row.sub_created_at,
            updated_at: row.sub_updated_at,
          },
    session_count: row.session_count,
    sessions_by_health: byHealth(row.session_health),
  };
}
export type UserItem = ReturnType<typeof toUserItem>;
