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

/** How leases are sized (issue 15): about `leaseSeconds` of the recent send rate, within these bounds. */
export interface LeaseSizing {
  leaseSeconds: number;
  /** The lease of a subscription with no recent sends (still never more than an eighth of what remains). */
  minLease: number;
  /** However fast the sends: what one instance may strand if it dies is bounded. */
  maxLease: number;
}

export const DEFAULT_LEASE_SIZING: LeaseSizing = { leaseSeconds: 1, minLease: 10, maxLease: 10_000 };

interface Lease {
  period: number | null;
  available: number;
  remainingInDb: number;
  lastUsed: number;
  claiming: Promise<void> | null;
  /** Sends counted since `windowStart` (ms), and the rate (sends/s) of the window before. */
  windowStart: number;
  windowCount: number;
  rate: number;
}

// The send rate is measured over windows this long; a window under way counts once it is this old.
const WINDOW_MS = 1_000;
const MIN_SAMPLE_MS = 100;

/** Block size: at most an eighth of what remains, one at a time near the end, so no instance strands quota. */
export function blockSize(remaining: number, maxBlock = 50): number {
  return Math.max(1, Math.min(maxBlock, Math.floor(remaining / 8)));
}

/**
 * The lease to claim: about `leaseSeconds` of sends at `rate`, within the sizing's bounds, and never
 * more than `blockSize` allows of what remains (one at a time near the end).
 */
export function leaseSize(rate: number, remaining: number, sizing: LeaseSizing = DEFAULT_LEASE_SIZING): number {
  const demand = Math.min(sizing.maxLease, Math.max(sizing.minLease, Math.ceil(rate * sizing.leaseSeconds)));
  return blockSize(remaining, demand);
}

/**
 * The message quota by leases (SPEC §4 design note): a block of the subscription's remaining quota is
 * claimed with one atomic UPDATE, sends are served from memory, refused sends are refunded, and what
 * is left goes back when idle or on shutdown. A lease is sized by demand, about a second of the
 * recent send rate (issue 15), and the next one is claimed in the background once half of it is used,
 * so a steady sender never waits on the database. The count stays exact across instances: every
 * message is claimed by one atomic statement before it is sent, and near the end claims shrink to one.
 */
export function createQuota(deps: { db: Db; clock: Clock; sizing?: Partial<LeaseSizing> }) {
  const { db, clock } = deps;
  const sizing: LeaseSizing = { ...DEFAULT_LEASE_SIZING, ...deps.sizing };
  const leases = new Map<number, Lease>();
  const periodOf = (d: Date | null) => (d ? d.getTime() : null);

  function leaseFor(sub: QuotaSubscription, now: number): Lease {
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
        windowStart: now,
        windowCount: 0,
        rate: 0,
      };
      leases.set(sub.id, lease);
    }
    return lease;
  }

  /** Counts a send into the rate; a window under way raises the rate as soon as it is faster than the last. */
  function noteSend(lease: Lease, now: number): void {
    const elapsed = now - lease.windowStart;
    if (elapsed >= WINDOW_MS) {
      lease.rate = (lease.windowCount * 1000) / elapsed;
      lease.windowStart = now;
      lease.windowCount = 0;
    }
    lease.windowCount += 1;
  }

  function rateOf(lease: Lease, now: number): number {
    const elapsed = now - lease.windowStart;
    return elapsed >= MIN_SAMPLE_MS ? Math.max(lease.rate, (lease.windowCount * 1000) / elapsed) : lease.rate;
  }

  function wanted(sub: QuotaSubscription, lease: Lease, now: number): number {
    return leaseSize(rateOf(lease, now), Math.min(lease.remainingInDb, sub.max_messages ?? 0), sizing);
  }

  function claim(sub: QuotaSubscription, lease: Lease, want: number): Promise<void> {
    lease.claiming = claimQuota(db, sub.id, want)
      .then((result) => {
        lease.available += result.granted;
        lease.remainingInDb = result.max_messages - result.messages_used;
        // A claim that matched no row (the quota used up) says nothing of the period: the lease keeps
        // its own, or it would look renewed and its messages (refunds) would be dropped with it.
        if (result.max_messages > 0) lease.period = periodOf(result.period_started_at);
      })
      .finally(() => {
        lease.claiming = null;
      });
    return lease.claiming;
  }

  /** Half of the lease used and more left in the store: the next one is claimed now, nobody waits on it. */
  function refillAhead(sub: QuotaSubscription, lease: Lease, now: number): void {
    if (lease.claiming || lease.remainingInDb <= 0) return;
    const want = wanted(sub, lease, now);
    if (lease.available * 2 > want) return;
    // A failure here is met again, and reported, by the send that finds the lease empty.
    claim(sub, lease, want).catch(() => undefined);
  }

  /** Takes one message of the quota, or says there is none left. Unlimited plans always pass. */
  async function reserve(sub: QuotaSubscription): Promise<Reservation> {
    const limit = sub.max_messages ?? 0;
    if (limit <= 0) return { ok: true, remaining: null, limit: null };
    const now = clock.now().getTime();
    const lease = leaseFor(sub, now);
    noteSend(lease, now);
    for (;;) {
      if (lease.available > 0) {
        lease.available -= 1;
        lease.lastUsed = now;
        refillAhead(sub, lease, now);
        return { ok: true, remaining: lease.remainingInDb + lease.available, limit };
      }
      if (lease.claiming) {
        await lease.claiming.catch(() => undefined);
        if (lease.available > 0) continue;
        // The claim just waited for found the quota used up: no second query to hear it again.
        if (lease.remainingInDb <= 0) return { ok: false, limit };
      }
      const before = lease.available;
      await claim(sub, lease, wanted(sub, lease, now));
      if (lease.available === before) return { ok: false, limit };
    }
  }

  /** The provider did not accept the send: the message is not used (SPEC §3). */
  function refund(sub: QuotaSubscription): void {
    if ((sub.max_messages ?? 0) > 0) leaseFor(sub, clock.now().getTime()).available += 1;
  }

  /**
   * Hands unused leased messages back: for leases idle longer than `idleMs`, or all of them (shutdown),
   * once the claims under way have landed, so none of their messages is left out.
   */
  async function release(idleMs = 0): Promise<void> {
    const cutoff = clock.now().getTime() - idleMs;
    for (const [subId, lease] of leases) {
      if (idleMs > 0 && (lease.claiming || lease.lastUsed > cutoff)) continue;
      if (lease.claiming) await lease.claiming.catch(() => undefined);
      leases.delete(subId);
      if (lease.available > 0) await returnQuota(db, subId, lease.available, lease.period === null ? null : new Date(lease.period));
    }
  }

  /** Unused messages this instance holds for a subscription (for `/v1/me`). */
  const held = (subId: number) => leases.get(subId)?.available ?? 0;

  return { reserve, refund, release, held };
}
export type Quota = ReturnType<typeof createQuota>;
