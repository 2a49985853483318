import type { Quota } from '../services/quota.js';
import type { SendStats } from '../services/send-stats.js';
import type { UsageCounters } from '../services/usage-counters.js';

/**
 * Writes send statistics once a second and hands idle quota leases back (SPEC §4 design note).
 * `stop` writes what is left, so a clean shutdown loses no counter.
 */
export function startCounterFlush(deps: {
  stats: SendStats;
  /** The daily usage history (issue 17), written in the same tick. */
  usage: Pick<UsageCounters, 'flush'>;
  quota: Quota;
  log: { error(obj: object, msg: string): void };
  everyMs?: number;
  idleLeaseMs?: number;
}) {
  const { stats, usage, quota, log } = deps;
  const tick = async () => {
    await stats.flush().catch((error: unknown) => log.error({ err: error }, 'send statistics flush failed; kept for the next one'));
    await usage.flush().catch((error: unknown) => log.error({ err: error }, 'usage history flush failed; kept for the next one'));
    await quota.release(deps.idleLeaseMs ?? 30_000).catch((error: unknown) => log.error({ err: error }, 'quota lease hand-back failed'));
  };
  const timer = setInterval(() => void tick(), deps.everyMs ?? 1_000);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      // Both are written even when one of them fails; the first failure is reported.
      const flushed = await Promise.allSettled([stats.flush(), usage.flush()]);
      const failed = flushed.find((r) => r.status === 'rejected');
      if (failed) throw failed.reason;
      await quota.release(0);
    },
  };
}
