import type { Clock } from '../lib/clock.js';
import type { Db } from '../store/index.js';
import { claimJobTick, tryJobLock } from '../store/jobs.js';
import { expireLapsedSubscriptions } from '../store/subscriptions.js';

// Any fixed number works; it only has to be the same in every instance (the migration lock is 7_070_001).
const EXPIRY_LOCK_KEY = 7_070_002;
const JOB = 'expiry-sweep';
const MINUTE_MS = 60_000;

export type SweepResult = { ran: true; expired: number } | { ran: false; expired: 0 };

/**
 * Marks subscriptions past `expires_at` as expired (SPEC §3). Requests already treat them as expired
 * at once (subscriptionState); the sweep makes the stored status say so too. Safe with many
 * instances: one transaction holds an advisory lock, so concurrent sweeps never overlap, and records
 * the minute it ran for, so each tick runs once even when the instances' ticks do not overlap.
 */
export function createExpiryService(deps: { db: Db; clock: Clock }) {
  const { db, clock } = deps;

  async function sweep(): Promise<SweepResult> {
    const now = clock.now();
    const tick = new Date(Math.floor(now.getTime() / MINUTE_MS) * MINUTE_MS);
    return db.tx(async (q): Promise<SweepResult> => {
      if (!await tryJobLock(q, EXPIRY_LOCK_KEY)) return { ran: false, expired: 0 };
      if (!await claimJobTick(q, JOB, tick, now)) return { ran: false, expired: 0 };
      return { ran: true, expired: await expireLapsedSubscriptions(q, now) };
    });
  }

  return { sweep };
}
export type ExpiryService = ReturnType<typeof createExpiryService>;
