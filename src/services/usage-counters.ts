import { jakartaDayOf } from '../lib/calendar-day.js';
import type { Clock } from '../lib/clock.js';
import type { Db } from '../store/index.js';
import { type DailyUsageDelta, upsertDailyUsage } from '../store/usage.js';

/** The session a count belongs to: its row (the in-memory key), its owner and its provider id (the stored key). */
export interface UsageSession {
  rowId: number;
  userId: string;
  sessionId: string;
}

type Cells = Map<number, Map<string, DailyUsageDelta>>;

/**
 * Usage history (SPEC §10) counted in memory per Asia/Jakarta day, session and message type, and
 * written by the once-a-second counter flush in one multi-row upsert (jobs/flush-counters.ts). On the
 * send path a count is two map lookups by a number and the type and one increment: a cell is made
 * once per session, type and day. A flush that fails keeps its counts for the next one; the final
 * flush at shutdown writes the rest. Every instance adds its own counts, so many instances add up.
 */
export function createUsageCounters(deps: { db: Db; clock: Clock }) {
  const { db, clock } = deps;
  let days = new Map<number, Cells>();
  let flushing: Promise<void> = Promise.resolve();

  function cell(s: UsageSession, type: string, day = jakartaDayOf(clock.now().getTime())): DailyUsageDelta {
    let sessions = days.get(day);
    if (!sessions) {
      sessions = new Map();
      days.set(day, sessions);
    }
    let types = sessions.get(s.rowId);
    if (!types) {
      types = new Map();
      sessions.set(s.rowId, types);
    }
    let c = types.get(type);
    if (!c) {
      c = { user_id: s.userId, day, session_id: s.sessionId, message_type: type, sent: 0, failed: 0, received: 0 };
      types.set(type, c);
    }
    return c;
  }

  /**
   * A send the provider answered (sent) or failed on; refused requests are not messages and are not
   * counted. `at`: the instant the caller already read from the clock, so a send builds nothing here.
   */
  function countSend(s: UsageSession, type: string, outcome: 'sent' | 'failed', at?: Date): void {
    const c = at ? cell(s, type, jakartaDayOf(at.getTime())) : cell(s, type);
    if (outcome === 'sent') c.sent += 1;
    else c.failed += 1;
  }

  /** An incoming message the relay heard (SPEC §10: received, in relay mode). */
  function countReceived(s: UsageSession, type: string): void {
    cell(s, type).received += 1;
  }

  function addBack(batch: Map<number, Cells>) {
    for (const sessions of batch.values())
      for (const [rowId, types] of sessions)
        for (const c of types.values()) {
          // Back on the day it was counted on, not on today.
          const target = cell({ rowId, userId: c.user_id, sessionId: c.session_id }, c.message_type, c.day);
          target.sent += c.sent;
          target.failed += c.failed;
          target.received += c.received;
        }
  }

  async function write(): Promise<void> {
    if (days.size === 0) return;
    const batch = days;
    days = new Map();
    const rows: DailyUsageDelta[] = [];
    for (const sessions of batch.values()) for (const types of sessions.values()) for (const c of types.values()) rows.push(c);
    try {
      await upsertDailyUsage(db, rows, clock.now());
    } catch (error) {
      addBack(batch);
      throw error;
    }
  }

  /** Writes what has accumulated; flushes never overlap. */
  function flush(): Promise<void> {
    flushing = flushing.catch(() => undefined).then(write);
    return flushing;
  }

  return { countSend, countReceived, flush };
}
export type UsageCounters = ReturnType<typeof createUsageCounters>;
