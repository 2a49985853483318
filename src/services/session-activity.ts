import type { Clock } from '../lib/clock.js';
import type { Db } from '../store/index.js';
import { recordSessionsHeard } from '../store/session-health.js';
import type { SessionStates } from './session-states.js';

/**
 * `last_event_at` (SPEC §10): when the provider was last heard from for a session — any event it
 * posted, any call through the gateway that WhatsApp answered. Written coalesced, never once per
 * event: `heard` only notes the instant in memory, and `flush` (once a minute, and at shutdown)
 * writes every session's newest instant in one statement. A session that was `silent` and is heard
 * from again becomes `healthy` at that flush.
 */
export function createSessionActivity(deps: { db: Db; clock: Clock; states: Pick<SessionStates, 'apply' | 'announce'> }) {
  const { db, clock, states } = deps;
  let pending = new Map<number, Date>();

  async function flush(): Promise<number> {
    if (pending.size === 0) return 0;
    const batch = pending;
    pending = new Map();
    let silent: number[];
    try {
      silent = await recordSessionsHeard(
        db,
        [...batch].map(([rowId, at]) => ({ rowId, at })),
      );
    } catch (error) {
      // Kept for the next flush, unless something newer was heard meanwhile.
      for (const [rowId, at] of batch) if (!pending.has(rowId)) pending.set(rowId, at);
      throw error;
    }
    for (const rowId of silent) states.announce(await db.tx((q) => states.apply(q, rowId, null, clock.now())));
    return batch.size;
  }

  return {
    /** Notes that the provider was heard from for the session now; costs no store round trip. */
    heard(rowId: number): void {
      pending.set(rowId, clock.now());
    },
    flush,
    /** Sessions heard from since the last flush (tests, metrics). */
    pendingCount: () => pending.size,
  };
}
export type SessionActivity = ReturnType<typeof createSessionActivity>;
