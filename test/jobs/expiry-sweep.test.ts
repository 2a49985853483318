import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createExpirySweepJob } from '../../src/jobs/expiry-sweep.js';
import { createManualClock } from '../../src/lib/clock.js';
import { createExpiryService } from '../../src/services/expiry.js';
import type { Db } from '../../src/store/index.js';
import { customer, createTestApp, internal, type TestApp } from '../helpers/app.js';
import { seedUser } from '../helpers/seed.js';
import { openTestStore } from '../helpers/store.js';

// SPEC §3: a job marks subscriptions past expires_at as expired every minute (Asia/Jakarta), safe with
// many instances. Time comes from the manual clock; the job's runOnce is the tick.
const silent = { error: () => undefined, info: () => undefined, debug: () => undefined };
const statusOf = async (db: Db, userId: string) =>
  (await db.query<{ status: string }>('SELECT status FROM wa_user_subscriptions WHERE user_id = $1', [userId])).rows[0]!.status;

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ now: '2026-06-01T10:00:30Z' });
});
afterAll(async () => {
  await t.close();
});

describe('expiry sweep', () => {
  it('is scheduled every minute on wall time; an app on a test clock only sweeps when told', async () => {
    const job = createExpirySweepJob({
      expiry: { sweep: async () => ({ ran: false, expired: 0, tick: '2026-06-01T10:00:00.000Z' }) },
      log: silent,
    });
    expect(job.nextRun(), 'building schedules nothing').toBeNull();
    job.start();
    try {
      const next = job.nextRun()!;
      expect(next.getUTCSeconds()).toBe(0);
      expect(next.getTime() - Date.now()).toBeLessThanOrEqual(60_000);
    } finally {
      await job.stop();
    }
    expect(job.nextRun()).toBeNull();
    expect(t.deps.jobs.expirySweep.nextRun()).toBeNull();
  });

  it('marks active subscriptions whose expires_at has passed, and only those', async () => {
    const lapsed = await seedUser(t.app, { expires_at: '2026-06-01T10:00:00Z' });
    const exact = await seedUser(t.app, { expires_at: '2026-06-01T10:00:30Z' });
    const live = await seedUser(t.app, { expires_at: '2026-06-01T10:05:00Z' });
    expect(await t.deps.jobs.expirySweep.runOnce()).toMatchObject({ ran: true, expired: 2 });
    expect(await statusOf(t.db, lapsed.userId)).toBe('expired');
    expect(await statusOf(t.db, exact.userId)).toBe('expired');
    expect(await statusOf(t.db, live.userId)).toBe('active');
    // Requests never waited for the sweep (expiry is checked at request time), and still say so.
    expect((await t.app.inject({ url: '/v1/me', headers: customer(lapsed.apiKey) })).json().code).toBe('SUBSCRIPTION_EXPIRED');
  });

  it('runs once per tick: a second run in the same minute does nothing, the next minute runs again', async () => {
    const user = await seedUser(t.app, { expires_at: '2026-06-01T10:01:10Z' });
    t.clock.set('2026-06-01T10:01:20Z');
    expect(await t.deps.jobs.expirySweep.runOnce()).toMatchObject({ ran: true, expired: 1 });
    t.clock.set('2026-06-01T10:01:50Z');
    expect(await t.deps.jobs.expirySweep.runOnce()).toMatchObject({ ran: false, expired: 0 });
    t.clock.set('2026-06-01T10:02:00Z');
    expect(await t.deps.jobs.expirySweep.runOnce()).toMatchObject({ ran: true, expired: 0 });
    expect(await statusOf(t.db, user.userId)).toBe('expired');
  });

  it('a renewal re-activates a swept subscription', async () => {
    const user = await seedUser(t.app, { expires_at: '2026-06-01T10:02:30Z' });
    t.clock.set('2026-06-01T10:03:00Z');
    expect((await t.deps.jobs.expirySweep.runOnce())?.expired).toBe(1);
    const renewed = await t.app.inject({
      method: 'PUT',
      url: `/internal/users/${user.userId}`,
      headers: internal(),
      payload: { expires_at: '2026-07-01T00:00:00Z' },
    });
    expect(renewed.statusCode).toBe(200);
    expect(await statusOf(t.db, user.userId)).toBe('active');
    expect((await t.app.inject({ url: '/v1/me', headers: customer(user.apiKey) })).statusCode).toBe(200);
  });

  it('a failing sweep is logged and reported as not run; the job keeps its schedule', async () => {
    const errors: unknown[] = [];
    const job = createExpirySweepJob({
      expiry: {
        sweep: async () => {
          throw new Error('store down');
        },
      },
      log: { ...silent, error: (o) => errors.push(o) },
    });
    job.start();
    try {
      expect(await job.runOnce()).toBeNull();
      expect(errors).toHaveLength(1);
      expect(job.nextRun(), 'still scheduled').not.toBeNull();
    } finally {
      await job.stop();
    }
  });
});

describe('expiry sweep with many instances', () => {
  it('two instances firing the same tick at once: exactly one does the work', async () => {
    const store = await openTestStore();
    // Two pools of the same PostgreSQL database (two instances); on PGlite, two sweeps on its one connection.
    const second = store.database.url ? await store.database.open() : store.db;
    const clock = createManualClock('2026-06-01T12:00:05Z');
    try {
      await store.db.query(`INSERT INTO wa_user_subscriptions (user_id, provider, max_sessions, max_messages, expires_at, status, messages_used)
        SELECT 'u' || g, 'genfity-wa', 1, 0, '2026-06-01T11:00:00Z', 'active', 0 FROM generate_series(1, 50) g`);
      const a = createExpirySweepJob({ expiry: createExpiryService({ db: store.db, clock }), log: silent });
      const b = createExpirySweepJob({ expiry: createExpiryService({ db: second, clock }), log: silent });
      for (let tick = 0; tick < 5; tick += 1) {
        const results = await Promise.all([a.runOnce(), b.runOnce()]);
        expect(
          results.filter((r) => r?.ran),
          `tick ${tick}`,
        ).toHaveLength(1);
        expect(results.reduce((n, r) => n + (r?.expired ?? 0), 0)).toBe(tick === 0 ? 50 : 0);
        clock.advance(60_000);
      }
      await a.stop();
      await b.stop();
    } finally {
      if (second !== store.db) await second.close();
      await store.close();
    }
  });
});
