import type { Clock } from '../lib/clock.js';
import type { OnError } from '../lib/logger.js';
import type { Db } from '../store/index.js';
import { findInboundSessions, type InboundSession } from '../store/webhook-events.js';
import { claimDueDeliveries, type DeliveryRow } from '../store/webhooks.js';
import { DEFAULT_PROVIDER } from './subscriptions.js';
import type { WebhookAttempts } from './webhook-attempt.js';

export interface OutboxPolicy {
  /** WEBHOOK_CONCURRENCY: attempts in flight on this instance. */
  concurrency: number;
  /** WEBHOOK_TENANT_CONCURRENCY: the most of them one tenant may hold (issue 11 §4). */
  perTenant: number;
  /** How long a claimed delivery is this instance's before another may take it over. */
  leaseMs: number;
}

// A claim may stop short at tenants that reached their share; this many more claims look past them.
const CLAIM_ROUNDS = 4;

/**
 * The outbox worked as a pool (issue 11 §4): each delivery is an independent attempt in one of
 * WEBHOOK_CONCURRENCY slots, a slot that frees is filled at once, and no tenant holds more than its
 * share (WEBHOOK_TENANT_CONCURRENCY), so a tenant's slow receivers delay that tenant only. Claims are leased in the store
 * (`FOR UPDATE SKIP LOCKED`), so instances never work one delivery together.
 */
export function createWebhookOutbox(deps: {
  db: Db;
  clock: Clock;
  attempts: Pick<WebhookAttempts, 'attempt'>;
  policy: OutboxPolicy;
  onError: OnError;
}) {
  const { db, clock, policy } = deps;
  const perTenant = Math.min(policy.perTenant, policy.concurrency);
  const busy = new Map<string, number>();
  const running = new Set<Promise<void>>();
  const freed = new Set<() => void>();
  let filling: Promise<unknown> = Promise.resolve();

  function start(row: DeliveryRow, session: InboundSession | null): Promise<void> {
    busy.set(row.user_id, (busy.get(row.user_id) ?? 0) + 1);
    const attempt: Promise<void> = deps.attempts
      .attempt(row, session)
      .then(
        () => undefined,
        (error: unknown) => deps.onError(error, 'webhook delivery failed'),
      )
      .finally(() => {
        const left = (busy.get(row.user_id) ?? 1) - 1;
        if (left > 0) busy.set(row.user_id, left);
        else busy.delete(row.user_id);
        running.delete(attempt);
        for (const listener of freed) listener();
      });
    running.add(attempt);
    return attempt;
  }

  async function claimIntoFreeSlots(): Promise<Array<Promise<void>>> {
    const started: Array<Promise<void>> = [];
    for (let round = 0; round < CLAIM_ROUNDS; round += 1) {
      const free = policy.concurrency - running.size;
      if (free <= 0) break;
      const rows = await claimDueDeliveries(db, clock.now(), policy.leaseMs, free, { busy, perTenant });
      if (rows.length === 0) break;
      // Where each goes is read now, for all of them at once: the session's current URL and secret (issue 11 §12).
      const ids = [...new Set(rows.map((r) => r.session_row_id))];
      const sessions = new Map((await findInboundSessions(db, ids, DEFAULT_PROVIDER)).map((s) => [s.id, s]));
      started.push(...rows.map((row) => start(row, sessions.get(row.session_row_id) ?? null)));
    }
    return started;
  }

  /** Fills the free slots with due deliveries and starts them; resolves with the attempts started (not finished). */
  function fill(): Promise<Array<Promise<void>>> {
    // One claim at a time: two claims counting the same free slots would overfill the pool.
    const next = filling.then(claimIntoFreeSlots, claimIntoFreeSlots);
    // Only the order is kept here: a failed claim rejects `next`, which its caller gets (and the job logs).
    filling = next.catch(() => undefined);
    return next;
  }

  return {
    fill,
    /** Fills the free slots and waits for those attempts (tests, and `deliverWebhooks`); returns how many. */
    async runOnce(): Promise<number> {
      const started = await fill();
      await Promise.all(started);
      return started.length;
    },
    /** Called whenever an attempt ends, so a waiting worker can fill the slot at once. */
    onSlotFree(listener: () => void): () => void {
      freed.add(listener);
      return () => freed.delete(listener);
    },
    /** Resolves when no attempt is in flight (shutdown). */
    async settled(): Promise<void> {
      while (running.size > 0) await Promise.all(running);
    },
  };
}
export type WebhookOutbox = ReturnType<typeof createWebhookOutbox>;
