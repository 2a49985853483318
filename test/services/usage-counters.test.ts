import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createManualClock } from '../../src/lib/clock.js';
import { createUsageCounters } from '../../src/services/usage-counters.js';
import type { Db } from '../../src/store/index.js';
import { openTestStore } from '../helpers/store.js';

// Issue 17: counts survive a flush that fails, each on the Jakarta day it was counted on.
let store: Awaited<ReturnType<typeof openTestStore>>;
beforeAll(async () => {
  store = await openTestStore();
});
afterAll(async () => {
  await store.close();
});

/** The store, with its next `failures` statements refused as a database that went away would. */
function flaky(db: Db) {
  let failures = 0;
  const wrapped: Db = {
    ...db,
    query: (text, params) => {
      if (failures > 0) {
        failures -= 1;
        return Promise.reject(new Error('connection lost'));
      }
      return db.query(text, params);
    },
  };
  return { db: wrapped, failNext: (n: number) => (failures = n) };
}

const stored = async (userId: string) =>
  (
    await store.db.query<{ d: string; message_type: string; sent: number; failed: number; received: number }>(
      `SELECT to_char(day, 'YYYY-MM-DD') AS d, message_type, sent, failed, received FROM gateway_usage_daily
       WHERE user_id = $1 ORDER BY day, message_type`,
      [userId],
    )
  ).rows;

describe('usage counters', () => {
  it('a failed flush keeps its counts; the next one writes them on their own day, added to what came since', async () => {
    const clock = createManualClock('2026-06-01T16:59:00Z');
    const store$ = flaky(store.db);
    const counters = createUsageCounters({ db: store$.db, clock });
    const s = { rowId: 1, userId: 'flaky-user', sessionId: 'flaky-session' };
    counters.countSend(s, 'text', 'sent');
    counters.countSend(s, 'text', 'failed');
    counters.countReceived(s, 'media');
    store$.failNext(1);
    await expect(counters.flush()).rejects.toThrow('connection lost');
    expect(await stored('flaky-user')).toEqual([]);
    clock.advance(60_000);
    counters.countSend(s, 'text', 'sent');
    counters.countSend(s, 'text', 'sent', new Date('2026-06-01T10:00:00Z'));
    await counters.flush();
    expect(await stored('flaky-user')).toEqual([
      { d: '2026-06-01', message_type: 'media', sent: 0, failed: 0, received: 1 },
      { d: '2026-06-01', message_type: 'text', sent: 2, failed: 1, received: 0 },
      { d: '2026-06-02', message_type: 'text', sent: 1, failed: 0, received: 0 },
    ]);
    await counters.flush();
    expect((await stored('flaky-user')).map((r) => r.sent)).toEqual([0, 2, 1]);
  });

  it('flushes never overlap: 20 concurrent flushes among 2,000 counts write each count once', async () => {
    const clock = createManualClock('2026-06-01T03:00:00Z');
    const counters = createUsageCounters({ db: store.db, clock });
    const flushes: Array<Promise<void>> = [];
    for (let i = 0; i < 2_000; i += 1) {
      counters.countSend({ rowId: i % 7, userId: 'busy-user', sessionId: `s${i % 7}` }, 'text', 'sent');
      if (i % 100 === 0) flushes.push(counters.flush());
    }
    flushes.push(counters.flush());
    await Promise.all(flushes);
    expect((await stored('busy-user')).reduce((n, r) => n + r.sent, 0)).toBe(2_000);
  });
});
