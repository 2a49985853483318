export interface PeriodicOptions {
  /** What the job does each time; a failure is logged and the work is tried again next time. */
  run: () => Promise<unknown>;
  everyMs: number;
  log: { error(obj: object, msg: string): void };
  /** The log line of a failure. */
  failure: string;
  /** Runs once more on `stop` (a flush that must not lose what it holds). */
  finalRun?: boolean;
}

/**
 * A small chore on a wall-clock interval (key last-use flush, audit pruning): never two runs at once
 * in one process, the timer never holds the process open, `stop` waits for a run in progress.
 */
export function startPeriodic(o: PeriodicOptions) {
  let running: Promise<void> = Promise.resolve();
  let busy = false;
  const runOnce = (): Promise<void> => {
    if (busy) return running;
    busy = true;
    running = o
      .run()
      .then(
        () => undefined,
        (err: unknown) => o.log.error({ err }, o.failure),
      )
      .finally(() => {
        busy = false;
      });
    return running;
  };
  const timer = setInterval(() => void runOnce(), o.everyMs);
  timer.unref();
  return {
    runOnce,
    async stop() {
      clearInterval(timer);
      await running;
      if (o.finalRun) await o.run();
    },
  };
}
export type Periodic = ReturnType<typeof startPeriodic>;
