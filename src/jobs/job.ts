/**
 * A background job: a timer, loop, schedule, subscription or connection that runs once started.
 * createDeps builds every job and starts none; main.ts starts them all (`deps.start()`), a test only
 * those it wants (`deps.start(['webhookOutbox'])`), and `deps.close()` stops them. `start` is
 * idempotent; `stop` waits for the work in flight and is safe before `start` and a second time.
 */
export interface Job {
  start(): void;
  stop(): Promise<void>;
}

/** A job whose `start` returns what stops it: a subscription, a connection. Once stopped it stays stopped. */
export function jobOf(begin: () => () => Promise<void> | void): Job {
  let end: (() => Promise<void> | void) | null = null;
  let stopped = false;
  return {
    start() {
      if (!end && !stopped) end = begin();
    },
    async stop() {
      stopped = true;
      const ending = end;
      end = null;
      await ending?.();
    },
  };
}

/**
 * The process's jobs by name (deps.ts lists them: adding a job is one entry there). They start in
 * the order listed and stop in reverse; a null entry is a job this configuration leaves out.
 */
export function runJobs<T extends Record<string, Job | null>>(jobs: T) {
  const present = (only?: readonly (keyof T)[]) =>
    Object.entries(jobs).filter((entry): entry is [string, Job] => entry[1] !== null && (!only || only.includes(entry[0])));
  return {
    /** Starts every job, or only those named. */
    start(only?: readonly (keyof T)[]): void {
      for (const [, job] of present(only)) job.start();
    },
    /** Stops every job (those never started stop at once); one failing to stop does not keep the others running. */
    async stop(): Promise<void> {
      const errors: unknown[] = [];
      for (const [, job] of present().reverse()) await job.stop().catch((error: unknown) => errors.push(error));
      if (errors.length > 0) throw new AggregateError(errors, 'some background jobs did not stop cleanly');
    },
  };
}
