// What reconciliation costs at 10,000 sessions (issue 16 §2): genfity-wa calls per second and store
// statements per tick, measured on the real job against the simulator. Three passes run flat out
// (the first after start-up, when every session's health is learned; a steady one; one where 1 % of
// the sessions lost their connection) to count statements; then the default pace (SESSION_CHECK_RATE
// 20, SESSION_CHECK_INTERVAL 5m) runs for BENCH_WINDOW_S seconds to measure the calls per second.
import { loadConfig } from '../src/config.js';
import { createDeps } from '../src/deps.js';
import { createManualClock, systemClock } from '../src/lib/clock.js';
import type { Db } from '../src/store/index.js';
import { createProviderSimulator } from '../sim/provider-simulator.js';
import { countingStore, openBenchStore } from './store.js';

const N = Number(process.env.BENCH_SESSIONS ?? 10_000);
const WINDOW_S = Number(process.env.BENCH_WINDOW_S ?? 30);
const kind = process.env.BENCH_STORE === 'pglite' ? 'pglite' : 'postgres';

/** The store, counting every statement of the checks by its first word (transactions included). */
function counting(db: Db) {
  const counted = countingStore(db, (text) =>
    // The webhook outbox's own polling runs beside the checks: not theirs to count.
    /gateway_webhook_/.test(text) ? null : (/^\s*(?:WITH\b[\s\S]*?\)\s*)?(\w+)/.exec(text)?.[1]?.toUpperCase() ?? '?'),
  );
  return {
    db: counted.db,
    take() {
      const all = Object.fromEntries(counted.take());
      const writes = (all.UPDATE ?? 0) + (all.INSERT ?? 0) + (all.DELETE ?? 0);
      return { all, writes, transactions: all.BEGIN ?? 0 };
    },
  };
}

async function seed(db: Db, ids: string[]) {
  await db.query(
    `INSERT INTO wa_service_users (id, source_service, status, customer_api_key, created_at, updated_at) VALUES ('bench', 'bench', 'active', 'bench-key-hash', now(), now())`,
  );
  await db.query(
    `INSERT INTO wa_sessions (user_id, provider, session_id, session_name, session_token, webhook_url, events, status, connected, logged_in,
       j_id, created_at, updated_at)
     SELECT 'bench', 'genfity-wa', id, 'b', 'tok-' || id, '', 'Message', 'created', false, false, '', now(), now()
     FROM unnest($1::text[]) AS id`,
    [ids],
  );
}

async function main() {
  const store = await openBenchStore(kind);
  const sim = createProviderSimulator({ adminToken: 'bench-admin', connectStallMs: 0 });
  await sim.listen(0);
  const ids = Array.from({ length: N }, (_, i) => i.toString(16).padStart(32, '0'));
  for (const id of ids) {
    sim.addUser({ id, token: `tok-${id}` });
    sim.pair(id);
  }
  await seed(store.db, ids);
  const env = { WA_SERVER_URL: sim.url, WA_ADMIN_TOKEN: 'bench-admin', LOG_LEVEL: 'silent', INTERNAL_API_KEYS: 'k' };
  const counted = counting(store.db);
  const clock = createManualClock(new Date());
  const fast = await createDeps(loadConfig({ ...env, SESSION_CHECK_RATE: '1000', SESSION_CHECK_CONCURRENCY: '8' }), {
    db: counted.db,
    clock,
    encryptionKey: null,
    sleep: async () => undefined,
  });
  try {
    console.log(`store=${kind}, ${N} sessions, each pass flat out (rate 1000/s, 8 in flight):`);
    for (const [name, before] of [
      ['first pass after start-up (every health learned)', () => undefined],
      ['steady pass (nothing changed)', () => undefined],
      [
        '1 % of the sessions lost their connection',
        () => {
          for (const id of ids.slice(0, N / 100)) sim.drop(id);
        },
      ],
    ] as const) {
      before();
      clock.advance(5 * 60_000);
      sim.clearRequests();
      counted.take();
      const started = performance.now();
      const pass = await fast.sessionChecks.runPass();
      const seconds = (performance.now() - started) / 1000;
      const s = counted.take();
      console.log(
        `  ${name}: ${JSON.stringify(pass.kind === 'finished' ? pass.counts : pass)} in ${seconds.toFixed(1)} s; ` +
          `${sim.requests.length} status calls; store: ${s.writes} writes, ${s.transactions} transactions, statements ${JSON.stringify(s.all)}`,
      );
    }
  } finally {
    await fast.close();
  }

  // The default pace, on the wall clock: what genfity-wa sees.
  const paced = await createDeps(loadConfig(env), { db: counted.db, clock: systemClock, encryptionKey: null });
  try {
    await store.db.query('UPDATE wa_sessions SET last_checked_at = NULL');
    await store.db.query('DELETE FROM gateway_job_ticks');
    sim.clearRequests();
    counted.take();
    paced.sessionChecks.start();
    await new Promise((r) => setTimeout(r, WINDOW_S * 1000));
    const calls = sim.requests.length;
    const s = counted.take();
    const perSecond = calls / WINDOW_S;
    console.log(
      `default pace (SESSION_CHECK_RATE 20, SESSION_CHECK_INTERVAL 5m) for ${WINDOW_S} s: ${perSecond.toFixed(1)} status calls/s; ` +
        `a pass over ${N} sessions takes ≈ ${(N / perSecond / 60).toFixed(1)} min (the interval is the target, the rate the bound); ` +
        `store: ${(s.writes / WINDOW_S).toFixed(2)} writes/s, ${(s.transactions / WINDOW_S).toFixed(2)} transactions/s`,
    );
  } finally {
    await paced.close();
    await sim.close();
    await store.drop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
