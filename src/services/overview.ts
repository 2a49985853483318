import { dayToDate, jakartaDayOf, monthStart } from '../lib/calendar-day.js';
import type { Clock } from '../lib/clock.js';
import type { InternalPrincipal } from '../lib/internal-keys.js';
import type { Db } from '../store/index.js';
import * as overview from '../store/overview.js';
import { sourceFilter } from './owned-user.js';
import { DEFAULT_RANGE_DAYS, type Counts } from './usage-range.js';

const TOP_USERS = 10;
const FAILURES_WINDOW_MS = 24 * 3_600_000;

const zero = (): Counts => ({ sent: 0, failed: 0, received: 0 });
const add = (a: Counts, b: Counts) => {
  a.sent += b.sent;
  a.failed += b.failed;
  a.received += b.received;
};

/**
 * The operator console's overview page (issue 17 §3), for every source or a scoped key's own: users
 * by status, sessions connected or not and by health, messages today, this month and per day over the last 30 days (Asia/
 * Jakarta days), the top senders of the month and the webhook outbox.
 */
export function createOverviewService(deps: { db: Db; clock: Clock }) {
  const { db, clock } = deps;

  async function messages(source: string | null, today: number) {
    const from = Math.min(today - (DEFAULT_RANGE_DAYS - 1), monthStart(today));
    const rows = await overview.sumUsageByDay(db, source, from, today);
    const byDay = new Map(rows.map((r) => [r.day, r]));
    const todays = zero();
    const month = zero();
    for (const r of rows) {
      if (r.day === today) add(todays, r);
      if (r.day >= monthStart(today)) add(month, r);
    }
    const days = [];
    for (let d = today - (DEFAULT_RANGE_DAYS - 1); d <= today; d += 1) {
      const r = byDay.get(d);
      days.push({ date: dayToDate(d), sent: r?.sent ?? 0, failed: r?.failed ?? 0, received: r?.received ?? 0 });
    }
    return { today: todays, this_month: month, days };
  }

  async function get(principal: InternalPrincipal) {
    const source = sourceFilter(principal, undefined);
    const now = clock.now();
    const today = jakartaDayOf(now.getTime());
    const [users, sessions, counts, top, webhooks] = await Promise.all([
      overview.countUsersByStatus(db, source),
      overview.countSessions(db, source),
      messages(source, today),
      overview.listTopUsers(db, source, monthStart(today), TOP_USERS),
      overview.countWebhookBacklog(db, source, new Date(now.getTime() - FAILURES_WINDOW_MS)),
    ]);
    return {
      source: source ?? '',
      today: dayToDate(today),
      users: Object.fromEntries(users.map((u) => [u.status, u.n])),
      sessions,
      messages: counts,
      top_users: top,
      webhooks,
    };
  }

  return { get };
}
export type OverviewService = ReturnType<typeof createOverviewService>;
