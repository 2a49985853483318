import type { Queryable } from './db.js';
import { PROVISIONING, type SessionState } from './sessions.js';
import { currentSubscriptionSql } from './subscriptions.js';

/** The columns a session's health is decided on (services/session-health.ts). */
export interface HealthColumns {
  connected: boolean | null;
  logged_in: boolean | null;
  j_id: string | null;
  status: string | null;
  health: string;
  last_event_at: Date | null;
}

/** A session as its health is decided: state, health, its webhook, and whether its owner is served. */
export interface HealthRow extends HealthColumns {
  id: number;
  user_id: string;
  session_id: string;
  session_name: string | null;
  webhook_url: string | null;
  webhook_format: string;
  /** The customer's event list. */
  events: string | null;
  last_checked_at: Date | null;
  user_status: string | null;
  sub_status: string | null;
  sub_expires_at: Date | null;
}

/** The session row, locked until the transaction ends, so two writers of its state take turns. */
export async function lockSessionHealth(q: Queryable, rowId: number, provider: string): Promise<HealthRow | null> {
  const { rows } = await q.query<HealthRow>(
    `SELECT s.id, s.user_id, s.session_id, s.session_name, s.webhook_url, s.webhook_format, s.events, s.connected, s.logged_in, s.j_id,
       s.status, s.health, s.last_event_at, s.last_checked_at, u.status AS user_status, sub.status AS sub_status,
       sub.expires_at AS sub_expires_at
     FROM wa_sessions s
     JOIN wa_service_users u ON u.id = s.user_id
     LEFT JOIN LATERAL ${currentSubscriptionSql('s.user_id', '$2')} sub ON true
     WHERE s.id = $1 AND s.status IS DISTINCT FROM '${PROVISIONING}'
     FOR UPDATE OF s`,
    [rowId, provider],
  );
  return rows[0] ?? null;
}

export interface HealthWrite {
  state: SessionState;
  health: string;
  lastEventAt: Date | null;
  /** Set when the provider's status was asked (reconciliation). */
  checkedAt: Date | null;
  /** True when the provider told something (an answer, an event): `last_synced_at` and `updated_at` move. */
  synced: boolean;
  now: Date;
}

export async function saveSessionHealth(q: Queryable, rowId: number, w: HealthWrite): Promise<void> {
  await q.query(
    `UPDATE wa_sessions SET connected = $2, logged_in = $3, j_id = $4, status = $5, health = $6, last_event_at = $7,
       last_checked_at = COALESCE($8, last_checked_at),
       last_synced_at = CASE WHEN $9::boolean THEN $10 ELSE last_synced_at END,
       updated_at = CASE WHEN $9::boolean THEN $10 ELSE updated_at END
     WHERE id = $1`,
    [rowId, w.state.connected, w.state.loggedIn, w.state.jid, w.state.status, w.health, w.lastEventAt, w.checkedAt, w.synced, w.now],
  );
}

/** Reconciliation: sessions whose answer changed nothing, marked checked in one statement. */
export async function markSessionsChecked(q: Queryable, rowIds: number[], at: Date): Promise<void> {
  if (rowIds.length === 0) return;
  await q.query('UPDATE wa_sessions SET last_checked_at = $2 WHERE id = ANY($1::bigint[])', [rowIds, at]);
}

/**
 * Coalesced `last_event_at` (issue 16: not one write per event): the newest instant heard per
 * session, in one statement; returns the sessions whose stored health is `silent`, to be looked at again.
 */
export async function recordSessionsHeard(q: Queryable, heard: Array<{ rowId: number; at: Date }>): Promise<number[]> {
  if (heard.length === 0) return [];
  const { rows } = await q.query<{ id: number; health: string }>(
    `UPDATE wa_sessions s SET last_event_at = GREATEST(s.last_event_at, h.at)
     FROM unnest($1::bigint[], $2::timestamptz[]) AS h(row_id, at)
     WHERE s.id = h.row_id AND (s.last_event_at IS NULL OR s.last_event_at < h.at)
     RETURNING s.id, s.health`,
    [heard.map((h) => h.rowId), heard.map((h) => h.at)],
  );
  return rows.filter((r) => r.health === 'silent').map((r) => r.id);
}

/** A session the reconciliation asks about: its token (as stored) and what the gateway believes now. */
export interface CheckRow extends HealthColumns {
  id: number;
  session_id: string;
  session_token: string | null;
}

const DUE = `status IS DISTINCT FROM '${PROVISIONING}' AND (last_checked_at IS NULL OR last_checked_at < $1)`;

/** Sessions not checked since `since`, after `afterId`, in row order: one page of a reconciliation pass. */
export async function listSessionsToCheck(q: Queryable, since: Date, afterId: number, limit: number): Promise<CheckRow[]> {
  const { rows } = await q.query<CheckRow>(
    `SELECT id, session_id, session_token, connected, logged_in, j_id, status, health, last_event_at FROM wa_sessions
     WHERE ${DUE} AND id > $2 ORDER BY id LIMIT $3`,
    [since, afterId, limit],
  );
  return rows;
}

export async function countSessionsToCheck(q: Queryable, since: Date): Promise<number> {
  const { rows } = await q.query<{ n: number }>(`SELECT count(*) AS n FROM wa_sessions WHERE ${DUE}`, [since]);
  return rows[0]?.n ?? 0;
}

/** Sessions by health, for the `wa_gateway_sessions{health}` gauge. */
export async function countSessionsByHealth(q: Queryable): Promise<Record<string, number>> {
  const { rows } = await q.query<{ health: string; n: number }>(
    `SELECT health, count(*) AS n FROM wa_sessions WHERE status IS DISTINCT FROM '${PROVISIONING}' GROUP BY health`,
  );
  return Object.fromEntries(rows.map((r) => [r.health, r.n]));
}
