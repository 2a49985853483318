import type { Clock } from '../lib/clock.js';
import { recordKeyUses } from '../store/api-keys.js';
import type { Db } from '../store/index.js';

const MINUTE_MS = 60_000;

/**
 * When each customer key was last used, to the minute (SPEC §10), kept off the hot path: a request
 * only notes the minute in memory (`mark`: two Map lookups, no await, no store write), and `flush`
 * writes the noted minutes in two statements for all keys. A key is written at most once a minute by
 * an instance, and a row another instance already moved to that minute is not written again.
 * Memory: one entry per key used in the current minute, plus those not flushed yet.
 */
export function createKeyUsage(deps: { db: Db; clock: Clock }) {
  const { db, clock } = deps;
  /** Key hash → the minute to write. */
  let pending = new Map<string, number>();
  /** Key hash → the last minute written (entries of past minutes are dropped at each flush). */
  const written = new Map<string, number>();

  function mark(keyHash: string, at: Date): void {
    const minute = at.getTime() - (at.getTime() % MINUTE_MS);
    if (written.get(keyHash) === minute || pending.get(keyHash) === minute) return;
    pending.set(keyHash, minute);
  }

  async function flush(): Promise<number> {
    const current = clock.now().getTime() - (clock.now().getTime() % MINUTE_MS);
    for (const [hash, minute] of written) if (minute < current) written.delete(hash);
    if (pending.size === 0) return 0;
    const batch = pending;
    pending = new Map();
    try {
      await recordKeyUses(
        db,
        [...batch].map(([hash, minute]) => ({ hash, at: new Date(minute) })),
      );
    } catch (error) {
      // Kept for the next flush, unless a newer minute was noted meanwhile.
      for (const [hash, minute] of batch) if ((pending.get(hash) ?? -1) < minute) pending.set(hash, minute);
      throw error;
    }
    for (const [hash, minute] of batch) if (minute >= current) written.set(hash, minute);
    return batch.size;
  }

  return { mark, flush, pendingCount: () => pending.size };
}
export type KeyUsage = ReturnType<typeof createKeyUsage>;
