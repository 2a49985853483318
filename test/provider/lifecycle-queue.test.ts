import { describe, expect, it } from 'vitest';
import { createLifecycleQueue } from '../../src/provider/lifecycle-queue.js';

describe('lifecycle queue', () => {
  it('runs tasks one at a time, in order, and a failure does not stop the next', async () => {
    const enqueue = createLifecycleQueue();
    let running = 0;
    let most = 0;
    const order: number[] = [];
    const task = (n: number, fail = false) =>
      enqueue(async () => {
        running += 1;
        most = Math.max(most, running);
        await new Promise((r) => setTimeout(r, 5));
        order.push(n);
        running -= 1;
        if (fail) throw new Error(`task ${n}`);
        return n;
      });
    const results = await Promise.allSettled([task(1), task(2, true), task(3)]);
    expect(most).toBe(1);
    expect(order).toEqual([1, 2, 3]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
  });
});
