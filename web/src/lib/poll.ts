import { useEffect, useRef } from 'preact/hooks';

/**
 * Runs `task` now and then every `everyMs` after the previous run ends, while `active`. Runs never
 * overlap, and a hidden tab skips its turns, which keeps the console well under the public rate limit.
 */
export function usePoll(task: () => Promise<unknown> | undefined, everyMs: number, active = true): void {
  const latest = useRef(task);
  latest.current = task;
  useEffect(() => {
    if (!active) return undefined;
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const tick = async () => {
      if (!document.hidden) {
        try {
          await latest.current();
        } catch {
          /* each task shows its own errors */
        }
      }
      if (!stopped) timer = setTimeout(tick, everyMs);
    };
    void tick();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [everyMs, active]);
}
