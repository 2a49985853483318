import { systemSleep, type Sleep } from '../lib/clock.js';
import type { RelayRepoint, RepointStep } from '../services/relay-repoint.js';

export interface RelayRepointJobOptions {
  repoint: Pick<RelayRepoint, 'begin' | 'next' | 'end'>;
  log: {
    info(obj: object, msg: string): void;
    warn(obj: object, msg: string): void;
    error(obj: object, msg: string): void;
    debug(obj: object, msg: string): void;
  };
  /** RELAY_REPOINT_RATE: sessions per second, so genfity-wa gets a few calls a second, not all at once. */
  rate: number;
  /** The longest pause after a session that could not be pointed (the pause doubles while they fail). */
  failurePauseMaxMs: number;
  /** How long to wait before looking again: another instance holds the job, or a pass left sessions behind. */
  retryMs: number;
  sleep?: Sleep;
}

/** A run's progress: `pointed` and `skipped` over the whole run, `failed` in the current pass (retried in the next). */
interface Progress {
  total: number;
  pointed: number;
  skipped: number;
  failed: number;
}

type Phase = { kind: 'idle' } | { kind: 'waiting' } | { kind: 'running'; progress: Progress } | { kind: 'finished' };

/**
 * Re-points genfity-wa at the relay in the background (issue 12 §1): at RELAY_REPOINT_RATE, one
 * instance at a time, until every session is pointed or given up on; progress is in the store, so
 * a restart carries on where the last run stopped. Building it starts nothing: `start` does
 * (main.ts). `status` is what `/ready` shows while it runs; the logs say what it did.
 */
export function createRelayRepointJob(o: RelayRepointJobOptions) {
  const sleep = o.sleep ?? systemSleep;
  const intervalMs = 1000 / o.rate;
  const stopping = new AbortController();
  let phase: Phase = { kind: 'idle' };
  let run: Promise<void> | null = null;

  function record(step: Extract<RepointStep, { kind: 'session' }>, progress: Progress) {
    if (step.outcome === 'pointed') progress.pointed += 1;
    if (step.outcome === 'skipped') {
      progress.skipped += 1;
      o.log.warn({ session_id: step.sessionId, reason: step.reason }, 'relay: session not re-pointed, and not retried');
    }
    if (step.outcome === 'failed') {
      progress.failed += 1;
      // The first failure of a pass says why (genfity-wa down, most likely); the rest would only repeat it.
      const level = progress.failed === 1 ? 'warn' : 'debug';
      o.log[level]({ session_id: step.sessionId, err: step.error }, 'relay: re-pointing a session failed; retried in the next pass');
    }
    const done = progress.pointed + progress.skipped;
    if (step.outcome !== 'failed' && done % Math.max(1, Math.ceil(progress.total / 10)) === 0)
      o.log.info({ ...progress }, `relay: re-pointed ${done}/${progress.total} sessions`);
  }

  /** One pass over the sessions left, in row order: 'lost' when another instance took the job over. */
  async function pass(progress: Progress): Promise<'lost' | 'done'> {
    let cursor = 0;
    let failing = 0;
    while (!stopping.signal.aborted) {
      const started = performance.now();
      const step = await o.repoint.next(cursor);
      if (step.kind === 'elsewhere') return 'lost';
      if (step.kind === 'end') return 'done';
      cursor = step.rowId;
      record(step, progress);
      failing = step.outcome === 'failed' ? failing + 1 : 0;
      const pause = failing > 0 ? Math.min(o.failurePauseMaxMs, intervalMs * 2 ** failing) : intervalMs;
      await sleep(Math.max(0, pause - (performance.now() - started)), stopping.signal);
    }
    return 'done';
  }

  /** Until nothing is left to point: take the job, pass over what is left, look again. */
  async function loop(): Promise<void> {
    const progress: Progress = { total: 0, pointed: 0, skipped: 0, failed: 0 };
    while (!stopping.signal.aborted) {
      const begun = await o.repoint.begin();
      if (!begun) {
        phase = { kind: 'waiting' };
        await sleep(o.retryMs, stopping.signal);
        continue;
      }
      if (begun.pending === 0) {
        await o.repoint.end();
        o.log.info({ ...progress }, 'relay: every session points at the gateway');
        phase = { kind: 'finished' };
        return;
      }
      if (progress.total === 0) o.log.info({ pending: begun.pending }, 'relay: re-pointing sessions at the gateway');
      Object.assign(progress, { total: progress.pointed + progress.skipped + begun.pending, failed: 0 });
      phase = { kind: 'running', progress };
      if ((await pass(progress)) === 'lost' || progress.failed === 0) continue;
      o.log.warn({ ...progress }, 'relay: some sessions could not be re-pointed; trying them again shortly');
      await sleep(o.retryMs, stopping.signal);
    }
  }

  async function guarded(): Promise<void> {
    for (;;) {
      try {
        return await loop();
      } catch (error) {
        // The store or the lease failed: nothing is lost, the next try carries on from the store.
        o.log.error({ err: error }, 'relay: re-pointing stopped by an error; trying again shortly');
        await sleep(o.retryMs, stopping.signal);
        if (stopping.signal.aborted) return;
      }
    }
  }

  return {
    /** Starts the background run (once). */
    start(): void {
      run ??= guarded();
    },
    /** Resolves when the run has ended: everything pointed, or stopped. */
    settled: (): Promise<void> => run ?? Promise.resolve(),
    /** For `/ready` while it runs; null when there is nothing to say. */
    status(): string | null {
      if (phase.kind === 'waiting') return 'another instance is re-pointing sessions at the gateway';
      if (phase.kind !== 'running') return null;
      const { pointed, skipped, failed, total } = phase.progress;
      return `re-pointing ${pointed + skipped}/${total} sessions${failed > 0 ? ` (${failed} to retry)` : ''}`;
    },
    /** Ends the run after the session in hand and lets another instance take the job at once. */
    async stop(): Promise<void> {
      stopping.abort();
      if (!run) return;
      await run;
      // Not handed back: the lease runs out by itself and another instance takes the job then.
      await o.repoint.end().catch((error: unknown) => o.log.warn({ err: error }, 'relay: re-pointing lease not handed back'));
    },
  };
}
export type RelayRepointJob = ReturnType<typeof createRelayRepointJob>;
