import { AppError } from '../errors.js';
import { dateToDay, dayToDate, jakartaDayOf } from '../lib/calendar-day.js';
import type { DailyUsageRow } from '../store/usage.js';

/** SPEC §10: a usage range covers at most 366 days; without bounds, the last 30 days. */
export const MAX_RANGE_DAYS = 366;
export const DEFAULT_RANGE_DAYS = 30;

export interface UsageRange {
  fromDay: number;
  toDay: number;
}

function day(text: string | undefined): number | null {
  if (text === undefined || text === '') return null;
  const parsed = dateToDay(text);
  if (parsed === null) throw new AppError('USAGE_DATE_INVALID');
  return parsed;
}

/**
 * `from`/`to` as Asia/Jakarta calendar days, both included. `to` defaults to today, `from` to 29 days
 * before `to`; a day that does not exist (2026-02-30), `from` after `to` or more than 366 days is a 400.
 */
export function resolveUsageRange(query: { from?: string; to?: string }, now: Date): UsageRange {
  const toDay = day(query.to) ?? jakartaDayOf(now.getTime());
  const fromDay = day(query.from) ?? toDay - (DEFAULT_RANGE_DAYS - 1);
  if (fromDay > toDay) throw new AppError('USAGE_RANGE_INVALID');
  if (toDay - fromDay + 1 > MAX_RANGE_DAYS) throw new AppError('USAGE_RANGE_TOO_LONG');
  return { fromDay, toDay };
}

export interface Counts {
  sent: number;
  failed: number;
  received: number;
}
export interface UsageDay extends Counts {
  date: string;
  by_type: Record<string, { sent: number; failed: number }>;
}
export interface UsageReport {
  from: string;
  to: string;
  days: UsageDay[];
  totals: Counts;
}

/**
 * The reply of SPEC §10 from the stored rows: every day of the range present, zeros included;
 * `by_type` lists the send types of the day (received messages count in the day's `received`).
 */
export function usageReport(range: UsageRange, rows: readonly DailyUsageRow[]): UsageReport {
  const days: UsageDay[] = [];
  for (let d = range.fromDay; d <= range.toDay; d += 1) days.push({ date: dayToDate(d), sent: 0, failed: 0, received: 0, by_type: {} });
  const totals: Counts = { sent: 0, failed: 0, received: 0 };
  for (const row of rows) {
    const into = days[row.day - range.fromDay];
    if (!into) continue;
    into.sent += row.sent;
    into.failed += row.failed;
    into.received += row.received;
    if (row.sent > 0 || row.failed > 0) into.by_type[row.message_type] = { sent: row.sent, failed: row.failed };
    totals.sent += row.sent;
    totals.failed += row.failed;
    totals.received += row.received;
  }
  return { from: dayToDate(range.fromDay), to: dayToDate(range.toDay), days, totals };
}
