/** The only source of "now" for rules that depend on time (expiry, quota periods, limits). */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** A clock that tests move by hand, so expiry is checked without sleeping. */
export function createManualClock(start: Date | string = '2026-01-01T00:00:00Z') {
  let current = new Date(start).getTime();
  return {
    now: () => new Date(current),
    set: (to: Date | string) => {
      current = new Date(to).getTime();
    },
    advance: (ms: number) => {
      current += ms;
    },
  };
}
export type ManualClock = ReturnType<typeof createManualClock>;

/** Waits `ms`, or less when `signal` aborts; never holds the process open. Injected where waits are a rule. */
export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

export const systemSleep: Sleep = (ms, signal) =>
  new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    timer.unref();
    signal?.addEventListener('abort', done, { once: true });
  });

/** The timer functions a job's schedule runs on; tests pass their own and fire them by hand. */
export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** Node's timers, unref'd: a job's next tick never holds the process open. */
export const systemTimers: Timers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms).unref(),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};
/** Calls `fn` every `ms` until the returned function is called; never holds the process open. Injected where a period is a rule. */
export type Every = (ms: number, fn: () => void) => () => void;

export const systemEvery: Every = (ms, fn) => {
  const timer = setInterval(fn, ms);
  timer.unref();
  return () => clearInterval(timer);
};

/** Periodic callbacks that tests fire by hand (`fire`), so a 15 s heartbeat is checked without waiting. */
export function createManualEvery() {
  const callbacks = new Set<() => void>();
  const every: Every = (_ms, fn) => {
    const entry = () => fn();
    callbacks.add(entry);
    return () => callbacks.delete(entry);
  };
  return {
    every,
    /** Runs every registered callback once, now. */
    fire: () => {
      for (const fn of [...callbacks]) fn();
    },
    get size() {
      return callbacks.size;
    },
  };
}
export type ManualEvery = ReturnType<typeof createManualEvery>;
