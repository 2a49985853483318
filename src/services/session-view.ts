import { webhookFormatOf } from '../lib/webhook-format-names.js';
import { healthOf } from './session-health.js';
import type { SessionRow } from '../store/sessions.js';
import { DEFAULT_PROVIDER } from './subscriptions.js';

/**
 * The session object of go-service-api §7.3 (govconnect reads `session_token` and `session_id`),
 * plus the per-session settings real clients send. The webhook secret itself is never returned.
 */
export function toSessionView(row: SessionRow) {
  return {
    id: row.id,
    user_id: row.user_id,
    provider: row.provider ?? DEFAULT_PROVIDER,
    session_id: row.session_id,
    session_name: row.session_name ?? '',
    session_token: row.session_token ?? '',
    webhook_url: row.webhook_url ?? '',
    webhook_secret_set: Boolean(row.webhook_secret),
    webhook_format: webhookFormatOf(row.webhook_format),
    auto_read_enabled: row.auto_read_enabled ?? false,
    typing_enabled: row.typing_enabled ?? false,
    connected: row.connected ?? false,
    logged_in: row.logged_in ?? false,
    jid: row.j_id ?? '',
    status: row.status ?? 'inactive',
    // SPEC §10: what the gateway concludes, when it last heard from the provider and last asked it.
    health: healthOf(row.health),
    last_event_at: row.last_event_at,
    last_checked_at: row.last_checked_at,
    last_synced_at: row.last_synced_at,
    last_activity_at: row.last_activity_at,
    last_message_sent: row.last_message_sent ?? 0,
    last_message_fail: row.last_message_fail ?? 0,
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
}
export type SessionView = ReturnType<typeof toSessionView>;
