import type { Queryable } from './db.js';

// The operator's overview (issue 17 §3): a handful of small aggregates, each optionally narrowed to
// one source (a scoped key). Days travel as whole days since 1970-01-01, as in store/usage.ts.
const EPOCH = "DATE '1970-01-01'";
const IN_SOURCE = '($1::text IS NULL OR u.source_service = $1)';

export async function countUsersByStatus(q: Queryable, source: string | null): Promise<Array<{ status: string; n: number }>> {
  const { rows } = await q.query<{ status: string; n: number }>(
    `SELECT COALESCE(u.status, 'active') AS status, count(*) AS n FROM wa_service_users u WHERE ${IN_SOURCE} GROUP BY 1 ORDER BY 1`,
    [source],
  );
  return rows;
}

export async function countSessionsByConnection(q: Queryable, source: string | null): Promise<{ connected: number; disconnected: number }> {
  const { rows } = await q.query<{ connected: number; disconnected: number }>(
    `SELECT count(*) FILTER (WHERE s.connected) AS connected, count(*) FILTER (WHERE s.connected IS NOT TRUE) AS disconnected
     FROM wa_sessions s JOIN wa_service_users u ON u.id = s.user_id
     WHERE ${IN_SOURCE} AND s.status IS DISTINCT FROM 'provisioning'`,
    [source],
  );
  return rows[0] ?? { connected: 0, disconnected: 0 };
}

export interface DayTotalsRow {
  day: number;
  sent: number;
  failed: number;
  received: number;
}

/** Every user's messages per day over the range (days without any are absent). */
export async function sumUsageByDay(q: Queryable, source: string | null, fromDay: number, toDay: number): Promise<DayTotalsRow[]> {
  const { rows } = await q.query<DayTotalsRow>(
    `SELECT d.day - ${EPOCH} AS day, sum(d.sent) AS sent, sum(d.failed) AS failed, sum(d.received) AS received
     FROM gateway_usage_daily d ${source === null ? '' : 'JOIN wa_service_users u ON u.id = d.user_id'}
     WHERE d.day BETWEEN ${EPOCH} + $2::int AND ${EPOCH} + $3::int ${source === null ? 'AND $1::text IS NULL' : `AND ${IN_SOURCE}`}
     GROUP BY d.day ORDER BY d.day`,
    [source, fromDay, toDay],
  );
  return rows;
}

export interface TopUserRow {
  user_id: string;
  source_service: string;
  sent: number;
  failed: number;
  received: number;
}

/** The users who sent the most from `fromDay` on. */
export async function listTopUsers(q: Queryable, source: string | null, fromDay: number, limit: number): Promise<TopUserRow[]> {
  const { rows } = await q.query<TopUserRow>(
    `SELECT d.user_id, COALESCE(u.source_service, '') AS source_service,
       sum(d.sent) AS sent, sum(d.failed) AS failed, sum(d.received) AS received
     FROM gateway_usage_daily d LEFT JOIN wa_service_users u ON u.id = d.user_id
     WHERE d.day >= ${EPOCH} + $2::int AND ${IN_SOURCE}
     GROUP BY d.user_id, u.source_service
     ORDER BY sum(d.sent) DESC, sum(d.received) DESC, d.user_id LIMIT $3`,
    [source, fromDay, limit],
  );
  return rows;
}

/** The outbox: waiting deliveries, those among them already retried, and those given up since `since`. */
export async function countWebhookBacklog(
  q: Queryable,
  source: string | null,
  since: Date,
): Promise<{ pending: number; retrying: number; failed: number }> {
  const { rows } = await q.query<{ pending: number; retrying: number; failed: number }>(
    `SELECT count(*) FILTER (WHERE d.status = 'pending') AS pending,
       count(*) FILTER (WHERE d.status = 'pending' AND d.attempts > 0) AS retrying,
       count(*) FILTER (WHERE d.status = 'failed' AND d.updated_at >= $2) AS failed
     FROM gateway_webhook_deliveries d ${source === null ? '' : 'JOIN wa_service_users u ON u.id = d.user_id'}
     WHERE ${source === null ? '$1::text IS NULL' : IN_SOURCE}`,
    [source, since],
  );
  return rows[0] ?? { pending: 0, retrying: 0, failed: 0 };
}
