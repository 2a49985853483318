import { deleteInBatches, type Queryable } from './db.js';

export interface AuditRecord {
  at: Date;
  actor_type: string;
  actor_name: string;
  action: string;
  user_id: string;
  session_id: string | null;
  request_id: string | null;
  ip: string | null;
  changes: Record<string, unknown>;
}
export interface AuditRow extends AuditRecord {
  id: number;
}

/** Several records in one statement (the expiry sweep writes one per subscription it ends). */
export async function insertAuditRecords(q: Queryable, records: readonly AuditRecord[]): Promise<void> {
  if (records.length === 0) return;
  await q.query(
    `INSERT INTO gateway_audit_log (at, actor_type, actor_name, action, user_id, session_id, request_id, ip, changes)
     SELECT r.at, r.actor_type, r.actor_name, r.action, r.user_id, r.session_id, r.request_id, r.ip, r.changes
     FROM jsonb_to_recordset($1::jsonb) AS r(at timestamptz, actor_type text, actor_name text, action text, user_id text,
       session_id text, request_id text, ip text, changes jsonb)`,
    [JSON.stringify(records)],
  );
}

export interface AuditFilter {
  userId: string | null;
  /** Only users of this source (a scoped internal key); null: every user. */
  source: string | null;
  action: string | null;
  from: Date | null;
  /** Exclusive. */
  until: Date | null;
}

function filterSql(f: AuditFilter): { where: string; params: unknown[] } {
  return {
    where: `WHERE ($1::text IS NULL OR a.user_id = $1) AND ($2::text IS NULL OR a.action = $2)
      AND ($3::timestamptz IS NULL OR a.at >= $3) AND ($4::timestamptz IS NULL OR a.at < $4)
      AND ($5::text IS NULL OR EXISTS (SELECT 1 FROM wa_service_users u WHERE u.id = a.user_id AND u.source_service = $5))`,
    params: [f.userId, f.action, f.from, f.until, f.source],
  };
}

export async function countAuditRecords(q: Queryable, f: AuditFilter): Promise<number> {
  const { where, params } = filterSql(f);
  const { rows } = await q.query<{ total: number }>(`SELECT count(*) AS total FROM gateway_audit_log a ${where}`, params);
  return rows[0]?.total ?? 0;
}

/** Newest first; the id breaks ties between records of one instant. */
export async function listAuditRecords(q: Queryable, f: AuditFilter & { limit: number; offset: number }): Promise<AuditRow[]> {
  const { where, params } = filterSql(f);
  const { rows } = await q.query<AuditRow>(
    `SELECT a.* FROM gateway_audit_log a ${where} ORDER BY a.at DESC, a.id DESC LIMIT $6 OFFSET $7`,
    [...params, f.limit, f.offset],
  );
  return rows;
}

/** Deletes the records older than `before`, `batch` at a time; returns how many went. */
export function pruneAuditRecords(q: Queryable, before: Date, batch: number): Promise<number> {
  return deleteInBatches(
    q,
    'DELETE FROM gateway_audit_log WHERE id IN (SELECT id FROM gateway_audit_log WHERE at < $1 ORDER BY at LIMIT $2)',
    before,
    batch,
  );
}
