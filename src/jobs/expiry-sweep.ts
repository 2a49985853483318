import { Cron } from 'croner';
import type { ExpiryService, SweepResult } from '../services/expiry.js';

export interface ExpirySweepOptions {
  expiry: Pick<ExpiryService, 'sweep'>;
  log: { error(obj: object, msg: string): void; info(obj: object, msg: string): void; debug(obj: object, msg: string): void };
  /** Cron pattern; every minute by default (SPEC §3). */
  pattern?: string;
  /** False: no schedule, only `runOnce` (the schedule follows wall time, a test's clock does not). */
  scheduled?: boolean;
}

// SPEC §3 and the Go service (go-service-api §9) schedule in Jakarta time. Every minute fires at the
// same instants in any zone; the zone matters once the pattern names hours.
const TIMEZONE = 'Asia/Jakarta';

/**
 * Runs the expiry sweep on a schedule; `runOnce` is the same work on demand (tests, start-up).
 * A failed sweep is logged and retried at the next tick. `stop` waits for a sweep in progress.
 */
export function startExpirySweep(o: ExpirySweepOptions) {
  let running: Promise<SweepResult | null> = Promise.resolve(null);

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

  // `protect`: a slow sweep is never started twice in one process; `unref`: the timer never holds the process open.
  const cron = new Cron(
    o.pattern ?? '* * * * *',
    { timezone: TIMEZONE, protect: true, unref: true, paused: o.scheduled === false },
    async () => {
      await runOnce();
    },
  );

  return {
    runOnce,
    /** When the schedule fires next; null when it is not scheduled. */
    nextRun: () => (cron.isRunning() ? cron.nextRun() : null),
    async stop() {
      cron.stop();
      await running;
    },
  };
}
export type ExpirySweep = ReturnType<typeof startExpirySweep>;
