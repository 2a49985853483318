import type { Clock } from '../lib/clock.js';
import type { Db } from '../store/index.js';
import { claimQuota, returnQuota } from '../store/quota.js';

/** What a send needs to know of its subscription. */
export interface QuotaSubscription {
  id: number;
  max_messages: number | null;
  period_started_at: Date | null;
}

export type Reservation = { ok: true; remaining: number | null; limit: number | null } | { ok: false; limit: number };

interface Lease {
  period: number | null;
  available: number;
  remainingInDb: number;
  lastUsed: number;
  claiming: Promise<void> | null;
}

/** Block size: large while much remains, one at a time near the end, so no instance strands quota. */
export function blockSize(remaining: number, maxBlock = 50): number {
  return Math.max(1, Math.min(maxBlock, Math.floor(remaining / 8)));
}

/**
 * The message quota by leases (SPEC §4 design note): a block of the subscription's remaining quota is
 * claimed with one atomic UPDATE, sends are served from memory, refused sends are refunded, and what
 * is left goes back when idle or on shutdown. No send waits on a database write once a lease is held.
 */
export function createQuota(deps: { db: Db; clock: Clock; maxBlock?: number }) {
  const { db, clock } = deps;
  const leases = new Map<number, Lease>();
  const periodOf = (d: Date | null) => (d ? d.getTime() : null);

  function leaseFor(sub: QuotaSubscription): Lease {
    let lease = leases.get(sub.id);
    // A renewal started a new period: what was claimed before counted against the old one.
    if (lease && lease.period !== periodOf(sub.period_started_at) && !lease.claiming) lease = undefined;
    if (!lease) {
      lease = {
        period: periodOf(sub.period_started_at),
        available: 0,
        remainingInDb: Number.MAX_SAFE_INTEGER,
        lastUsed: 0,
        claiming: null,
      };
      leases.set(sub.id, lease);
    }
    return lease;
  }

  async function claim(sub: QuotaSubscription, lease: Lease): Promise<void> {
    const want = blockSize(Math.min(lease.remainingInDb, sub.max_messages ?? 0), deps.maxBlock);
    const result = await claimQuota(db, sub.id, want);
    lease.available += result.granted;
    lease.remainingInDb = result.max_messages - result.messages_used;
    lease.period = periodOf(result.period_started_at);
  }

  /** Takes one message of the quota, or says there is none left. Unlimited plans always pass. */
  async function reserve(sub: QuotaSubscription): Promise<Reservation> {
    const limit = sub.max_messages ?? 0;
    if (limit <= 0) return { ok: true, remaining: null, limit: null };
    const lease = leaseFor(sub);
    for (;;) {
      if (lease.available > 0) {
        lease.available -= 1;
        lease.lastUsed = clock.now().getTime();
        return { ok: true, remaining: lease.remainingInDb + lease.available, limit };
      }
      if (lease.claiming) {
        await lease.claiming;
        continue;
      }
      const before = lease.available;
      lease.claiming = claim(sub, lease).finally(() => {
        lease.claiming = null;
      });
      await lease.claiming;
      if (lease.available === before) return { ok: false, limit };
    }
  }

  /** The provider did not accept the send: the message is not used (SPEC §3). */
  function refund(sub: QuotaSubscription): void {
    if ((sub.max_messages ?? 0) > 0) leaseFor(sub).available += 1;
  }

  /** Hands unused leased messages back: for leases idle longer than `idleMs`, or all of them. */
  async function release(idleMs = 0): Promise<void> {
    const cutoff = clock.now().getTime() - idleMs;
    for (const [subId, lease] of leases) {
      if (lease.claiming || (idleMs > 0 && lease.lastUsed > cutoff)) continue;
      leases.delete(subId);
      if (lease.available > 0) await returnQuota(db, subId, lease.available, lease.period === null ? null : new Date(lease.period));
    }
  }

  /** Unused messages this instance holds for a subscription (for `/v1/me`). */
  const held = (subId: number) => leases.get(subId)?.available ?? 0;

  return { reserve, refund, release, held };
}
export type Quota = ReturnType<typeof createQuota>;
