import type { Clock } from '../lib/clock.js';
import { webhookFormatOf, type WebhookFormat } from '../lib/webhook-format-names.js';
import type { Db } from '../store/index.js';
import { listStatsForSession, type StatRow } from '../store/stats.js';
import type { ChangeOrigin } from './audit-trail.js';
import type { Customer } from './customers.js';
import type { SessionService } from './sessions.js';

export interface SettingsInput {
  webhook_url?: string;
  webhook_secret?: string;
  auto_read_enabled?: boolean;
  typing_enabled?: boolean;
  webhook_format?: WebhookFormat;
}

function statsView(rows: StatRow[]) {
  const byType = rows.map((r) => ({
    message_type: r.message_type ?? 'unknown',
    sent: r.total_sent ?? 0,
    failed: r.total_failed ?? 0,
    last_success_at: r.last_success_at,
    last_failed_at: r.last_failed_at,
  }));
  return { sent: byType.reduce((n, r) => n + r.sent, 0), failed: byType.reduce((n, r) => n + r.failed, 0), by_type: byType };
}

export function createSettingsService(deps: { db: Db; clock: Clock; sessions: Pick<SessionService, 'requireSession' | 'update'> }) {
  const { db, sessions } = deps;

  /**
   * GET settings: the Go fields (`message_stat_sent`/`_failed` are the session's counters) plus the
   * flags, whether a webhook secret is set (never the secret), and the statistics per message type.
   */
  async function get(customer: Customer, sessionId: string) {
    const row = await sessions.requireSession(customer, sessionId);
    return {
      session_id: row.session_id,
      webhook_url: row.webhook_url ?? '',
      webhook_secret_set: Boolean(row.webhook_secret),
      webhook_format: webhookFormatOf(row.webhook_format),
      auto_read_enabled: row.auto_read_enabled ?? false,
      typing_enabled: row.typing_enabled ?? false,
      message_stat_sent: row.last_message_sent ?? 0,
      message_stat_failed: row.last_message_fail ?? 0,
      message_stats: statsView(await listStatsForSession(db, row.user_id, row.session_id)),
    };
  }

  /** PUT settings: the flags and secret are honoured now (SPEC §2); the webhook goes through update. */
  async function update(customer: Customer, sessionId: string, input: SettingsInput, origin: ChangeOrigin) {
    await sessions.update(customer, sessionId, input, origin, 'session.settings');
    return { message: 'settings updated', settings: await get(customer, sessionId) };
  }

  return { get, update };
}
export type SettingsService = ReturnType<typeof createSettingsService>;
