import type { Queryable } from './db.js';

export interface InboundEvent {
  sessionRowId: number;
  key: string;
  type: string;
  payload: unknown;
  receivedAt: Date;
}

/** Stores an event unless its key was seen for that session: true when it is new. */
export async function insertEventOnce(q: Queryable, e: InboundEvent): Promise<number | null> {
  const { rows } = await q.query<{ id: number }>(
    `INSERT INTO gateway_webhook_events (session_row_id, event_key, event_type, payload, received_at)
     VALUES ($1, $2, $3, $4, $5) ON CONFLICT (session_row_id, event_key) DO NOTHING RETURNING id`,
    [e.sessionRowId, e.key, e.type, JSON.stringify(e.payload), e.receivedAt],
  );
  return rows[0]?.id ?? null;
}

export async function markEventProcessed(q: Queryable, id: number, now: Date): Promise<void> {
  await q.query('UPDATE gateway_webhook_events SET processed_at = $2 WHERE id = $1', [id, now]);
}

export interface StoredEvent {
  id: number;
  session_row_id: number;
  event_type: string;
  payload: Record<string, unknown>;
}

/** Events stored but not processed before a crash: picked up again by the delivery job. */
export async function listUnprocessedEvents(q: Queryable, before: Date, limit: number): Promise<StoredEvent[]> {
  const { rows } = await q.query<StoredEvent>(
    `SELECT id, session_row_id, event_type, payload FROM gateway_webhook_events
     WHERE processed_at IS NULL AND received_at < $1 ORDER BY received_at LIMIT $2`,
    [before, limit],
  );
  return rows;
}

export interface NewDelivery {
  eventId: string;
  sessionRowId: number;
  userId: string;
  sessionId: string;
  type: string;
  url: string;
  body: string;
  now: Date;
}

export async function insertDelivery(q: Queryable, d: NewDelivery): Promise<DeliveryRow> {
  const { rows } = await q.query<DeliveryRow>(
    `INSERT INTO gateway_webhook_deliveries (event_id, session_row_id, user_id, session_id, event_type, url, body, status, attempts,
       next_attempt_at, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, 'pending', 0, $8, $8, $8) RETURNING *`,
    [d.eventId, d.sessionRowId, d.userId, d.sessionId, d.type, d.url, d.body, d.now],
  );
  return rows[0]!;
}

export interface DeliveryRow {
  id: number;
  event_id: string;
  session_row_id: number;
  user_id: string;
  session_id: string;
  event_type: string;
  url: string;
  body: string;
  status: 'pending' | 'delivered' | 'failed';
  attempts: number;
  next_attempt_at: Date;
  locked_until: Date | null;
  last_status_code: number | null;
  last_error: string | null;
  created_at: Date;
  updated_at: Date;
  delivered_at: Date | null;
}

/**
 * Claims due deliveries for `leaseMs`: `SKIP LOCKED` keeps instances off each other's rows, and the
 * lease lets another instance take over a delivery whose instance died mid-attempt.
 */
export async function claimDueDeliveries(q: Queryable, now: Date, leaseMs: number, limit: number): Promise<DeliveryRow[]> {
  const { rows } = await q.query<DeliveryRow>(
    `UPDATE gateway_webhook_deliveries d SET locked_until = $2::timestamptz + make_interval(secs => $3::double precision / 1000)
     WHERE d.id IN (SELECT id FROM gateway_webhook_deliveries WHERE status = 'pending' AND next_attempt_at <= $2
       AND (locked_until IS NULL OR locked_until < $2) ORDER BY next_attempt_at, id LIMIT $1 FOR UPDATE SKIP LOCKED)
     RETURNING d.*`,
    [limit, now, leaseMs],
  );
  return rows;
}

export interface AttemptOutcome {
  status: 'pending' | 'delivered' | 'failed';
  statusCode: number | null;
  error: string | null;
  nextAttemptAt: Date;
  now: Date;
}

export async function recordAttempt(q: Queryable, id: number, o: AttemptOutcome): Promise<void> {
  await q.query(
    `UPDATE gateway_webhook_deliveries SET status = $2::text, attempts = attempts + 1, last_status_code = $3, last_error = $4,
       next_attempt_at = $5, locked_until = NULL, updated_at = $6, delivered_at = CASE WHEN $2::text = 'delivered' THEN $6 ELSE delivered_at END
     WHERE id = $1`,
    [id, o.status, o.statusCode, o.error, o.nextAttemptAt, o.now],
  );
}

export async function listDeliveries(q: Queryable, userId: string, sessionId: string, limit: number): Promise<DeliveryRow[]> {
  const { rows } = await q.query<DeliveryRow>(
    `SELECT * FROM gateway_webhook_deliveries WHERE user_id = $1 AND session_id = $2 ORDER BY created_at DESC, id DESC LIMIT $3`,
    [userId, sessionId, limit],
  );
  return rows;
}

/** Puts a delivery of this tenant back in the queue from scratch; null when it is not theirs. */
export async function requeueDelivery(q: Queryable, userId: string, sessionId: string, id: number, now: Date): Promise<DeliveryRow | null> {
  const { rows } = await q.query<DeliveryRow>(
    `UPDATE gateway_webhook_deliveries SET status = 'pending', attempts = 0, next_attempt_at = $4, locked_until = NULL,
       last_error = NULL, last_status_code = NULL, delivered_at = NULL, updated_at = $4
     WHERE id = $3 AND user_id = $1 AND session_id = $2 RETURNING *`,
    [userId, sessionId, id, now],
  );
  return rows[0] ?? null;
}

export async function countPendingDeliveries(q: Queryable): Promise<number> {
  const { rows } = await q.query<{ n: number }>("SELECT count(*) AS n FROM gateway_webhook_deliveries WHERE status = 'pending'");
  return rows[0]?.n ?? 0;
}

/** Delivery records are not an archive (SPEC §6): finished ones and old event keys go. */
export async function pruneWebhookRecords(q: Queryable, deliveriesBefore: Date, eventsBefore: Date): Promise<void> {
  await q.query("DELETE FROM gateway_webhook_deliveries WHERE status <> 'pending' AND updated_at < $1", [deliveriesBefore]);
  await q.query('DELETE FROM gateway_webhook_events WHERE received_at < $1 AND processed_at IS NOT NULL', [eventsBefore]);
}
