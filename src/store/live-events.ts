import type { Queryable } from './db.js';

/** A stored provider event as a live stream sends it. */
export interface LiveEventRow {
  id: number;
  event_key: string;
  event_type: string;
  payload: Record<string, unknown>;
}

/** The newest stored event of each session (0 when it has none): where a live stream starts, and its catch-up check. */
export async function latestEventIds(q: Queryable, sessionRowIds: number[]): Promise<Map<number, number>> {
  const { rows } = await q.query<{ session_row_id: number; last: number }>(
    `SELECT r.id AS session_row_id, COALESCE((SELECT max(e.id) FROM gateway_webhook_events e WHERE e.session_row_id = r.id), 0) AS last
     FROM unnest($1::bigint[]) AS r(id)`,
    [sessionRowIds],
  );
  return new Map(rows.map((r) => [Number(r.session_row_id), Number(r.last)]));
}

/** The session's newest events, newest first, without their payloads: where a `Last-Event-ID` is looked for. */
export async function listRecentEventKeys(
  q: Queryable,
  sessionRowId: number,
  limit: number,
): Promise<Array<{ id: number; event_key: string }>> {
  const { rows } = await q.query<{ id: number; event_key: string }>(
    'SELECT id, event_key FROM gateway_webhook_events WHERE session_row_id = $1 ORDER BY id DESC LIMIT $2',
    [sessionRowId, limit],
  );
  return rows;
}

/** The session's events after `afterId`, oldest first. */
export async function listEventsAfter(q: Queryable, sessionRowId: number, afterId: number, limit: number): Promise<LiveEventRow[]> {
  const { rows } = await q.query<LiveEventRow>(
    `SELECT id, event_key, event_type, payload FROM gateway_webhook_events WHERE session_row_id = $1 AND id > $2
     ORDER BY id LIMIT $3`,
    [sessionRowId, afterId, limit],
  );
  return rows;
}
