import type { Clock } from '../lib/clock.js';
import type { Db } from '../store/index.js';
import { claimJobTick, tryJobLock } from '../store/jobs.js';
import { expireLapsedSubscriptions } from '../store/subscriptions.js';
import { recordChanges, systemOrigin } from './audit-trail.js';

// Any fixed number works; it only has to be the same in every instance (the migration lock is 7_070_001).
const EXPIRY_LOCK_KEY = 7_070_002;
const JOB = 'expiry-sweep';
const MINUTE_MS = 60_000;
const SWEEP_ORIGIN = systemOrigin(JOB);

/** `tick`: the scheduled instant this sweep was for (ISO); `ran`: whether this instance did the work. */
export type SweepResult = { ran: true; expired: number; tick: string } | { ran: false; expired: 0; tick: string };

/**
 * Marks subscriptions past `expires_at` as expired (SPEC §3). Requests already treat them as expired
 * at once (subscriptionState); the sweep makes the stored status say so too. Safe with many
 * instances: one transaction holds an advisory lock, so concurrent sweeps never overlap, and records
 * the minute it ran for, so each tick runs once even when the instances' ticks do not overlap.
 */
export function createExpiryService(deps: { db: Db; clock: Clock; tickMs?: number }) {
  const { db, clock } = deps;
  const tickMs = deps.tickMs ?? MINUTE_MS;

  async function sweep(): Promise<SweepResult> {
    const now = clock.now();
    const tick = new Date(Math.floor(now.getTime() / tickMs) * tickMs);
    return db.tx(async (q): Promise<SweepResult> => {
      const skipped = { ran: false, expired: 0, tick: tick.toISOString() } as const;
      if (!(await tryJobLock(q, EXPIRY_LOCK_KEY))) return skipped;
      if (!(await claimJobTick(q, JOB, tick, now))) return skipped;
      const expired = await expireLapsedSubscriptions(q, now);
      // Recorded in the sweep's transaction, by the gateway itself (SPEC §10: actor "system").
      const changes = expired.map((s) => ({
        action: 'subscription.expire' as const,
        userId: s.user_id,
        changes: { status: { before: 'active', after: 'expired' } },
      }));
      await recordChanges(q, SWEEP_ORIGIN, changes, now);
      return { ran: true, expired: expired.length, tick: tick.toISOString() };
    });
  }

  return { sweep };
}
export type ExpiryService = ReturnType<typeof createExpiryService>;
