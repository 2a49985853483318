// Measures the usage history (issue 17) on PostgreSQL (BENCH_STORE=pglite for the embedded store):
// 1. the write cost of one counter flush with 10,000 active sessions: one multi-row upsert, rows and time,
//    first as inserts (a new day) then as updates (the same day again), and the in-memory count per send;
// 2. the read of a 400-day range for a user with 50 sessions (the store's query, and the API's 366 days),
//    beside other users' history, and one page of per-user totals for a billing run.
import { createManualClock } from '../src/lib/clock.js';
import { dateToDay } from '../src/lib/calendar-day.js';
import { createUsageService } from '../src/services/usage.js';
import { createUsageCounters } from '../src/services/usage-counters.js';
import { MAINTENANCE_STATEMENT_TIMEOUT_MS, type Queryable } from '../src/store/db.js';
import { listDailyUsage } from '../src/store/usage.js';
import { openBenchStore } from './store.js';

const kind = process.env.BENCH_STORE === 'pglite' ? 'pglite' : 'postgres';
const SESSIONS = Number(process.env.BENCH_SESSIONS ?? 10_000);
const NOISE_USERS = Number(process.env.BENCH_NOISE_USERS ?? (kind === 'pglite' ? 50 : 500));
const ROUNDS = 5;
const ms = (started: bigint) => Number(process.hrtime.bigint() - started) / 1e6;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function flushes(db: Awaited<ReturnType<typeof openBenchStore>>['db']) {
  const clock = createManualClock('2026-06-01T03:00:00Z');
  const counters = createUsageCounters({ db, clock });
  const sessions = Array.from({ length: SESSIONS }, (_, i) => ({ rowId: i + 1, userId: `u${i % 2_000}`, sessionId: `s${i}` }));
  for (const types of [['text'], ['text', 'image']]) {
    const inserts: number[] = [];
    const updates: number[] = [];
    for (let round = 0; round < ROUNDS; round += 1) {
      // A new day each round: the first flush of it inserts its rows, the second adds to them.
      clock.advance(86_400_000);
      for (const times of [inserts, updates]) {
        for (const s of sessions) for (const t of types) counters.countSend(s, t, 'sent');
        const started = process.hrtime.bigint();
        await counters.flush();
        times.push(ms(started));
      }
    }
    const rows = SESSIONS * types.length;
    console.log(
      `flush of ${SESSIONS} sessions × ${types.length} type(s) = ${rows} rows in one upsert: ` +
        `new rows median ${median(inserts).toFixed(0)} ms (max ${Math.max(...inserts).toFixed(0)}), ` +
        `adding to existing rows median ${median(updates).toFixed(0)} ms (max ${Math.max(...updates).toFixed(0)})`,
    );
  }
  const n = 2_000_000;
  const at = clock.now();
  const started = process.hrtime.bigint();
  for (let i = 0; i < n; i += 1) counters.countSend(sessions[i % 1_000]!, 'text', 'sent', at);
  console.log(`in memory: ${((ms(started) * 1e6) / n).toFixed(0)} ns per counted send (1,000 sessions warm, the instant passed in)`);
  await counters.flush();
}

async function seedHistory(store: Awaited<ReturnType<typeof openBenchStore>>['db']) {
  const to = dateToDay('2026-06-01')!;
  const started = process.hrtime.bigint();
  // Seeding is bulk work: the maintenance deadline, not the request one.
  await store.tx((db) => seedRows(db, to), { statementTimeoutMs: MAINTENANCE_STATEMENT_TIMEOUT_MS });
  const { rows } = await store.query<{ n: number }>('SELECT count(*) AS n FROM gateway_usage_daily');
  console.log(`history: ${rows[0]!.n} rows seeded in ${(ms(started) / 1000).toFixed(1)} s (${NOISE_USERS} other users)`);
}

async function seedRows(db: Queryable, to: number) {
  // The user under test: 50 sessions × 400 days × 3 types. Others: NOISE_USERS users × 10 sessions × 400 days × 2 types.
  await db.query(
    `INSERT INTO gateway_usage_daily (user_id, day, session_id, message_type, sent, failed, received, updated_at)
     SELECT 'big', DATE '1970-01-01' + $1::int - d, 'big-s' || s, t, 1 + (d * s) % 40, (d + s) % 3, (d * 7 + s) % 30, now()
     FROM generate_series(0, 399) d, generate_series(1, 50) s, unnest(ARRAY['text', 'image', 'document']) t`,
    [to],
  );
  for (let u = 0; u < NOISE_USERS; u += 50) {
    await db.query(
      `INSERT INTO gateway_usage_daily (user_id, day, session_id, message_type, sent, failed, received, updated_at)
       SELECT 'noise' || lpad(u::text, 5, '0'), DATE '1970-01-01' + $1::int - d, 'n' || u || '-' || s, t, 5, 0, 3, now()
       FROM generate_series($2::int, $3::int) u, generate_series(0, 399) d, generate_series(1, 10) s, unnest(ARRAY['text', 'image']) t`,
      [to, u, Math.min(NOISE_USERS, u + 50) - 1],
    );
  }
  await db.query(
    `INSERT INTO wa_service_users (id, source_service, customer_api_key, status)
     SELECT 'noise' || lpad(u::text, 5, '0'), 'bench', 'k' || u, 'active' FROM generate_series(0, $1::int - 1) u
     UNION ALL SELECT 'big', 'bench', 'k-big', 'active'`,
    [NOISE_USERS],
  );
  await db.query('ANALYZE gateway_usage_daily');
}

async function reads(db: Awaited<ReturnType<typeof openBenchStore>>['db']) {
  const to = dateToDay('2026-06-01')!;
  const clock = createManualClock('2026-06-01T03:00:00Z');
  const usage = createUsageService({ db, clock, retentionDays: 400 });
  const time = async (label: string, run: () => Promise<unknown>) => {
    const times: number[] = [];
    for (let i = 0; i < 7; i += 1) {
      const started = process.hrtime.bigint();
      await run();
      times.push(ms(started));
    }
    console.log(`${label}: median ${median(times).toFixed(1)} ms, max ${Math.max(...times).toFixed(1)} ms`);
  };
  await time('400-day range, user with 50 sessions (store query: 60,000 rows summed to 1,200)', () =>
    listDailyUsage(db, 'big', { fromDay: to - 399, toDay: to, sessionId: null }),
  );
  await time('366-day range through the service (GET /v1/usage body, every day filled)', () =>
    usage.userReport('big', { from: '2025-06-01', to: '2026-06-01' }),
  );
  await time('one session of it, 366 days', () => usage.userReport('big', { from: '2025-06-01', to: '2026-06-01', session_id: 'big-s7' }));
  await time(`one page of 100 per-user totals over 366 days (of ${NOISE_USERS + 1} users)`, () =>
    usage.totalsPage({ mode: 'global', source: null }, { from: '2025-06-01', to: '2026-06-01', page: 1, limit: 100 }),
  );
}

async function main() {
  const { db, drop } = await openBenchStore(kind);
  console.log(`store=${kind}`);
  try {
    await flushes(db);
    await db.query('TRUNCATE gateway_usage_daily');
    await seedHistory(db);
    await reads(db);
  } finally {
    await drop();
  }
}

await main();
