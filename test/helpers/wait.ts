import { setTimeout as pause } from 'node:timers/promises';

export interface WaitOptions {
  /** What is awaited, in words, for the failure message: "the first delivery at the receiver" (read when it fails). */
  what: string | (() => string);
  /** How long the condition may take; the test fails with `what` past it. Default 5 s. */
  timeoutMs?: number;
  /**
   * Runs between two looks at the condition: what makes it happen in a test that drives the app
   * itself — a round of webhook deliveries, the manual clock moved on, a message published again.
   */
  between?: () => unknown;
  /** The pause after each look, in milliseconds (default 5): longer for a check that costs something. */
  intervalMs?: number;
}

type Truthy<T> = Exclude<T, false | null | undefined | 0 | ''>;

/**
 * Tests wait for events, never for time (issue 14 §6): resolves with the condition's first truthy
 * value, looking again after `between` and a short pause; a condition that throws has not happened
 * yet. Past the timeout it fails naming what was awaited, with the last value or error seen.
 */
export async function waitFor<T>(condition: () => T | Promise<T>, options: WaitOptions | string): Promise<Truthy<T>> {
  const { what, timeoutMs = 5_000, between, intervalMs = 5 } = typeof options === 'string' ? { what: options } : options;
  const started = performance.now();
  let last: { value?: unknown; error?: unknown } = {};
  for (;;) {
    try {
      const value = await condition();
      if (value) return value as Truthy<T>;
      last = { value };
    } catch (error) {
      last = { error };
    }
    if (performance.now() - started > timeoutMs) {
      const seen = 'error' in last ? `last check threw: ${String(last.error)}` : `last value: ${JSON.stringify(last.value)}`;
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${typeof what === 'function' ? what() : what} (${seen})`);
    }
    await between?.();
    await pause(intervalMs);
  }
}
