import { Cron } from 'croner';
import type { UsageService } from '../services/usage.js';

/**
 * Removes usage history past USAGE_RETENTION_DAYS (SPEC §10), every hour at minute 7 and once when
 * started. Built by deps.ts, started with the other jobs by main.ts. Every instance may run it: the
 * delete is idempotent, so two at once remove the same rows once. `runOnce` is the same work on demand.
 */
export function createUsagePruneJob(o: {
  usage: Pick<UsageService, 'prune'>;
  log: { error(obj: object, msg: string): void; info(obj: object, msg: string): void };
}) {
  let running: Promise<number | null> = Promise.resolve(null);
  let cron: Cron | null = null;

  function runOnce(): Promise<number | null> {
    running = running.then(() =>
      o.usage.prune().then(
        (removed) => {
          if (removed > 0) o.log.info({ removed }, 'usage history past its retention removed');
          return removed;
        },
        (err: unknown) => {
          o.log.error({ err }, 'usage history prune failed; retried within the hour');
          return null;
        },
      ),
    );
    return running;
  }

  return {
    runOnce,
    start(): void {
      if (cron) return;
      cron = new Cron('7 * * * *', { protect: true, unref: true }, async () => {
        await runOnce();
      });
      void runOnce();
    },
    async stop(): Promise<void> {
      cron?.stop();
      cron = null;
      await running;
    },
  };
}
export type UsagePruneJob = ReturnType<typeof createUsagePruneJob>;
