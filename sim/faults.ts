/** Injected faults: latency, canned failures, garbage or never-ending bodies and a "down" switch, all by path prefix. */

export interface FailRule {
  status: number;
  body?: unknown;
  count?: number;
}

/**
 * An answer that never ends: `trickle` sends its headers, then one byte every `intervalMs`;
 * `endless` sends a contact map that never closes, as fast as the client reads it.
 */
export interface StreamRule {
  mode: 'trickle' | 'endless';
  intervalMs?: number;
  count?: number;
}

interface Counted<T> {
  prefix: string;
  remaining: number;
  rule: T;
}

export function createFaults() {
  const latency = new Map<string, number>();
  let failures: Counted<FailRule>[] = [];
  let garbage: Counted<null>[] = [];
  let streams: Counted<StreamRule>[] = [];
  const state = { down: false };

  /** The longest matching prefix wins, so `/chat/send/text` can be slower than `/`. */
  function latencyFor(path: string): number {
    let best = -1;
    let ms = 0;
    for (const [prefix, value] of latency) {
      if (path.startsWith(prefix) && prefix.length > best) {
        best = prefix.length;
        ms = value;
      }
    }
    return ms;
  }

  function setLatency(ms: number, prefix = '/'): void {
    if (ms > 0) latency.set(prefix, ms);
    else latency.delete(prefix);
  }

  function take<T>(rules: Counted<T>[], path: string): Counted<T> | undefined {
    const rule = rules.find((r) => r.remaining > 0 && path.startsWith(r.prefix));
    if (rule) rule.remaining -= 1;
    return rule;
  }

  function failNext(prefix: string, rule: FailRule): void {
    failures.push({ prefix, remaining: rule.count ?? 1, rule });
  }

  function setGarbage(prefix: string, count = 1): void {
    garbage.push({ prefix, remaining: count, rule: null });
  }

  function setStream(prefix: string, rule: StreamRule): void {
    streams.push({ prefix, remaining: rule.count ?? 1, rule });
  }

  function reset(): void {
    latency.clear();
    failures = [];
    garbage = [];
    streams = [];
    state.down = false;
  }

  return {
    state,
    latencyFor,
    setLatency,
    failNext,
    setGarbage,
    setStream,
    takeStream: (path: string) => take(streams, path)?.rule,
    takeFailure: (path: string) => take(failures, path)?.rule,
    takeGarbage: (path: string) => take(garbage, path) !== undefined,
    reset,
  };
}

export type Faults = ReturnType<typeof createFaults>;
