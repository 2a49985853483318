import { Cron } from 'croner';
import type { ExpiryService, SweepResult } from '../services/expiry.js';

export interface ExpirySweepOptions {
  expiry: Pick<ExpiryService, 'sweep'>;
  log: { error(obj: object, msg: string): void; info(obj: object, msg: string): void; debug(obj: object, msg: string): void };
  /** Cron pattern; every minute by default (SPEC §3). */
  pattern?: string;
}

// SPEC §3 and the Go service (go-service-api §9) schedule in Jakarta time. Every minute fires at the
// same instants in any zone; the zone matters once the pattern names hours.
const TIMEZONE = 'Asia/Jakarta';

/**
 * Runs the expiry sweep on a schedule once started; `runOnce` is the same work on demand (tests).
 * The schedule follows wall time: an app on a test clock is not started and sweeps when told. A
 * failed sweep is logged and retried at the next tick. `stop` waits for a sweep in progress.
 */
export function createExpirySweepJob(o: ExpirySweepOptions) {
  let running: Promise<SweepResult | null> = Promise.resolve(null);
  let cron: Cron | null = null;
  let stopped = false;

  function runOnce(): Promise<SweepResult | null> {
    running = o.expiry
      .sweep()
      .then((result) => {
        if (result.ran && result.expired > 0) o.log.info({ expired: result.expired }, 'subscriptions expired');
        o.log.debug({ tick: result.tick, ran: result.ran }, 'expiry sweep tick');
        return result;
      })
      .catch((err: unknown) => {
        o.log.error({ err }, 'expiry sweep failed; retried at the next tick');
        return null;
      });
    return running;
  }

  return {
    runOnce,
    start(): void {
      if (cron || stopped) return;
      // `protect`: a slow sweep is never started twice in one process; `unref`: the timer never holds the process open.
      cron = new Cron(o.pattern ?? '* * * * *', { timezone: TIMEZONE, protect: true, unref: true }, async () => {
        await runOnce();
      });
    },
    /** When the schedule fires next; null when it is not scheduled. */
    nextRun: () => (cron?.isRunning() ? cron.nextRun() : null),
    async stop() {
      stopped = true;
      cron?.stop();
      await running;
    },
  };
}
export type ExpirySweepJob = ReturnType<typeof createExpirySweepJob>;
