import { deleteInBatches, type Queryable } from './db.js';

export interface NewDelivery {
  eventId: string;
  sessionRowId: number;
  userId: string;
  sessionId: string;
  type: string;
  url: string;
  /** The exact bytes delivered, and their content type (issue 12 §1: a provider body is kept as it came). */
  body: Buffer;
  contentType: string;
  now: Date;
}

/** Every column but the body, which may be megabytes (media inline): what a listing needs. */
const RECORD = `id, event_id, session_row_id, user_id, session_id, event_type, url, content_type, status, attempts, next_attempt_at,
  locked_until, last_status_code, last_error, created_at, updated_at, delivered_at`;

export async function insertDelivery(q: Queryable, d: NewDelivery): Promise<DeliveryRecord> {
  const { rows } = await q.query<DeliveryRecord>(
    `INSERT INTO gateway_webhook_deliveries (event_id, session_row_id, user_id, session_id, event_type, url, body, content_type, status,
       attempts, next_attempt_at, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $9, 'pending', 0, $8, $8, $8)
     RETURNING ${RECORD}`,
    [d.eventId, d.sessionRowId, d.userId, d.sessionId, d.type, d.url, d.body, d.now, d.contentType],
  );
  return rows[0]!;
}

/** A delivery without its body. */
export interface DeliveryRecord {
  id: number;
  event_id: string;
  session_row_id: number;
  user_id: string;
  session_id: string;
  event_type: string;
  url: string;
  content_type: string;
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

/** A delivery with the bytes it sends. */
export type DeliveryRow = DeliveryRecord & { body: Buffer };

// pg reads bytea as a Buffer, PGlite as a Uint8Array: both are the same bytes, seen as a Buffer.
const withBuffer = (row: Omit<DeliveryRow, 'body'> & { body: Uint8Array }): DeliveryRow => ({
  ...row,
  body: Buffer.isBuffer(row.body) ? row.body : Buffer.from(row.body.buffer, row.body.byteOffset, row.body.byteLength),
});

/** What this instance is already delivering: in-flight attempts per tenant, and the most one tenant may hold. */
export interface ClaimFairness {
  busy: ReadonlyMap<string, number>;
  perTenant: number;
}

/**
 * Claims up to `limit` due deliveries for `leaseMs`: `SKIP LOCKED` keeps instances off each other's rows,
 * and the lease lets another instance take over a delivery whose instance died mid-attempt. No tenant
 * gets more than `perTenant` attempts in flight here (issue 11 §4): tenants already at their share are
 * skipped, so one tenant's backlog of slow receivers cannot fill every slot.
 */
export async function claimDueDeliveries(
  q: Queryable,
  now: Date,
  leaseMs: number,
  limit: number,
  fairness: ClaimFairness = { busy: new Map(), perTenant: limit },
): Promise<DeliveryRow[]> {
  const busy = [...fairness.busy].filter(([, n]) => n > 0);
  const full = busy.filter(([, n]) => n >= fairness.perTenant).map(([user]) => user);
  const { rows } = await q.query<Omit<DeliveryRow, 'body'> & { body: Uint8Array }>(
    `UPDATE gateway_webhook_deliveries d SET locked_until = $2::timestamptz + make_interval(secs => $3::double precision / 1000)
     WHERE d.id IN (SELECT id FROM gateway_webhook_deliveries WHERE id IN (
         SELECT id FROM (
           SELECT c.id, c.next_attempt_at, COALESCE(b.n, 0) + row_number() OVER (PARTITION BY c.user_id ORDER BY c.next_attempt_at, c.id) AS held
           FROM (SELECT id, user_id, next_attempt_at FROM gateway_webhook_deliveries
                 WHERE status = 'pending' AND next_attempt_at <= $2 AND (locked_until IS NULL OR locked_until < $2)
                   AND user_id <> ALL($4::text[]) ORDER BY next_attempt_at, id LIMIT $8) c
           LEFT JOIN unnest($5::text[], $6::int[]) AS b(user_id, n) ON b.user_id = c.user_id
         ) w WHERE held <= $7 ORDER BY next_attempt_at, id LIMIT $1)
       AND status = 'pending' AND (locked_until IS NULL OR locked_until < $2) FOR UPDATE SKIP LOCKED)
     RETURNING d.*`,
    // Tenants at their share are skipped before the scan; one that still has room can fill at most its share of it.
    [limit, now, leaseMs, full, busy.map(([u]) => u), busy.map(([, n]) => n), fairness.perTenant, limit + fairness.perTenant],
  );
  return rows.map(withBuffer);
}

export interface AttemptOutcome {
  status: 'pending' | 'delivered' | 'failed';
  /** Where this attempt went (issue 11 §12: the session's URL at the time of the attempt). */
  url: string;
  statusCode: number | null;
  error: string | null;
  nextAttemptAt: Date;
  now: Date;
}

export async function recordAttempt(q: Queryable, id: number, o: AttemptOutcome): Promise<void> {
  await q.query(
    `UPDATE gateway_webhook_deliveries SET status = $2::text, attempts = attempts + 1, last_status_code = $3, last_error = $4,
       next_attempt_at = $5, locked_until = NULL, updated_at = $6, delivered_at = CASE WHEN $2::text = 'delivered' THEN $6 ELSE delivered_at END,
       url = $7
     WHERE id = $1`,
    [id, o.status, o.statusCode, o.error, o.nextAttemptAt, o.now, o.url],
  );
}

export async function listDeliveries(q: Queryable, userId: string, sessionId: string, limit: number): Promise<DeliveryRecord[]> {
  const { rows } = await q.query<DeliveryRecord>(
    `SELECT ${RECORD} FROM gateway_webhook_deliveries WHERE user_id = $1 AND session_id = $2 ORDER BY created_at DESC, id DESC LIMIT $3`,
    [userId, sessionId, limit],
  );
  return rows;
}

/** Puts a delivery of this tenant back in the queue from scratch; null when it is not theirs. */
export async function requeueDelivery(
  q: Queryable,
  userId: string,
  sessionId: string,
  id: number,
  now: Date,
): Promise<DeliveryRecord | null> {
  const { rows } = await q.query<DeliveryRecord>(
    `UPDATE gateway_webhook_deliveries SET status = 'pending', attempts = 0, next_attempt_at = $4, locked_until = NULL,
       last_error = NULL, last_status_code = NULL, delivered_at = NULL, updated_at = $4
     WHERE id = $3 AND user_id = $1 AND session_id = $2 RETURNING ${RECORD}`,
    [userId, sessionId, id, now],
  );
  return rows[0] ?? null;
}

export async function countPendingDeliveries(q: Queryable): Promise<number> {
  const { rows } = await q.query<{ n: number }>("SELECT count(*) AS n FROM gateway_webhook_deliveries WHERE status = 'pending'");
  return rows[0]?.n ?? 0;
}

const PRUNE_BATCH = 5_000;
const PRUNE_DELIVERIES = `DELETE FROM gateway_webhook_deliveries WHERE id IN (
  SELECT id FROM gateway_webhook_deliveries WHERE status <> 'pending' AND updated_at < $1 ORDER BY id LIMIT $2)`;
const PRUNE_EVENTS = `DELETE FROM gateway_webhook_events WHERE id IN (
  SELECT id FROM gateway_webhook_events WHERE received_at < $1 AND processed_at IS NOT NULL ORDER BY id LIMIT $2)`;

/**
 * Delivery records are not an archive (SPEC §6): finished ones and old event keys go. A busy hour holds
 * millions of rows (2,000 events/s is 7 million, docs/capacity.md): they go `batch` at a time, the
 * oldest (lowest ids) found through the primary key. Returns how many rows went.
 */
export async function pruneWebhookRecords(q: Queryable, deliveriesBefore: Date, eventsBefore: Date, batch = PRUNE_BATCH): Promise<number> {
  const deliveries = await deleteInBatches(q, PRUNE_DELIVERIES, deliveriesBefore, batch);
  return deliveries + (await deleteInBatches(q, PRUNE_EVENTS, eventsBefore, batch));
}
