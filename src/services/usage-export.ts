import type { InternalPrincipal } from '../lib/internal-keys.js';
import type { UsageService, UsageTotalsQuery } from './usage.js';
import { resolveUsageRange } from './usage-range.js';
import { dayToDate } from '../lib/calendar-day.js';
import type { Clock } from '../lib/clock.js';

/** Users per statement while exporting: memory stays bounded whatever the number of users. */
export const EXPORT_PAGE = 500;

const HEADER = 'user_id,source_service,from,to,sent,failed,received\r\n';

/**
 * RFC 4180: a field with a comma, quote or line break is quoted, its quotes doubled. A text field a
 * spreadsheet would read as a formula (`=`, `+`, `-`, `@`, tab, CR first) gets a leading apostrophe
 * (OWASP CSV injection): user ids come from other services and end up opened in spreadsheets.
 */
export function csvField(value: string | number): string {
  if (typeof value === 'number') return String(value);
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

/**
 * GET /internal/usage as CSV (issue 17 §4): the rows of the JSON answer for every matching user, read
 * page by page as the client takes them (a generator pulled by the response stream), so a slow reader
 * holds no connection to the store between pages. The range is checked before the first byte.
 */
export function createUsageExport(deps: { usage: Pick<UsageService, 'totalsPage'>; clock: Clock }) {
  function exportTotals(principal: InternalPrincipal, query: Omit<UsageTotalsQuery, 'page' | 'limit'>) {
    const range = resolveUsageRange(query, deps.clock.now());
    const bounds = { from: dayToDate(range.fromDay), to: dayToDate(range.toDay) };
    async function* lines(): AsyncGenerator<string> {
      yield HEADER;
      for (let page = 1; ; page += 1) {
        const { items, meta } = await deps.usage.totalsPage(principal, { ...query, ...bounds, page, limit: EXPORT_PAGE });
        if (items.length > 0)
          yield items
            .map((i) => [i.user_id, i.source_service, bounds.from, bounds.to, i.sent, i.failed, i.received].map(csvField).join(','))
            .join('\r\n')
            .concat('\r\n');
        if (page * EXPORT_PAGE >= meta.total || items.length === 0) return;
      }
    }
    return { filename: `usage-${bounds.from}-${bounds.to}.csv`, lines: lines() };
  }
  return { exportTotals };
}
export type UsageExport = ReturnType<typeof createUsageExport>;
