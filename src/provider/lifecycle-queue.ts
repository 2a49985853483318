/**
 * genfity-wa keeps its client channels in an unlocked Go map: concurrent connect, disconnect or
 * logout calls — even for different sessions — can crash the whole provider (contract §8). Every
 * such call from this process goes through this one queue, one at a time.
 */
export function createLifecycleQueue() {
  let tail: Promise<unknown> = Promise.resolve();
  return function enqueue<T>(task: () => Promise<T>): Promise<T> {
    const run = tail.then(task, task);
    tail = run.catch(() => undefined);
    return run;
  };
}
export type LifecycleQueue = ReturnType<typeof createLifecycleQueue>;
