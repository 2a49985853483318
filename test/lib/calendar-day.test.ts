import { describe, expect, it } from 'vitest';
import { dateToDay, dayToDate, jakartaDayOf, monthStart } from '../../src/lib/calendar-day.js';

const at = (iso: string) => dayToDate(jakartaDayOf(Date.parse(iso)));

describe('Asia/Jakarta calendar days (UTC+7, no daylight saving)', () => {
  it.each([
    ['2026-06-01T16:59:59.999Z', '2026-06-01'],
    ['2026-06-01T17:00:00.000Z', '2026-06-02'],
    ['2026-05-31T17:00:00.000Z', '2026-06-01'],
    ['2026-12-31T17:00:00.000Z', '2027-01-01'],
    ['2028-02-28T17:00:00.000Z', '2028-02-29'],
    ['1970-01-01T00:00:00.000Z', '1970-01-01'],
    ['1969-12-31T16:59:59.999Z', '1969-12-31'],
  ])('%s is %s in Jakarta', (instant, day) => {
    expect(at(instant)).toBe(day);
  });

  it.each([
    '2026-02-30',
    '2026-02-29',
    '2026-13-01',
    '2026-00-10',
    '2026-04-31',
    '2026-6-1',
    '20260601',
    '2026-06-01T00:00',
    ' 2026-06-01',
    '',
  ])('%j is not a calendar day', (text) => {
    expect(dateToDay(text)).toBeNull();
  });

  it('reads and writes days that exist, leap days included', () => {
    for (const d of ['2028-02-29', '2026-01-31', '2026-12-31', '2000-02-29']) expect(dayToDate(dateToDay(d)!)).toBe(d);
    expect(dateToDay('2026-06-02')! - dateToDay('2026-06-01')!).toBe(1);
  });

  it('finds the first day of a month, this one or one before', () => {
    const day = dateToDay('2026-03-15')!;
    expect(dayToDate(monthStart(day))).toBe('2026-03-01');
    expect(dayToDate(monthStart(day, -1))).toBe('2026-02-01');
    expect(dayToDate(monthStart(dateToDay('2026-01-10')!, -1))).toBe('2025-12-01');
  });
});
