import { dateToDay } from '../../src/lib/calendar-day.js';
import type { Db } from '../../src/store/index.js';
import { upsertDailyUsage } from '../../src/store/usage.js';

/** `[date, session id, type, sent, failed, received]` rows of usage history. */
export type UsageRows = Array<[string, string, string, number, number, number]>;

/** Writes usage history as the counter flush writes it (store/usage.ts), so a test knows its exact figures. */
export async function writeUsage(db: Db, userId: string, rows: UsageRows, now: Date): Promise<void> {
  await upsertDailyUsage(
    db,
    rows.map(([date, session, type, sent, failed, received]) => ({
      user_id: userId,
      day: dateToDay(date)!,
      session_id: session,
      message_type: type,
      sent,
      failed,
      received,
    })),
    now,
  );
}
