import { systemTimers, type Timers } from '../lib/clock.js';
import type { Quota } from '../services/quota.js';
import type { SendStats } from '../services/send-stats.js';
import type { UsageCounters } from '../services/usage-counters.js';

/**
 * Writes send statistics once a second and hands idle quota leases back (SPEC §4 design note), once
 * started. The next round is armed when one ends, so a slow store never has two rounds at once.
 * `stop` waits for a round in progress; the last write of what is left is deps.close()'s, which makes
 * it whether or not this job ran.
 */
export function createCounterFlushJob(deps: {
  stats: Pick<SendStats, 'flush'>;
  /** The daily usage history (issue 17), written in the same round. */
  usage: Pick<UsageCounters, 'flush'>;
  quota: Pick<Quota, 'release'>;
  log: { error(obj: object, msg: string): void };
  timers?: Timers;
  everyMs?: number;
  idleLeaseMs?: number;
}) {
  const { stats, usage, quota, log } = deps;
  const timers = deps.timers ?? systemTimers;
  let timer: unknown = null;
  let round: Promise<void> = Promise.resolve();
  let state: 'idle' | 'running' | 'stopped' = 'idle';

  const tick = async () => {
    await stats.flush().catch((error: unknown) => log.error({ err: error }, 'send statistics flush failed; kept for the next one'));
    await usage.flush().catch((error: unknown) => log.error({ err: error }, 'usage history flush failed; kept for the next one'));
    await quota.release(deps.idleLeaseMs ?? 30_000).catch((error: unknown) => log.error({ err: error }, 'quota lease hand-back failed'));
  };
  const arm = () => {
    timer = timers.setTimeout(() => {
      round = tick().finally(() => {
        if (state === 'running') arm();
      });
    }, deps.everyMs ?? 1_000);
  };

  return {
    start(): void {
      if (state !== 'idle') return;
      state = 'running';
      arm();
    },
    async stop(): Promise<void> {
      state = 'stopped';
      if (timer !== null) timers.clearTimeout(timer);
      await round;
    },
  };
}

/**
 * Writes the coalesced `last_event_at` of sessions (SPEC §10) once a minute, once started; `stop` waits
 * for a round in progress and writes what is left.
 */
export function createActivityFlushJob(deps: {
  activity: { flush(): Promise<unknown> };
  log: { error(obj: object, msg: string): void };
  timers?: Timers;
  everyMs?: number;
}) {
  const timers = deps.timers ?? systemTimers;
  let timer: unknown = null;
  let round: Promise<unknown> = Promise.resolve();
  let state: 'idle' | 'running' | 'stopped' = 'idle';
  const arm = () => {
    timer = timers.setTimeout(() => {
      round = deps.activity
        .flush()
        .catch((error: unknown) => deps.log.error({ err: error }, 'session activity flush failed; kept for the next one'))
        .finally(() => {
          if (state === 'running') arm();
        });
    }, deps.everyMs ?? 60_000);
  };
  return {
    start(): void {
      if (state !== 'idle') return;
      state = 'running';
      arm();
    },
    async stop(): Promise<void> {
      const wasRunning = state === 'running';
      state = 'stopped';
      if (timer !== null) timers.clearTimeout(timer);
      await round;
      if (wasRunning) await deps.activity.flush();
    },
  };
}
