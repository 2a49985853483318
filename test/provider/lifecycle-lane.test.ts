import { describe, expect, it } from 'vitest';
import { isAppError } from '../../src/errors.js';
import { type ClusterLock, createLifecycleLane } from '../../src/provider/lifecycle-lane.js';

/** A cluster lock in memory that records what it was asked, so the lane's use of it can be checked. */
function recordingLock(options: { grant?: boolean } = {}) {
  const events: string[] = [];
  let holders = 0;
  const lock: ClusterLock = {
    async acquire() {
      if (options.grant === false) {
        events.push('refused');
        return null;
      }
      holders += 1;
      events.push('acquired');
      return async () => {
        holders -= 1;
        events.push('released');
      };
    },
  };
  return { lock, events, holders: () => holders };
}

const gate = () => {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { open, opened };
};

describe('lifecycle lane', () => {
  it('runs calls one at a time, in order, and a failure does not stop the next', async () => {
    const run = createLifecycleLane({ waitMs: 5_000 });
    let running = 0;
    let most = 0;
    const order: number[] = [];
    const task = (n: number, fail = false) =>
      run(async () => {
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

  it('holds the cluster lock for exactly the call and gives it back on success and on failure', async () => {
    const { lock, events, holders } = recordingLock();
    const run = createLifecycleLane({ waitMs: 5_000, lock });
    await run(async () => events.push('call 1'));
    await expect(
      run(async () => {
        events.push('call 2');
        throw new Error('provider down');
      }),
    ).rejects.toThrow('provider down');
    expect(events).toEqual(['acquired', 'call 1', 'released', 'acquired', 'call 2', 'released']);
    expect(holders()).toBe(0);
  });

  it('past the wait bound: 503 PROVIDER_BUSY with Retry-After, and the call is never made', async () => {
    const run = createLifecycleLane({ waitMs: 50 });
    const first = gate();
    const held = run(() => first.opened);
    let made = false;
    const started = Date.now();
    const error = await run(async () => {
      made = true;
    }).catch((e: unknown) => e);
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(isAppError(error) && error.code).toBe('PROVIDER_BUSY');
    expect(isAppError(error) && error.headers).toEqual({ 'retry-after': expect.stringMatching(/^\d+$/) });
    first.open();
    await held;
    expect(made).toBe(false);
    // The lane is free again for the next caller.
    await expect(run(async () => 'next')).resolves.toBe('next');
  });

  it('a caller that gave up does not let the one behind it jump the call still running', async () => {
    const run = createLifecycleLane({ waitMs: 50 });
    const first = gate();
    let running = 0;
    let most = 0;
    const tracked = (body: () => Promise<void>) =>
      run(async () => {
        running += 1;
        most = Math.max(most, running);
        try {
          await body();
        } finally {
          running -= 1;
        }
      });
    const held = tracked(() => first.opened);
    await expect(tracked(async () => undefined)).rejects.toMatchObject({ code: 'PROVIDER_BUSY' });
    const third = tracked(async () => undefined);
    first.open();
    await Promise.all([held, third]);
    expect(most).toBe(1);
  });

  it('a client gone while waiting leaves the queue at once and its call is never made', async () => {
    const { lock, events } = recordingLock();
    const run = createLifecycleLane({ waitMs: 5_000, lock });
    const first = gate();
    const held = run(() => first.opened);
    const client = new AbortController();
    let made = false;
    const waiting = run(async () => {
      made = true;
    }, client.signal).catch((e: unknown) => e);
    client.abort();
    expect(isAppError(await waiting)).toBe(true);
    first.open();
    await held;
    expect(made).toBe(false);
    expect(events).toEqual(['acquired', 'released']);
  });

  it('a cluster lock not granted within the bound is 503 PROVIDER_BUSY', async () => {
    const { lock } = recordingLock({ grant: false });
    const run = createLifecycleLane({ waitMs: 50, lock });
    await expect(run(async () => 'never')).rejects.toMatchObject({ code: 'PROVIDER_BUSY' });
  });
});
