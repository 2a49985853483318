/**
 * Asia/Jakarta calendar days (SPEC §10 usage history), as whole days since 1970-01-01. Jakarta is
 * UTC+7 all year (no daylight saving), so a day is a fixed offset away from UTC and needs no time
 * zone database. Days are plain integers so the send path keys its counters without building strings.
 */
const DAY_MS = 86_400_000;
const JAKARTA_OFFSET_MS = 7 * 3_600_000;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** The Jakarta day an instant falls on. */
export const jakartaDayOf = (ms: number): number => Math.floor((ms + JAKARTA_OFFSET_MS) / DAY_MS);

/** `YYYY-MM-DD` of a day number. */
export const dayToDate = (day: number): string => new Date(day * DAY_MS).toISOString().slice(0, 10);

/** The day number of a `YYYY-MM-DD` that exists on the calendar (2026-02-30 does not); null otherwise. */
export function dateToDay(text: string): number | null {
  const m = DATE.exec(text);
  if (!m) return null;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const ms = Date.UTC(y, mo - 1, d);
  const back = new Date(ms);
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d) return null;
  return ms / DAY_MS;
}

/** The first day of the month `offset` months from the month of `day` (0: its own month, -1: the one before). */
export function monthStart(day: number, offset = 0): number {
  const d = new Date(day * DAY_MS);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + offset, 1) / DAY_MS;
}
