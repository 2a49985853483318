import { type Clock, type Sleep, systemSleep } from '../lib/clock.js';
import type { CheckOutcome, SessionChecks } from '../services/session-checks.js';

export interface SessionCheckJobOptions {
  checks: Pick<SessionChecks, 'begin' | 'page' | 'renew' | 'check' | 'markChecked' | 'finish' | 'end'>;
  log: {
    info(obj: object, msg: string): void;
    warn(obj: object, msg: string): void;
    error(obj: object, msg: string): void;
    debug(obj: object, msg: string): void;
  };
  /** Told about every check (metrics: `wa_gateway_session_checks_total{outcome}`). */
  observer?: { sessionChecked(outcome: CheckOutcome): void };
  /** SESSION_CHECK_RATE: provider calls per second, at most. */
  rate: number;
  /** SESSION_CHECK_CONCURRENCY: calls in flight, at most (a slow provider never means thousands of open calls). */
  concurrency: number;
  /** SESSION_CHECK_INTERVAL: a pass is spread over most of it. */
  intervalMs: number;
  /** How long to wait before looking again when another instance holds the job, or a pass left sessions behind. */
  retryMs: number;
  /** The job's lease is renewed at least this often while a pass waits (a third of the lease). */
  renewEveryMs: number;
  clock: Clock;
  sleep?: Sleep;
}

export type PassResult =
  | { kind: 'elsewhere' }
  | { kind: 'done'; nextTickAt: Date }
  | { kind: 'lost' | 'stopped' }
  | { kind: 'finished' | 'incomplete'; checked: number; counts: Partial<Record<CheckOutcome, number>> };

type Row = Parameters<SessionChecks['check']>[0];

const PAGE = 100;
const MARK_BATCH = 100;
/** A pass uses this share of the interval, so it ends before the next tick even with some pauses. */
const SPREAD = 0.8;
/** The longest pause after answers that did not come (doubling from the pace while they fail). */
const FAILURE_PAUSE_MAX_MS = 30_000;

/** What a pass has seen: outcomes counted and logged, sessions that answered gathered to be marked checked. */
function createTally(o: Pick<SessionCheckJobOptions, 'checks' | 'log' | 'observer'>) {
  const counts: Partial<Record<CheckOutcome, number>> = {};
  let marks: number[] = [];
  return {
    counts,
    /** Answers that did not come, in a row: the pace slows down while they fail. */
    failing: 0,
    checked: 0,
    record(row: Row, outcome: CheckOutcome): void {
      counts[outcome] = (counts[outcome] ?? 0) + 1;
      o.observer?.sessionChecked(outcome);
      this.failing = outcome === 'unreachable' ? this.failing + 1 : 0;
      if (outcome === 'unchanged' || outcome === 'unknown_session') marks.push(row.id);
      if (outcome === 'garbage' || outcome === 'unknown_session') {
        // The first of a pass says so; the rest would only repeat it (they are counted all the same).
        const level = counts[outcome] === 1 ? 'warn' : 'debug';
        o.log[level]({ session_id: row.session_id, outcome }, 'session check: the provider gave no usable status; state unchanged');
      }
    },
    async flush(whenAtLeast = 1): Promise<void> {
      if (marks.length < whenAtLeast) return;
      const ids = marks;
      marks = [];
      await o.checks.markChecked(ids);
    },
  };
}
type Tally = ReturnType<typeof createTally>;

/** Waits between calls, renewing the job's lease at least every `renewEveryMs`; false once another instance took it. */
function createPacer(o: Pick<SessionCheckJobOptions, 'checks' | 'renewEveryMs'>, sleep: Sleep, signal: AbortSignal) {
  let renewedAt = performance.now();
  return {
    renewed: () => {
      renewedAt = performance.now();
    },
    async pace(ms: number): Promise<boolean> {
      for (let left = ms; left > 0 && !signal.aborted; left -= o.renewEveryMs) {
        await sleep(Math.min(left, o.renewEveryMs), signal);
        if (performance.now() - renewedAt < o.renewEveryMs) continue;
        if (!(await o.checks.renew())) return false;
        renewedAt = performance.now();
      }
      return true;
    },
  };
}

/**
 * Reconciliation in the background (SPEC §10, issue 16 §2): every SESSION_CHECK_INTERVAL each session's
 * `/session/status` is asked, spread over the interval, at most SESSION_CHECK_RATE calls a second and
 * SESSION_CHECK_CONCURRENCY at once, on one instance at a time. A provider that does not answer marks
 * nothing: calls slow down while it fails, the sessions it missed are asked again, and the tick is
 * recorded only once every session answered. Building it starts nothing: `start` does (main.ts).
 */
export function createSessionCheckJob(o: SessionCheckJobOptions) {
  const sleep = o.sleep ?? systemSleep;
  const stopping = new AbortController();
  const minGapMs = 1000 / o.rate;
  let run: Promise<void> | null = null;

  /** Asks the sessions due at `tick` page by page, at most `concurrency` at once, `gapMs` apart; 'lost' when the job was taken over. */
  async function walk(tick: Date, gapMs: number, tally: Tally): Promise<'lost' | 'walked'> {
    const inFlight = new Set<Promise<void>>();
    const pacer = createPacer(o, sleep, stopping.signal);
    const one = async (row: Row) => {
      const outcome = await o.checks.check(row).catch((err: unknown) => {
        o.log.error({ err, session_id: row.session_id }, 'session check failed');
        return 'unreachable' as const;
      });
      tally.record(row, outcome);
    };
    try {
      for (let cursor = 0; !stopping.signal.aborted; ) {
        const rows = await o.checks.page(tick, cursor, PAGE);
        pacer.renewed();
        if (rows === null) return 'lost';
        if (rows.length === 0) return 'walked';
        for (const row of rows) {
          if (stopping.signal.aborted) return 'walked';
          while (inFlight.size >= o.concurrency) await Promise.race(inFlight);
          const began = performance.now();
          const task = one(row).finally(() => inFlight.delete(task));
          inFlight.add(task);
          tally.checked += 1;
          cursor = row.id;
          await tally.flush(MARK_BATCH);
          const pause = tally.failing > 0 ? Math.min(FAILURE_PAUSE_MAX_MS, gapMs * 2 ** tally.failing) : gapMs;
          if (!(await pacer.pace(pause - (performance.now() - began)))) return 'lost';
        }
      }
      return 'walked';
    } finally {
      await Promise.all(inFlight);
      await tally.flush();
    }
  }

  /** One pass over the sessions due at the current tick; `runPass` is also what tests call. */
  async function runPass(): Promise<PassResult> {
    const start = await o.checks.begin();
    if (start.kind !== 'due') return start;
    const tally = createTally(o);
    const walked = await walk(start.tick, Math.max(minGapMs, (SPREAD * o.intervalMs) / Math.max(1, start.due)), tally);
    if (walked === 'lost') return { kind: 'lost' };
    if (stopping.signal.aborted) return { kind: 'stopped' };
    const { checked, counts } = tally;
    if (counts.unreachable) return { kind: 'incomplete', checked, counts };
    await o.checks.finish(start.tick);
    return { kind: 'finished', checked, counts };
  }

  async function loop(): Promise<void> {
    while (!stopping.signal.aborted) {
      try {
        const pass = await runPass();
        if (pass.kind === 'done') await sleep(Math.max(0, pass.nextTickAt.getTime() - o.clock.now().getTime()), stopping.signal);
        else if (pass.kind === 'elsewhere' || pass.kind === 'lost') await sleep(o.retryMs, stopping.signal);
        else if (pass.kind === 'incomplete') {
          o.log.warn({ ...pass.counts }, 'session checks: the provider did not answer for some sessions; asking them again shortly');
          await sleep(o.retryMs, stopping.signal);
        } else if (pass.kind === 'finished') o.log.debug({ checked: pass.checked, ...pass.counts }, 'session checks: pass finished');
      } catch (err) {
        // The store failed: nothing is lost, the sessions not marked checked are asked at the next try.
        o.log.error({ err }, 'session checks stopped by an error; trying again shortly');
        await sleep(o.retryMs, stopping.signal);
      }
    }
  }

  return {
    runPass,
    /** Starts the background loop (once). */
    start(): void {
      run ??= loop();
    },
    /** Ends the loop after the checks in flight and lets another instance take the job at once. */
    async stop(): Promise<void> {
      stopping.abort();
      await run;
      // Also after passes run on demand: the lease must not outlive this instance.
      await o.checks.end().catch(() => undefined);
    },
  };
}
export type SessionCheckJob = ReturnType<typeof createSessionCheckJob>;
