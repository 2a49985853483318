import { AppError } from '../errors.js';
import type { Clock } from '../lib/clock.js';
import type { InternalPrincipal } from '../lib/internal-keys.js';
import { countAuditRecords, listAuditRecords, pruneAuditRecords, type AuditRow } from '../store/audit.js';
import type { Db } from '../store/index.js';
import type { Actor, Changes } from './audit-trail.js';
import { loadOwnedUser } from './owned-user.js';

export interface AuditQuery {
  user_id?: string;
  action?: string;
  /** RFC 3339 instant, or a day (`YYYY-MM-DD`, from its first instant, UTC). */
  from?: string;
  /** RFC 3339 instant (inclusive), or a day (`YYYY-MM-DD`, to its last instant, UTC). */
  to?: string;
  page: number;
  limit: number;
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const DAY_MS = 86_400_000;
const PRUNE_BATCH = 5_000;

/** `from` as the first instant it names, `to` as the instant just after the last one it names. */
function bounds(from: string | undefined, to: string | undefined): { from: Date | null; until: Date | null } {
  const start = from ? new Date(DAY.test(from) ? `${from}T00:00:00Z` : from) : null;
  const end = to ? new Date(DAY.test(to) ? `${to}T00:00:00Z` : to) : null;
  const until = end && new Date(end.getTime() + (to && DAY.test(to) ? DAY_MS : 1));
  if ([start, until].some((d) => d !== null && Number.isNaN(d.getTime())))
    throw new AppError('VALIDATION_FAILED', 'from and to must be dates');
  if (start && until && start.getTime() >= until.getTime()) throw new AppError('VALIDATION_FAILED', 'from must not be after to');
  return { from: start, until };
}

function toItem(row: AuditRow) {
  return {
    id: row.id,
    at: row.at,
    actor: { type: row.actor_type as Actor['type'], name: row.actor_name },
    action: row.action,
    user_id: row.user_id,
    session_id: row.session_id,
    request_id: row.request_id,
    ip: row.ip,
    changes: row.changes as Changes,
  };
}

/**
 * The audit trail as internal services read it (SPEC §10), and its retention. Records are written by
 * the services that make the changes, in their transactions (audit-trail.ts).
 */
export function createAuditService(deps: { db: Db; clock: Clock; retentionDays: number }) {
  const { db, clock } = deps;

  /** A scoped key sees only its source's users: another source's user_id is 403, as on every user route. */
  async function list(principal: InternalPrincipal, query: AuditQuery) {
    if (query.user_id !== undefined && principal.mode === 'scoped') await loadOwnedUser(db, principal, query.user_id);
    const filter = {
      ...bounds(query.from, query.to),
      userId: query.user_id ?? null,
      action: query.action || null,
      source: principal.mode === 'scoped' ? principal.source : null,
    };
    const [total, rows] = await Promise.all([
      countAuditRecords(db, filter),
      listAuditRecords(db, { ...filter, limit: query.limit, offset: (query.page - 1) * query.limit }),
    ]);
    return { items: rows.map(toItem), meta: { page: query.page, limit: query.limit, total } };
  }

  /** Deletes records older than AUDIT_RETENTION_DAYS, in batches; returns how many went. */
  function prune(): Promise<number> {
    return pruneAuditRecords(db, new Date(clock.now().getTime() - deps.retentionDays * DAY_MS), PRUNE_BATCH);
  }

  return { list, prune };
}
export type AuditService = ReturnType<typeof createAuditService>;
