import type { Queryable } from './db.js';

// Days travel as whole days since 1970-01-01 (lib/calendar-day.ts): `date` values are never handed to
// the driver, whose Date conversion would apply the server's own time zone.
const EPOCH = "DATE '1970-01-01'";

/** One flush's counts for a session, message type and Asia/Jakarta day. */
export interface DailyUsageDelta {
  user_id: string;
  day: number;
  session_id: string;
  message_type: string;
  sent: number;
  failed: number;
  received: number;
}

/** A flush's counts in one multi-row upsert (SPEC §4 design note, §10 usage history); rows added to, never replaced. */
export async function upsertDailyUsage(q: Queryable, deltas: readonly DailyUsageDelta[], now: Date): Promise<void> {
  if (deltas.length === 0) return;
  const column = <K extends keyof DailyUsageDelta>(k: K) => deltas.map((d) => d[k]);
  await q.query(
    `INSERT INTO gateway_usage_daily AS t (user_id, day, session_id, message_type, sent, failed, received, updated_at)
     SELECT x.user_id, ${EPOCH} + x.day, x.session_id, x.message_type, x.sent, x.failed, x.received, $8
     FROM unnest($1::text[], $2::int[], $3::text[], $4::text[], $5::bigint[], $6::bigint[], $7::bigint[])
       AS x(user_id, day, session_id, message_type, sent, failed, received)
     ON CONFLICT (user_id, day, session_id, message_type) DO UPDATE SET
       sent = t.sent + EXCLUDED.sent, failed = t.failed + EXCLUDED.failed, received = t.received + EXCLUDED.received,
       updated_at = EXCLUDED.updated_at`,
    [
      column('user_id'),
      column('day'),
      column('session_id'),
      column('message_type'),
      column('sent'),
      column('failed'),
      column('received'),
      now,
    ],
  );
}

export interface DailyUsageRow {
  day: number;
  message_type: string;
  sent: number;
  failed: number;
  received: number;
}

/** A user's counts per day and type over `[fromDay, toDay]`, all sessions or one; days without rows are absent. */
export async function listDailyUsage(
  q: Queryable,
  userId: string,
  range: { fromDay: number; toDay: number; sessionId: string | null },
): Promise<DailyUsageRow[]> {
  const { rows } = await q.query<DailyUsageRow>(
    `SELECT day - ${EPOCH} AS day, message_type, sum(sent) AS sent, sum(failed) AS failed, sum(received) AS received
     FROM gateway_usage_daily
     WHERE user_id = $1 AND day BETWEEN ${EPOCH} + $2::int AND ${EPOCH} + $3::int AND ($4::text IS NULL OR session_id = $4)
     GROUP BY day, message_type ORDER BY day, message_type`,
    [userId, range.fromDay, range.toDay, range.sessionId],
  );
  return rows;
}

/** Whether the user has this session now, or had it: a deleted session keeps its history (issue 17). */
export async function userHasOrHadSession(q: Queryable, userId: string, sessionId: string): Promise<boolean> {
  const { rows } = await q.query<{ known: boolean }>(
    `SELECT EXISTS (SELECT 1 FROM wa_sessions WHERE user_id = $1 AND session_id = $2)
         OR EXISTS (SELECT 1 FROM gateway_usage_daily WHERE user_id = $1 AND session_id = $2) AS known`,
    [userId, sessionId],
  );
  return rows[0]?.known === true;
}

export interface UsageTotalsRow {
  user_id: string | null;
  source_service: string | null;
  sent: number;
  failed: number;
  received: number;
  total: number;
}

/**
 * One page of users (by id) with their totals over the range, and how many users match, in one
 * statement (issue 17: one query per page). The totals are summed for the page's users only, each an
 * index range scan, so a page costs the same on the first and the last. An empty page is one row of
 * nulls that still carries `total`.
 */
export async function pageUsageTotals(
  q: Queryable,
  p: { fromDay: number; toDay: number; source: string | null; limit: number; offset: number },
): Promise<UsageTotalsRow[]> {
  const { rows } = await q.query<UsageTotalsRow>(
    `WITH total AS (SELECT count(*) AS total FROM wa_service_users WHERE $3::text IS NULL OR source_service = $3),
     page AS (SELECT id, source_service FROM wa_service_users WHERE $3::text IS NULL OR source_service = $3
              ORDER BY id LIMIT $4 OFFSET $5)
     SELECT page.id AS user_id, page.source_service, COALESCE(a.sent, 0) AS sent, COALESCE(a.failed, 0) AS failed,
       COALESCE(a.received, 0) AS received, total.total
     FROM total LEFT JOIN page ON true
     LEFT JOIN LATERAL (SELECT sum(sent) AS sent, sum(failed) AS failed, sum(received) AS received FROM gateway_usage_daily
                        WHERE user_id = page.id AND day BETWEEN ${EPOCH} + $1::int AND ${EPOCH} + $2::int) a ON true
     ORDER BY page.id`,
    [p.fromDay, p.toDay, p.source, p.limit, p.offset],
  );
  return rows;
}

/** Removes the days before `beforeDay` (USAGE_RETENTION_DAYS); returns how many rows went. Safe to run twice at once. */
export async function pruneDailyUsage(q: Queryable, beforeDay: number): Promise<number> {
  const { rowCount } = await q.query(`DELETE FROM gateway_usage_daily WHERE day < ${EPOCH} + $1::int`, [beforeDay]);
  return rowCount;
}
