import type { Timers } from '../lib/clock.js';
import type { Quota } from '../services/quota.js';
import type { SendStats } from '../services/send-stats.js';
import type { UsageCounters } from '../services/usage-counters.js';
import type { Job } from './job.js';
import { createPeriodicJob } from './periodic.js';

/**
 * Writes send statistics and the daily usage history once a second and hands idle quota leases back
 * (SPEC §4 design note), once started; a slow store never has two rounds at once (periodic.ts). The
 * last write of what is left is deps.close()'s, which makes it whether or not this job ran.
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
}): Job {
  const { stats, usage, quota, log } = deps;
  // Each part fails on its own: what one could not write is kept for the next round, the others go on.
  const round = async () => {
    await stats.flush().catch((error: unknown) => log.error({ err: error }, 'send statistics flush failed; kept for the next one'));
    await usage.flush().catch((error: unknown) => log.error({ err: error }, 'usage history flush failed; kept for the next one'));
    await quota.release(deps.idleLeaseMs ?? 30_000).catch((error: unknown) => log.error({ err: error }, 'quota lease hand-back failed'));
  };
  return createPeriodicJob({ run: round, everyMs: deps.everyMs ?? 1_000, log, failure: 'counter flush failed', timers: deps.timers });
}

/**
 * Writes the coalesced `last_event_at` of sessions (SPEC §10) once a minute, once started; the last
 * write of what is left is the health parts' close (health-deps.ts).
 */
export function createActivityFlushJob(deps: {
  activity: { flush(): Promise<unknown> };
  log: { error(obj: object, msg: string): void };
  timers?: Timers;
  everyMs?: number;
}): Job {
  return createPeriodicJob({
    run: () => deps.activity.flush(),
    everyMs: deps.everyMs ?? 60_000,
    log: deps.log,
    failure: 'session activity flush failed; kept for the next one',
    timers: deps.timers,
  });
}
