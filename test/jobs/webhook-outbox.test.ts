import { describe, expect, it } from 'vitest';
import { createWebhookOutboxJob } from '../../src/jobs/webhook-outbox.js';
import { createManualClock, type Timers } from '../../src/lib/clock.js';

// The outbox job on an injected clock and injected timers (issue 11 §4): what it does and when depends
// on neither wall time nor sleeps. The outbox and the event processing are stand-ins that count calls.
function manualTimers() {
  let now = 0;
  const pending = new Map<number, { at: number; fn: () => void }>();
  let next = 0;
  const timers: Timers = {
    setTimeout: (fn, ms) => {
      next += 1;
      pending.set(next, { at: now + ms, fn });
      return next;
    },
    clearTimeout: (handle) => void pending.delete(handle as number),
  };
  return {
    timers,
    waiting: () => pending.size,
    /** Moves time on and fires what came due, in order. */
    advance(ms: number) {
      now += ms;
      for (const [id, t] of [...pending].sort((a, b) => a[1].at - b[1].at)) {
        if (t.at > now) continue;
        pending.delete(id);
        t.fn();
      }
    },
  };
}

const settle = () => new Promise((r) => setImmediate(r));

function standIns() {
  const calls = { fill: 0, recover: 0, prune: 0, settledOutbox: 0, settledProcessing: 0 };
  const count = (name: keyof typeof calls) => async () => {
    calls[name] += 1;
  };
  let freed: (() => void) | null = null;
  let due = 0;
  return {
    calls,
    queue: (n: number) => {
      due += n;
    },
    slotFree: () => freed?.(),
    outbox: {
      fill: async () => {
        calls.fill += 1;
        const started = Array.from({ length: due }, () => Promise.resolve());
        due = 0;
        return started;
      },
      onSlotFree: (listener: () => void) => {
        freed = listener;
        return () => {
          freed = null;
        };
      },
      settled: count('settledOutbox'),
    },
    processing: {
      recover: async () => {
        calls.recover += 1;
        return 0;
      },
      settled: count('settledProcessing'),
    },
    prune: count('prune'),
  };
}

describe('webhook delivery job', () => {
  it('fills at once while there is work, rests when there is none, and wakes for new work or a freed slot', async () => {
    const clock = createManualClock();
    const t = manualTimers();
    const s = standIns();
    s.queue(3);
    const job = createWebhookOutboxJob({ ...s, clock, timers: t.timers, log: { error: () => undefined }, idleMs: 1_000, gatherMs: 5 });
    await settle();
    expect(s.calls.fill, 'building starts nothing').toBe(0);
    job.start();
    await settle();
    expect(s.calls.fill).toBe(2);
    expect(t.waiting()).toBe(1);
    s.queue(1);
    job.nudge();
    await settle();
    expect(s.calls.fill).toBe(4);
    s.slotFree();
    s.slotFree();
    await settle();
    expect(s.calls.fill, 'freed slots are gathered for gatherMs').toBe(4);
    t.advance(5);
    await settle();
    expect(s.calls.fill, 'one claim for the slots freed together').toBe(5);
    t.advance(1_000);
    await settle();
    expect(s.calls.fill).toBe(6);
    await job.stop();
    expect(s.calls).toMatchObject({ settledOutbox: 1, settledProcessing: 1 });
  });

  it('recovers and prunes on the injected clock, not on wall time', async () => {
    const clock = createManualClock();
    const t = manualTimers();
    const s = standIns();
    const job = createWebhookOutboxJob({
      ...s,
      clock,
      timers: t.timers,
      log: { error: () => undefined },
      recoverEveryMs: 30_000,
      pruneEveryMs: 3_600_000,
    });
    job.start();
    await settle();
    expect(s.calls).toMatchObject({ recover: 1, prune: 1 });
    t.advance(1_000);
    await settle();
    expect(s.calls).toMatchObject({ recover: 1, prune: 1 });
    clock.advance(30_000);
    t.advance(1_000);
    await settle();
    expect(s.calls).toMatchObject({ recover: 2, prune: 1 });
    clock.advance(3_600_000);
    t.advance(1_000);
    await settle();
    expect(s.calls).toMatchObject({ recover: 3, prune: 2 });
    await job.stop();
  });
});
