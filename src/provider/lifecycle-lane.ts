import { AppError } from '../errors.js';

/** Gives a held cluster-wide lock back; never throws (a lost lock is the lock's own business to report). */
export type ReleaseLock = () => Promise<void>;

/**
 * The lock every instance takes around a lifecycle call (cluster/pg-lock.ts on PostgreSQL). Only one
 * caller of this process asks at a time: the lane queues the rest here.
 */
export interface ClusterLock {
  /**
   * Resolves once the lock is held, or with null when `deadline` (epoch ms) passes or `signal` aborts
   * first. Throws a typed AppError when the lock cannot be asked for at all (store unreachable).
   */
  acquire(deadline: number, signal?: AbortSignal): Promise<ReleaseLock | null>;
}

export interface LifecycleLaneOptions {
  /** PROVIDER_LIFECYCLE_WAIT_MS: the longest a call waits for its turn, here and in the cluster. */
  waitMs: number;
  /** The cluster-wide lock; without one (the embedded store: one process by construction) the local queue is the lane. */
  lock?: ClusterLock;
  now?: () => number;
}

/** What a lifecycle call may say about its caller: a signal that aborts when the client has gone. */
export type LifecycleRun = <T>(task: () => Promise<T>, signal?: AbortSignal) => Promise<T>;

/** Past the wait: 503 with a hint; the lane is busy with a slow call, a few seconds is a fair first retry. */
export const providerBusy = () => new AppError('PROVIDER_BUSY', undefined, { 'retry-after': '5' });

/**
 * genfity-wa keeps its client channels in an unlocked Go map: concurrent connect, disconnect or
 * logout calls — even for different sessions, even from different gateway instances — can crash the
 * whole provider (contract §8). Every such call goes through this one lane: first this process's
 * queue (FIFO), then the cluster lock, held for exactly the provider call and given back on every
 * path (answer, provider error, timeout). Waiting is bounded by `waitMs`, past which the call is
 * 503 PROVIDER_BUSY with Retry-After and never made; a caller whose client went away while it waited
 * leaves the queue and makes no call. A call already made runs to its end, even if its client goes:
 * releasing the lock while the provider still works on it would let the next one overlap.
 */
export function createLifecycleLane(options: LifecycleLaneOptions): LifecycleRun {
  const now = options.now ?? Date.now;
  let tail: Promise<void> = Promise.resolve();

  return async function run<T>(task: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    const deadline = now() + options.waitMs;
    const before = tail;
    let leave!: () => void;
    const mine = new Promise<void>((resolve) => {
      leave = resolve;
    });
    // The next caller waits for this one and everyone before it, even if this one gives up early.
    tail = before.then(() => mine);
    try {
      await waitTurn(before, deadline - now(), signal);
      const release = options.lock ? await options.lock.acquire(deadline, signal) : null;
      if (options.lock && !release) throw signal?.aborted ? clientGone() : providerBusy();
      try {
        return await task();
      } finally {
        await release?.();
      }
    } finally {
      leave();
    }
  };
}

/** Resolves when `turn` does; rejects at the bound or when the client goes. */
function waitTurn(turn: Promise<void>, ms: number, signal: AbortSignal | undefined): Promise<void> {
  if (signal?.aborted) return Promise.reject(clientGone());
  return new Promise<void>((resolve, reject) => {
    const done = (error?: AppError) => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      if (error) reject(error);
      else resolve();
    };
    const onAbort = () => done(clientGone());
    const timer = setTimeout(() => done(providerBusy()), Math.max(0, ms));
    signal?.addEventListener('abort', onAbort, { once: true });
    void turn.then(() => done());
  });
}

/** Nobody reads this answer; the code says what happened in the log. */
const clientGone = () => new AppError('VALIDATION_FAILED', 'the client went away while its lifecycle call waited');
