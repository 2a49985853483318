import { type Clock, systemTimers, type Timers } from '../lib/clock.js';
import type { WebhookOutbox } from '../services/webhook-outbox.js';
import type { WebhookProcessing } from '../services/webhook-processing.js';

export interface WebhookOutboxJobOptions {
  outbox: Pick<WebhookOutbox, 'fill' | 'onSlotFree' | 'settled'>;
  processing: Pick<WebhookProcessing, 'recover' | 'settled'>;
  prune: () => Promise<void>;
  /** Reads and publishes the outbox depth (metrics), now and then. */
  reportDepth?: () => Promise<void>;
  log: { error(obj: object, msg: string): void };
  /** Decides when housekeeping is due. */
  clock: Clock;
  timers?: Timers;
  idleMs?: number;
  /** Slots that free within this long are filled by one claim. */
  gatherMs?: number;
  recoverEveryMs?: number;
  pruneEveryMs?: number;
}

/**
 * Works the webhook outbox once started: fills free delivery slots whenever there is due work, a slot
 * frees, or `nudge` says something was queued, and rests a short while when there is nothing to do.
 * Also re-processes events a crash left behind and prunes old records. `stop` lets the attempts in
 * flight (each bounded by WEBHOOK_TIMEOUT_MS) and event processing finish.
 */
export function createWebhookOutboxJob(o: WebhookOutboxJobOptions) {
  const timers = o.timers ?? systemTimers;
  let stopped = false;
  let loop: Promise<void> | null = null;
  let unsubscribe: () => void = () => undefined;
  let wake: (() => void) | null = null;
  // A wake-up that came while the loop was busy: the next rest is skipped, so no slot waits for the timer.
  let woken = false;
  const last = { recover: Number.NEGATIVE_INFINITY, prune: Number.NEGATIVE_INFINITY, depth: Number.NEGATIVE_INFINITY };
  const nudge = () => {
    if (wake) wake();
    else woken = true;
  };
  // Attempts to fast receivers end a few at a millisecond: gathering them for a moment lets one claim
  // fill several slots instead of one claim per slot, and a slot still waits milliseconds, not rounds.
  let gathering: unknown = null;
  const gather = () => {
    gathering ??= timers.setTimeout(() => {
      gathering = null;
      nudge();
    }, o.gatherMs ?? 5);
  };

  const rest = (ms: number) =>
    new Promise<void>((resolve) => {
      if (woken) return resolve();
      const handle = timers.setTimeout(() => wake?.(), ms);
      wake = () => {
        timers.clearTimeout(handle);
        wake = null;
        resolve();
      };
    });

  const due = (what: keyof typeof last, everyMs: number, now: number) => {
    if (now - last[what] < everyMs) return false;
    last[what] = now;
    return true;
  };

  // Housekeeping runs beside the loop, one of each kind at a time: a slow recovery (a provider call per
  // event) or a long prune never keeps freed slots from being filled.
  const chores = new Map<keyof typeof last, Promise<void>>();
  const chore = (what: keyof typeof last, work: () => Promise<unknown>, failure: string) => {
    if (chores.has(what)) return;
    const done = work().then(
      () => undefined,
      (err: unknown) => o.log.error({ err }, failure),
    );
    chores.set(
      what,
      done.finally(() => chores.delete(what)),
    );
  };

  function housekeeping() {
    const now = o.clock.now().getTime();
    if (due('recover', o.recoverEveryMs ?? 30_000, now))
      chore('recover', () => o.processing.recover(30_000), 'webhook event recovery failed');
    if (o.reportDepth && due('depth', 5_000, now)) chore('depth', o.reportDepth, 'webhook queue depth unavailable');
    if (due('prune', o.pruneEveryMs ?? 3_600_000, now)) chore('prune', o.prune, 'webhook record pruning failed');
  }

  async function work(): Promise<void> {
    while (!stopped) {
      woken = false;
      let started = 0;
      try {
        started = (await o.outbox.fill()).length;
        housekeeping();
      } catch (err) {
        o.log.error({ err }, 'webhook delivery round failed');
      }
      if (!stopped && started === 0) await rest(o.idleMs ?? 1_000);
    }
  }

  return {
    /** Something was queued: fill slots now rather than after the rest (before `start`, the first round does). */
    nudge,
    start(): void {
      if (loop || stopped) return;
      unsubscribe = o.outbox.onSlotFree(gather);
      loop = work();
    },
    async stop() {
      stopped = true;
      unsubscribe();
      if (gathering !== null) timers.clearTimeout(gathering);
      wake?.();
      await loop;
      await Promise.all(chores.values());
      await o.outbox.settled();
      await o.processing.settled();
    },
  };
}
