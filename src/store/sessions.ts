import type { Queryable } from './db.js';

export interface SessionRow {
  id: number;
  user_id: string;
  provider: string | null;
  session_id: string;
  session_name: string | null;
  session_token: string | null;
  session_token_hash: string | null;
  webhook_url: string | null;
  webhook_secret: string | null;
  events: string | null;
  relay_id: string | null;
  relay_hmac_key: string | null;
  /** The relay URL genfity-wa was last pointed at (services/relay-repoint.ts). */
  relay_target: string | null;
  relay_skip_reason: string | null;
  /** `provider` or `envelope` (SPEC §10); the column default is `provider`. */
  webhook_format: string;
  auto_read_enabled: boolean | null;
  typing_enabled: boolean | null;
  connected: boolean | null;
  logged_in: boolean | null;
  j_id: string | null;
  status: string | null;
  last_synced_at: Date | null;
  last_activity_at: Date | null;
  last_message_sent: number | null;
  last_message_fail: number | null;
  created_at: Date | null;
  updated_at: Date | null;
  /** SPEC §10 session health (migration 011): what the gateway last concluded, and when it last heard and asked. */
  health: string;
  last_event_at: Date | null;
  last_checked_at: Date | null;
}

/** A row that holds a place under the session cap while the provider is being asked (not listed). */
export const PROVISIONING = 'provisioning';

/** Every tenant-owned read filters on the owner in SQL (STYLE: flow rule). */
export async function findSessionForUser(q: Queryable, userId: string, sessionId: string, forUpdate = false): Promise<SessionRow | null> {
  const { rows } = await q.query<SessionRow>(
    `SELECT * FROM wa_sessions WHERE user_id = $1 AND session_id = $2 AND status IS DISTINCT FROM '${PROVISIONING}'
     ORDER BY id LIMIT 1${forUpdate ? ' FOR UPDATE' : ''}`,
    [userId, sessionId],
  );
  return rows[0] ?? null;
}

export async function listSessionsForUser(q: Queryable, userId: string): Promise<SessionRow[]> {
  const { rows } = await q.query<SessionRow>(
    `SELECT * FROM wa_sessions WHERE user_id = $1 AND status IS DISTINCT FROM '${PROVISIONING}'
     ORDER BY updated_at DESC NULLS LAST, id DESC`,
    [userId],
  );
  return rows;
}

/**
 * Locks the owner so concurrent creates of one user queue here (go-service-api B2/B3: the Go count
 * raced and counted statuses that never occur). Stale placeholders of a crashed create are dropped.
 */
export async function countSessionsForUserLocked(q: Queryable, userId: string, staleBefore: Date): Promise<number> {
  await q.query('SELECT 1 FROM wa_service_users WHERE id = $1 FOR UPDATE', [userId]);
  await q.query(`DELETE FROM wa_sessions WHERE user_id = $1 AND status = '${PROVISIONING}' AND created_at < $2`, [userId, staleBefore]);
  const { rows } = await q.query<{ n: number }>('SELECT count(*) AS n FROM wa_sessions WHERE user_id = $1', [userId]);
  return rows[0]?.n ?? 0;
}

/** `token` in its stored form (sealed when a key is set), `tokenHash` its lookup hash or null. */
export interface Placeholder {
  userId: string;
  placeholderId: string;
  provider: string;
  name: string;
  token: string;
  tokenHash: string | null;
  webhookUrl: string;
  events: string;
  now: Date;
}

export async function insertPlaceholder(q: Queryable, p: Placeholder): Promise<number> {
  const { rows } = await q.query<{ id: number }>(
    `INSERT INTO wa_sessions (user_id, provider, session_id, session_name, session_token, session_token_hash, webhook_url, events, status,
       connected, logged_in, j_id, last_message_sent, last_message_fail, created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $9, $6, $7, '${PROVISIONING}', false, false, '', 0, 0, $8, $8) RETURNING id`,
    [p.userId, p.provider, p.placeholderId, p.name, p.token, p.webhookUrl, p.events, p.now, p.tokenHash],
  );
  return rows[0]!.id;
}

export async function completePlaceholder(
  q: Queryable,
  rowId: number,
  sessionId: string,
  webhookUrl: string,
  now: Date,
): Promise<SessionRow> {
  const { rows } = await q.query<SessionRow>(
    `UPDATE wa_sessions SET session_id = $2, webhook_url = $3, status = 'created', last_synced_at = $4, updated_at = $4
     WHERE id = $1 RETURNING *`,
    [rowId, sessionId, webhookUrl, now],
  );
  return rows[0]!;
}

/** Serialises writers of one session's data (for example two contact syncs) until the transaction ends. */
export async function lockSession(q: Queryable, rowId: number): Promise<void> {
  await q.query('SELECT 1 FROM wa_sessions WHERE id = $1 FOR UPDATE', [rowId]);
}

export async function deleteSessionRow(q: Queryable, rowId: number): Promise<void> {
  await q.query('DELETE FROM wa_sessions WHERE id = $1', [rowId]);
}

/**
 * Removes a session with what hangs off it (go-service-api B11 left contacts and stats behind); false
 * when there was no session row left to remove.
 */
export async function deleteSessionCascade(q: Queryable, userId: string, sessionId: string): Promise<boolean> {
  await q.query('DELETE FROM wa_session_contacts WHERE user_id = $1 AND session_id = $2', [userId, sessionId]);
  await q.query('DELETE FROM wa_session_message_stats WHERE user_id = $1 AND session_id = $2', [userId, sessionId]);
  const { rowCount } = await q.query('DELETE FROM wa_sessions WHERE user_id = $1 AND session_id = $2', [userId, sessionId]);
  return rowCount > 0;
}

export interface SessionChanges {
  session_name?: string;
  webhook_url?: string;
  webhook_secret?: string | null;
  events?: string;
  auto_read_enabled?: boolean;
  typing_enabled?: boolean;
  webhook_format?: string;
}

const CHANGEABLE = [
  'session_name',
  'webhook_url',
  'webhook_secret',
  'events',
  'auto_read_enabled',
  'typing_enabled',
  'webhook_format',
] as const;

export async function updateSessionFields(q: Queryable, rowId: number, changes: SessionChanges, now: Date): Promise<SessionRow> {
  const sets: string[] = [];
  const params: unknown[] = [rowId, now];
  for (const column of CHANGEABLE) {
    if (changes[column] === undefined) continue;
    params.push(changes[column]);
    sets.push(`${column} = $${params.length}`);
  }
  const { rows } = await q.query<SessionRow>(
    `UPDATE wa_sessions SET ${[...sets, 'updated_at = $2'].join(', ')} WHERE id = $1 RETURNING *`,
    params,
  );
  return rows[0]!;
}

export interface SessionState {
  connected: boolean;
  loggedIn: boolean;
  jid: string;
  status: string;
}

export async function findSessionByRelayId(q: Queryable, relayId: string): Promise<SessionRow | null> {
  const { rows } = await q.query<SessionRow>(
    `SELECT * FROM wa_sessions WHERE relay_id = $1 AND status IS DISTINCT FROM '${PROVISIONING}'`,
    [relayId],
  );
  return rows[0] ?? null;
}

/** The provider's session id (its `userID` in webhooks) → our row, for the global webhook. */
export async function findSessionByProviderId(q: Queryable, sessionId: string): Promise<SessionRow | null> {
  const { rows } = await q.query<SessionRow>(
    `SELECT * FROM wa_sessions WHERE session_id = $1 AND status IS DISTINCT FROM '${PROVISIONING}' ORDER BY id LIMIT 1`,
    [sessionId],
  );
  return rows[0] ?? null;
}

export async function findSessionByRowId(q: Queryable, rowId: number): Promise<SessionRow | null> {
  const { rows } = await q.query<SessionRow>('SELECT * FROM wa_sessions WHERE id = $1', [rowId]);
  return rows[0] ?? null;
}

/** The relay a session was provisioned with, and the URL genfity-wa was given for it. */
export async function setRelay(q: Queryable, rowId: number, relayId: string, relayKey: string, target: string): Promise<void> {
  await q.query('UPDATE wa_sessions SET relay_id = $2, relay_hmac_key = $3, relay_target = $4 WHERE id = $1', [
    rowId,
    relayId,
    relayKey,
    target,
  ]);
}
