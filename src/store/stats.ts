import type { Queryable } from './db.js';

export interface StatRow {
  message_type: string | null; total_sent: number | null; total_failed: number | null;
  last_success_at: Date | null; last_failed_at: Date | null;
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
     GROUP BY message_type ORDER BY message_type`, [userId, sessionId]);
  return rows;
}
