import type { Quota } from '../services/quota.js';
import type { SendStats } from '../services/send-stats.js';

/**
 * Writes send statistics once a second and hands idle quota leases back (SPEC §4 design note).
 * `stop` writes what is left, so a clean shutdown loses no counter.
 */
export function startCounterFlush(deps: {
  stats: SendStats;
  quota: Quota;
  log: { error(obj: object, msg: string): void };
  everyMs?: number;
  idleLeaseMs?: number;
}) {
  const { stats, quota, log } = deps;
  const tick = async () => {
    await stats.flush().catch((error: unknown) => log.error({ err: error }, 'send statistics flush failed; kept for the next one'));
    await quota.release(deps.idleLeaseMs ?? 30_000).catch((error: unknown) => log.error({ err: error }, 'quota lease hand-back failed'));
  };
  const timer = setInterval(() => void tick(), deps.everyMs ?? 1_000);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await stats.flush();
      await quota.release(0);
    },
  };
}

/**
 * Writes `last_event_at` once a minute (SPEC §10: at most one write per session and minute, however
 * many events); `stop` writes what is left.
 */
export function startActivityFlush(deps: {
  activity: { flush(): Promise<unknown> };
  log: { error(obj: object, msg: string): void };
  everyMs?: number;
}) {
  const timer = setInterval(
    () =>
      void deps.activity
        .flush()
        .catch((error: unknown) => deps.log.error({ err: error }, 'session activity flush failed; kept for the next one')),
    deps.everyMs ?? 60_000,
  );
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await deps.activity.flush();
    },
  };
}
