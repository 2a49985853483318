import { systemTimers, type Timers } from '../lib/clock.js';
import type { Job } from './job.js';

export interface PeriodicOptions {
  /** What the job does each time; a failure is logged and the work is tried again next time. */
  run: () => Promise<unknown>;
  everyMs: number;
  log: { error(obj: object, msg: string): void };
  /** The log line of a failure. */
  failure: string;
  timers?: Timers | undefined;
}

/**
 * A small chore on a wall-clock interval (key last-use flush, audit pruning), once started: the next
 * round is armed when one ends, so never two rounds at once in one process; `stop` waits for a round
 * in progress. A last run of what must not be lost (the key last-use flush) is deps.close()'s, which
 * makes it whether or not the job ran.
 */
export function createPeriodicJob(o: PeriodicOptions): Job {
  const timers = o.timers ?? systemTimers;
  let timer: unknown = null;
  let round: Promise<void> = Promise.resolve();
  let state: 'idle' | 'running' | 'stopped' = 'idle';
  const arm = () => {
    timer = timers.setTimeout(() => {
      round = o
        .run()
        .then(
          () => undefined,
          (err: unknown) => o.log.error({ err }, o.failure),
        )
        .finally(() => {
          if (state === 'running') arm();
        });
    }, o.everyMs);
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
