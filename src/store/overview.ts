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

export interface SessionCounts {
  connected: number;
  disconnected: number;
  /** Sessions by health (SPEC §10 session health, migration 011). */
  by_health: Record<string, number>;
}

/** Sessions connected or not, and by health, in one statement. */
export async function countSessions(q: Queryable, source: string | null): Promise<SessionCounts> {
  const { rows } = await q.query<{ health: string; connected: number; n: number }>(
    `SELECT COALESCE(s.health, 'unknown') AS health, count(*) FILTER (WHERE s.connected) AS connected, count(*) AS n
     FROM wa_sessions s JOIN wa_service_users u ON u.id = s.user_id
     WHERE ${IN_SOURCE} AND s.status IS DISTINCT FROM 'provisioning'
     GROUP BY 1 ORDER BY 1`,
    [source],
  );
  const connected = rows.reduce((n, r) => n + r.connected, 0);
  const all = rows.reduce((n, r) => n + r.n, 0);
  return { connected, disconnected: all - connected, by_health: Object.fromEntries(rows.map((r) => [r.health, r.n])) };
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
