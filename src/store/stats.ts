import type { Queryable } from './db.js';

export interface StatRow {
  message_type: string | null;
  total_sent: number | null;
  total_failed: number | null;
  last_success_at: Date | null;
  last_failed_at: Date | null;
}

/**
 * Per-type counters of one session; legacy duplicate rows of a type are summed. The Go service
 * stored "never happened" as year 1 (go-service-api B25): such instants read as null.
 */
export async function listStatsForSession(q: Queryable, userId: string, sessionId: string): Promise<StatRow[]> {
  const { rows } = await q.query<StatRow>(
    `SELECT message_type, sum(total_sent) AS total_sent, sum(total_failed) AS total_failed,
       max(last_success_at) FILTER (WHERE last_success_at > '1970-01-01') AS last_success_at,
       max(last_failed_at) FILTER (WHERE last_failed_at > '1970-01-01') AS last_failed_at
     FROM wa_session_message_stats WHERE user_id = $1 AND session_id = $2
     GROUP BY message_type ORDER BY message_type`,
    [userId, sessionId],
  );
  return rows;
}

export interface StatDelta {
  user_id: string;
  session_id: string;
  message_type: string;
  sent: number;
  failed: number;
  last_success_at: Date | null;
  last_failed_at: Date | null;
}
export interface SessionDelta {
  row_id: number;
  sent: number;
  failed: number;
  last_activity_at: Date;
}
export interface UsageDelta {
  sub_id: number;
  used: number;
}

/** A second of send statistics in one multi-row upsert (SPEC §4 design note). */
export async function addStats(q: Queryable, deltas: StatDelta[], now: Date): Promise<void> {
  if (deltas.length === 0) return;
  await q.query(
    `INSERT INTO wa_session_message_stats AS t (user_id, session_id, message_type, total_sent, total_failed, last_success_at, last_failed_at, created_at, updated_at)
     SELECT d.user_id, d.session_id, d.message_type, d.sent, d.failed, d.last_success_at, d.last_failed_at, $2, $2
     FROM jsonb_to_recordset($1::jsonb) AS d(user_id text, session_id text, message_type text, sent bigint, failed bigint,
       last_success_at timestamptz, last_failed_at timestamptz)
     ON CONFLICT (user_id, session_id, message_type) DO UPDATE SET
       total_sent = COALESCE(t.total_sent, 0) + EXCLUDED.total_sent, total_failed = COALESCE(t.total_failed, 0) + EXCLUDED.total_failed,
       last_success_at = GREATEST(t.last_success_at, EXCLUDED.last_success_at),
       last_failed_at = GREATEST(t.last_failed_at, EXCLUDED.last_failed_at), updated_at = EXCLUDED.updated_at`,
    [JSON.stringify(deltas), now],
  );
}

/** The session's own counters (`last_message_sent`/`_fail`, read by settings as the Go service did). */
export async function addSessionCounters(q: Queryable, deltas: SessionDelta[]): Promise<void> {
  if (deltas.length === 0) return;
  await q.query(
    `UPDATE wa_sessions s SET last_message_sent = COALESCE(s.last_message_sent, 0) + d.sent,
       last_message_fail = COALESCE(s.last_message_fail, 0) + d.failed,
       last_activity_at = GREATEST(s.last_activity_at, d.last_activity_at), updated_at = GREATEST(s.updated_at, d.last_activity_at)
     FROM jsonb_to_recordset($1::jsonb) AS d(row_id bigint, sent bigint, failed bigint, last_activity_at timestamptz)
     WHERE s.id = d.row_id`,
    [JSON.stringify(deltas)],
  );
}

/** Messages sent on unlimited plans still count as used, so `/v1/me` can show them. */
export async function addUsage(q: Queryable, deltas: UsageDelta[]): Promise<void> {
  if (deltas.length === 0) return;
  await q.query(
    `UPDATE wa_user_subscriptions u SET messages_used = u.messages_used + d.used
     FROM jsonb_to_recordset($1::jsonb) AS d(sub_id bigint, used bigint) WHERE u.id = d.sub_id`,
    [JSON.stringify(deltas)],
  );
}
