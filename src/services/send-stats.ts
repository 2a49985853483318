import type { Clock } from '../lib/clock.js';
import type { Db } from '../store/index.js';
import type { UsageCounters } from './usage-counters.js';
import { addSessionCounters, addStats, addUsage, type SessionDelta, type StatDelta, type UsageDelta } from '../store/stats.js';

export interface SendRecord {
  userId: string;
  sessionId: string;
  rowId: number;
  messageType: string;
  outcome: 'sent' | 'failed';
  unlimitedSubId: number | null;
}

/**
 * Send statistics are counted in memory and written once a second in three multi-row statements,
 * and on shutdown (SPEC §4 design note): a send never waits on them. A flush that fails keeps its
 * counts for the next one, so nothing is lost.
 */
export function createSendStats(deps: { db: Db; clock: Clock; usage?: Pick<UsageCounters, 'countSend'> }) {
  const { db, clock } = deps;
  let stats = new Map<string, StatDelta>();
  let sessions = new Map<number, SessionDelta>();
  let usage = new Map<number, UsageDelta>();
  let flushing: Promise<void> = Promise.resolve();

  function record(r: SendRecord): void {
    const now = clock.now();
    // The day's usage history too (issue 17): the record names the session and `now` is read once, so nothing is built for it.
    deps.usage?.countSend(r, r.messageType, r.outcome, now);
    const sent = r.outcome === 'sent' ? 1 : 0;
    const key = `${r.userId}\u0000${r.sessionId}\u0000${r.messageType}`;
    const stat = stats.get(key) ?? {
      user_id: r.userId,
      session_id: r.sessionId,
      message_type: r.messageType,
      sent: 0,
      failed: 0,
      last_success_at: null,
      last_failed_at: null,
    };
    stat.sent += sent;
    stat.failed += 1 - sent;
    if (sent) stat.last_success_at = now;
    else stat.last_failed_at = now;
    stats.set(key, stat);
    const session = sessions.get(r.rowId) ?? { row_id: r.rowId, sent: 0, failed: 0, last_activity_at: now };
    session.sent += sent;
    session.failed += 1 - sent;
    session.last_activity_at = now;
    sessions.set(r.rowId, session);
    if (sent && r.unlimitedSubId !== null) {
      const use = usage.get(r.unlimitedSubId) ?? { sub_id: r.unlimitedSubId, used: 0 };
      use.used += 1;
      usage.set(r.unlimitedSubId, use);
    }
  }

  async function write(): Promise<void> {
    if (stats.size === 0 && sessions.size === 0 && usage.size === 0) return;
    const batch = { stats, sessions, usage };
    stats = new Map();
    sessions = new Map();
    usage = new Map();
    try {
      await db.tx(async (q) => {
        await addStats(q, [...batch.stats.values()], clock.now());
        await addSessionCounters(q, [...batch.sessions.values()]);
        await addUsage(q, [...batch.usage.values()]);
      });
    } catch (error) {
      mergeBack(batch);
      throw error;
    }
  }

  function mergeBack(batch: { stats: Map<string, StatDelta>; sessions: Map<number, SessionDelta>; usage: Map<number, UsageDelta> }) {
    for (const [k, v] of batch.stats) {
      const cur = stats.get(k);
      stats.set(
        k,
        cur
          ? {
              ...cur,
              sent: cur.sent + v.sent,
              failed: cur.failed + v.failed,
              last_success_at: cur.last_success_at ?? v.last_success_at,
              last_failed_at: cur.last_failed_at ?? v.last_failed_at,
            }
          : v,
      );
    }
    for (const [k, v] of batch.sessions) {
      const cur = sessions.get(k);
      sessions.set(k, cur ? { ...cur, sent: cur.sent + v.sent, failed: cur.failed + v.failed } : v);
    }
    for (const [k, v] of batch.usage) usage.set(k, { sub_id: k, used: (usage.get(k)?.used ?? 0) + v.used });
  }

  /** Writes what has accumulated; flushes never overlap. */
  function flush(): Promise<void> {
    // The previous flush's failure went to its own caller (the counter flush job logs it); this one runs regardless.
    flushing = flushing.catch(() => undefined).then(write);
    return flushing;
  }

  const pending = () => stats.size + sessions.size + usage.size;

  return { record, flush, pending };
}
export type SendStats = ReturnType<typeof createSendStats>;
