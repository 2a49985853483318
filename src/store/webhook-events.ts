import type { Queryable } from './db.js';
import type { SessionRow } from './sessions.js';
import { currentSubscriptionSql } from './subscriptions.js';

/** A session as the relay sees it: with its owner's status and current subscription, in one row (issue 11 §10). */
export type InboundSession = SessionRow & { user_status: string | null; sub_status: string | null; sub_expires_at: Date | null };

export type InboundSessionKey = { relayId: string } | { providerId: string } | { rowId: number };

function where(key: InboundSessionKey): { clause: string; value: string | number } {
  if ('relayId' in key) return { clause: 's.relay_id = $1', value: key.relayId };
  if ('providerId' in key) return { clause: 's.session_id = $1', value: key.providerId };
  return { clause: 's.id = $1', value: key.rowId };
}

const INBOUND_SESSION = `SELECT s.*, u.status AS user_status, sub.status AS sub_status, sub.expires_at AS sub_expires_at
     FROM wa_sessions s
     JOIN wa_service_users u ON u.id = s.user_id
     LEFT JOIN LATERAL ${currentSubscriptionSql('s.user_id', '$2')} sub ON true`;

/** The session an event is for, its owner's status and the owner's newest subscription for `provider`. */
export async function findInboundSession(q: Queryable, key: InboundSessionKey, provider: string): Promise<InboundSession | null> {
  const { clause, value } = where(key);
  const { rows } = await q.query<InboundSession>(
    `${INBOUND_SESSION} WHERE ${clause} AND s.status IS DISTINCT FROM 'provisioning' ORDER BY s.id LIMIT 1`,
    [value, provider],
  );
  return rows[0] ?? null;
}

/** `findInboundSession` for several session rows at once (the sessions of a claimed batch of deliveries). */
export async function findInboundSessions(q: Queryable, rowIds: number[], provider: string): Promise<InboundSession[]> {
  const { rows } = await q.query<InboundSession>(
    `${INBOUND_SESSION} WHERE s.id = ANY($1::bigint[]) AND s.status IS DISTINCT FROM 'provisioning'`,
    [rowIds, provider],
  );
  return rows;
}

/** Which provider webhook an event came through: the session's own (relay) or the global one. */
export type EventRoute = 'session' | 'global';
const VIA: Record<EventRoute, string> = { session: 'via_session', global: 'via_global' };

export interface SeenEvent {
  id: number;
  event_key: string;
}

/** The newest event of the session with this key since `since`. */
export async function findEventByKey(q: Queryable, sessionRowId: number, key: string, since: Date): Promise<SeenEvent | null> {
  const { rows } = await q.query<SeenEvent>(
    `SELECT id, event_key FROM gateway_webhook_events WHERE session_row_id = $1 AND event_key = $2 AND received_at >= $3
     ORDER BY id DESC LIMIT 1`,
    [sessionRowId, key, since],
  );
  return rows[0] ?? null;
}

/** The last event that came through `route` for the session since `since`. */
export async function findLastEventVia(q: Queryable, sessionRowId: number, route: EventRoute, since: Date): Promise<SeenEvent | null> {
  const { rows } = await q.query<SeenEvent>(
    `SELECT id, event_key FROM gateway_webhook_events WHERE session_row_id = $1 AND ${VIA[route]} AND received_at >= $2
     ORDER BY id DESC LIMIT 1`,
    [sessionRowId, since],
  );
  return rows[0] ?? null;
}

/** The oldest event with this key since `since` that has not come through `route` yet. */
export async function findEventNotVia(
  q: Queryable,
  sessionRowId: number,
  key: string,
  route: EventRoute,
  since: Date,
): Promise<SeenEvent | null> {
  const { rows } = await q.query<SeenEvent>(
    `SELECT id, event_key FROM gateway_webhook_events WHERE session_row_id = $1 AND event_key = $2 AND received_at >= $3
       AND NOT ${VIA[route]} ORDER BY id LIMIT 1`,
    [sessionRowId, key, since],
  );
  return rows[0] ?? null;
}

export async function markEventVia(q: Queryable, id: number, route: EventRoute): Promise<void> {
  await q.query(`UPDATE gateway_webhook_events SET ${VIA[route]} = true WHERE id = $1`, [id]);
}

export interface InboundEvent {
  sessionRowId: number;
  key: string;
  type: string;
  payload: unknown;
  route: EventRoute;
  receivedAt: Date;
}

export async function insertEvent(q: Queryable, e: InboundEvent): Promise<number> {
  const { rows } = await q.query<{ id: number }>(
    `INSERT INTO gateway_webhook_events (session_row_id, event_key, event_type, payload, received_at, ${VIA[e.route]})
     VALUES ($1, $2, $3, $4, $5, true) RETURNING id`,
    [e.sessionRowId, e.key, e.type, JSON.stringify(e.payload), e.receivedAt],
  );
  return rows[0]!.id;
}

export async function markEventsProcessed(q: Queryable, ids: number[], now: Date): Promise<void> {
  await q.query('UPDATE gateway_webhook_events SET processed_at = $2 WHERE id = ANY($1::bigint[])', [ids, now]);
}

export interface StoredEvent {
  id: number;
  session_row_id: number;
  event_type: string;
  payload: Record<string, unknown>;
}

/** A session's events not processed yet, in the order they arrived. */
export async function listUnprocessedEvents(q: Queryable, sessionRowId: number, limit: number): Promise<StoredEvent[]> {
  const { rows } = await q.query<StoredEvent>(
    `SELECT id, session_row_id, event_type, payload FROM gateway_webhook_events
     WHERE session_row_id = $1 AND processed_at IS NULL ORDER BY id LIMIT $2`,
    [sessionRowId, limit],
  );
  return rows;
}

/** Sessions with events that a crash left unprocessed: received before `before`, still open. */
export async function listSessionsWithUnprocessedEvents(q: Queryable, before: Date, limit: number): Promise<number[]> {
  const { rows } = await q.query<{ session_row_id: number }>(
    `SELECT session_row_id FROM gateway_webhook_events WHERE processed_at IS NULL AND received_at < $1
     GROUP BY session_row_id ORDER BY min(received_at) LIMIT $2`,
    [before, limit],
  );
  return rows.map((r) => r.session_row_id);
}
