import { AppError } from '../errors.js';
import { jakartaDayOf } from '../lib/calendar-day.js';
import type { Clock } from '../lib/clock.js';
import type { InternalPrincipal } from '../lib/internal-keys.js';
import type { Db } from '../store/index.js';
import { listDailyUsage, pageUsageTotals, pruneDailyUsage, userHasOrHadSession } from '../store/usage.js';
import { loadOwnedUser, sourceFilter } from './owned-user.js';
import { resolveUsageRange, type UsageReport, usageReport } from './usage-range.js';

export interface UsageQuery {
  from?: string;
  to?: string;
  session_id?: string;
}
export interface UsageTotalsQuery {
  from?: string;
  to?: string;
  source?: string;
  page: number;
  limit: number;
}
export interface UsageTotalsItem {
  user_id: string;
  source_service: string;
  sent: number;
  failed: number;
  received: number;
}
export interface UsageTotalsPage {
  items: UsageTotalsItem[];
  meta: { page: number; limit: number; total: number };
}

/** Usage history reads (SPEC §10): a user's days, per-user totals for billing runs, and its retention. */
export function createUsageService(deps: { db: Db; clock: Clock; retentionDays: number }) {
  const { db, clock } = deps;

  /** One user's days; a session id the user never had is a 404, as another tenant's is (SPEC §5). */
  async function userReport(userId: string, query: UsageQuery): Promise<UsageReport> {
    const range = resolveUsageRange(query, clock.now());
    const sessionId = query.session_id || null;
    if (sessionId !== null && !(await userHasOrHadSession(db, userId, sessionId))) throw new AppError('SESSION_NOT_FOUND');
    return usageReport(range, await listDailyUsage(db, userId, { ...range, sessionId }));
  }

  /** GET /internal/users/:user_id/usage: a scoped key reads its own source's users only (403 otherwise). */
  async function reportForUser(principal: InternalPrincipal, userId: string, query: UsageQuery): Promise<UsageReport> {
    await loadOwnedUser(db, principal, userId);
    return userReport(userId, query);
  }

  /** One page of per-user totals, in one statement; a scoped key always gets its own source. */
  async function totalsPage(principal: InternalPrincipal, query: UsageTotalsQuery): Promise<UsageTotalsPage> {
    const range = resolveUsageRange(query, clock.now());
    const rows = await pageUsageTotals(db, {
      ...range,
      source: sourceFilter(principal, query.source),
      limit: query.limit,
      offset: (query.page - 1) * query.limit,
    });
    const items = rows.flatMap((r) =>
      r.user_id === null
        ? []
        : [{ user_id: r.user_id, source_service: r.source_service ?? '', sent: r.sent, failed: r.failed, received: r.received }],
    );
    return { items, meta: { page: query.page, limit: query.limit, total: rows[0]?.total ?? 0 } };
  }

  /** USAGE_RETENTION_DAYS: today and the days before it, that many in all, are kept; returns the rows removed. */
  function prune(): Promise<number> {
    return pruneDailyUsage(db, jakartaDayOf(clock.now().getTime()) - deps.retentionDays + 1);
  }

  return { userReport, reportForUser, totalsPage, prune };
}
export type UsageService = ReturnType<typeof createUsageService>;
