// The figures behind docs/capacity.md (issue 15 §5) that no other benchmark gives:
//  1. what one instance asks of the store per second, by statement, when idle (outbox polling,
//     counter flushes, the expiry sweep) and while it relays sends at a steady rate, with a quota
//     (leases) and without; and what one webhook delivery costs the store;
//  2. the memory of a gateway process per 1,000 sessions (created, then each used once), read from
//     outside (RSS from /proc, the V8 heap from /metrics), and the store's size per 1,000 sessions.
// `npm run bench:capacity`; BENCH_STORE=pglite for the embedded store. Loopback only, bounded in time.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { Pool } from 'undici';
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { createDeps } from '../src/deps.js';
import '../src/http/types.js';
import { createProviderSimulator } from '../sim/provider-simulator.js';
import { benchGatewayEnv, countingReceiver, heapUsedMiB, postJson, procMiB, sleep, throwawayDatabase, waitUntilUp } from './harness.js';
import { benchSession, benchUser, queueDeliveries } from './seed.js';
import { countingStore, openBenchStore } from './store.js';

const kind = process.env.BENCH_STORE === 'pglite' ? 'pglite' : 'postgres';
const IDLE_SECONDS = Number(process.env.BENCH_IDLE_SECONDS ?? 65);
const SEND_SECONDS = Number(process.env.BENCH_SEND_SECONDS ?? 10);
const SEND_RATE = Number(process.env.BENCH_SEND_RATE ?? 200);
const SENDERS = Number(process.env.BENCH_SENDERS ?? 50);
const SESSIONS = Number(process.env.BENCH_SESSIONS ?? 5_000);
const SESSIONS_PER_USER = 5;
const DELIVERIES = Number(process.env.BENCH_DELIVERIES ?? 2_000);
const KEY = 'bench-internal-key';
const ADMIN = 'bench-admin';

// ---- 1. statements per second ------------------------------------------------------------------

/** What a statement does and to which table: `INSERT INTO t`, `UPDATE t`, `SELECT t`, else its first words. */
function statementLabel(sql: string): string {
  const s = sql.replace(/\s+/g, ' ').trim();
  const write = /^(?:WITH .*?\) )?(INSERT INTO|UPDATE|DELETE FROM) (\w+)/i.exec(s);
  if (write) return `${write[1]!.toUpperCase()} ${write[2]}`;
  const read = /^(?:WITH .*?\) )?SELECT .*? FROM (\w+)/i.exec(s);
  if (read) return `SELECT ${read[1]}`;
  return s.split(' ').slice(0, 3).join(' ');
}

function printRates(title: string, counts: Map<string, number>, seconds: number, per?: { n: number; what: string }) {
  const total = [...counts.values()].reduce((a, b) => a + b, 0);
  const tx = counts.get('BEGIN') ?? 0;
  console.log(
    `${title}: ${(total / seconds).toFixed(1)} statements/s (${(tx / seconds).toFixed(1)} transactions/s)` +
      (per ? `, ${(total / per.n).toFixed(2)} statements per ${per.what}` : ''),
  );
  for (const [name, n] of [...counts].sort((a, b) => b[1] - a[1]).slice(0, 12))
    console.log(
      `  ${name.padEnd(48)} ${(n / seconds).toFixed(2).padStart(8)}/s${per ? `  ${(n / per.n).toFixed(3)} per ${per.what}` : ''}`,
    );
}

async function storeCosts() {
  const { db: raw, drop } = await openBenchStore(kind);
  const counter = countingStore(raw, statementLabel);
  const sim = createProviderSimulator({ adminToken: ADMIN, connectStallMs: 0 });
  await sim.listen(0);
  const receiver = await countingReceiver();
  const hook = receiver.url;
  const config = loadConfig({
    INTERNAL_API_KEYS: KEY,
    WA_SERVER_URL: sim.url,
    WA_ADMIN_TOKEN: ADMIN,
    LOG_LEVEL: 'silent',
    GATEWAY_PUBLIC_URL: 'http://127.0.0.1:9',
    WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true',
    PUBLIC_RATE_LIMIT_MAX_REQUEST: '100000000',
    PUBLIC_SPAM_MAX_PER_10S: '100000000',
  });
  const deps = await createDeps(config, { db: counter.db, encryptionKey: randomBytes(32) });
  deps.start();
  const app = await buildApp(config, deps, { logger: false });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  const client = new Pool(base, { connections: SENDERS });
  try {
    // Idle: nothing but the instance's own jobs.
    counter.take();
    await sleep(IDLE_SECONDS * 1000);
    printRates(`store=${kind}, idle instance, ${IDLE_SECONDS} s`, counter.take(), IDLE_SECONDS);

    // Sends at a steady rate from SENDERS sessions of SENDERS/5 users, once unlimited, once with a quota.
    for (const maxMessages of [0, 100_000_000]) {
      const tokens: string[] = [];
      for (let u = 0; u < SENDERS / SESSIONS_PER_USER; u += 1) {
        const key = await benchUser(app, KEY, `send-${maxMessages}-${u}`, { max_messages: maxMessages, max_sessions: 100 });
        for (let s = 0; s < SESSIONS_PER_USER; s += 1) {
          const { sessionId, token } = await benchSession(app, key, { auto_connect: false });
          await fetch(`${sim.url}/_sim/pair`, { method: 'POST', body: JSON.stringify({ sessionId }) });
          tokens.push(token);
        }
      }
      counter.take();
      const sent = await sendAtRate(client, tokens, SEND_RATE, SEND_SECONDS);
      await sleep(1_500); // the last counter flush
      printRates(
        `store=${kind}, ${SEND_RATE} sends/s for ${SEND_SECONDS} s over ${tokens.length} sessions of ${tokens.length / SESSIONS_PER_USER} users, ${maxMessages ? `quota ${maxMessages}` : 'unlimited plans'} (${sent} answered 200)`,
        counter.take(),
        SEND_SECONDS,
        { n: sent, what: 'send' },
      );
      sim.clearRequests();
    }

    // Webhook deliveries: DELIVERIES queued for one session, worked off by the outbox.
    const key = await benchUser(app, KEY, 'hooks', { max_messages: 0, max_sessions: 100 });
    const { sessionId } = await benchSession(app, key, { auto_connect: false, webhook_url: hook });
    const rowId = (await raw.query<{ id: number }>('SELECT id FROM wa_sessions WHERE session_id = $1', [sessionId])).rows[0]!.id;
    const body = Buffer.from(JSON.stringify({ type: 'Message', event: { Info: { ID: 'x' } } }));
    counter.take();
    const started = performance.now();
    await queueDeliveries(raw, { rowId, userId: 'hooks', sessionId, url: hook, body, n: DELIVERIES });
    while (receiver.received() < DELIVERIES) await sleep(20);
    const seconds = (performance.now() - started) / 1000;
    printRates(
      `store=${kind}, ${DELIVERIES} webhook deliveries in ${seconds.toFixed(1)} s (${(DELIVERIES / seconds).toFixed(0)}/s)`,
      counter.take(),
      seconds,
      { n: DELIVERIES, what: 'delivery' },
    );
  } finally {
    await client.close();
    await app.close();
    await deps.close();
    await sim.close();
    await receiver.close();
    await drop();
  }
}

/** `rate` sends a second, round-robin over the tokens, for `seconds`; the number answered 200. */
async function sendAtRate(client: Pool, tokens: string[], rate: number, seconds: number): Promise<number> {
  let ok = 0;
  let i = 0;
  const inFlight = new Set<Promise<void>>();
  const started = performance.now();
  const body = JSON.stringify({ Phone: '6281234567890', Body: 'capacity' });
  while (performance.now() - started < seconds * 1000) {
    const due = Math.floor(((performance.now() - started) / 1000) * rate);
    for (; i < due; i += 1) {
      const task = client
        .request({
          method: 'POST',
          path: '/v1/wa/chat/send/text',
          headers: { token: tokens[i % tokens.length]!, 'content-type': 'application/json' },
          body,
        })
        .then(async (res) => {
          await res.body.dump();
          if (res.statusCode === 200) ok += 1;
        })
        .finally(() => inFlight.delete(task));
      inFlight.add(task);
    }
    await sleep(5);
  }
  await Promise.all(inFlight);
  return ok;
}

// ---- 2. memory per 1,000 sessions --------------------------------------------------------------

function spawnTsx(args: string[], env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'inherit'] });
}

async function storeSizeMiB(dbUrl: string | null): Promise<number | null> {
  if (!dbUrl) return null;
  const c = new pg.Client({ connectionString: dbUrl });
  await c.connect();
  try {
    const { rows } = await c.query<{ bytes: string }>(
      `SELECT sum(pg_total_relation_size(c.oid))::bigint AS bytes FROM pg_class c
       WHERE c.relkind = 'r' AND c.relname IN ('wa_sessions', 'wa_service_users', 'wa_user_subscriptions', 'wa_session_message_stats')`,
    );
    return Number(rows[0]!.bytes) / 2 ** 20;
  } finally {
    await c.end();
  }
}

async function memoryPerSessions() {
  const simPort = 18_390;
  const gwPort = 18_391;
  const sim = `http://127.0.0.1:${simPort}`;
  const gw = `http://127.0.0.1:${gwPort}`;
  const dataDir = mkdtempSync(join(tmpdir(), 'gw-capacity-'));
  const database = kind === 'postgres' ? await throwawayDatabase() : null;
  const simProcess = spawnTsx(['--import', 'tsx', 'sim/main.ts'], {
    SIM_PORT: String(simPort),
    WA_ADMIN_TOKEN: ADMIN,
    SIM_CONNECT_STALL_MS: '0',
  });
  const gateway = spawnTsx(['dist/src/main.js'], {
    ...benchGatewayEnv({ port: gwPort, dataDir, providerUrl: sim, adminToken: ADMIN, internalKey: KEY }),
    ...(database ? { DATABASE_URL: database.url } : {}),
  });
  const client = new Pool(gw, { connections: 16 });
  try {
    await waitUntilUp(`${sim}/health`);
    await waitUntilUp(`${gw}/health`);
    await sleep(2_000);
    const points: string[] = [];
    const measure = async (n: number, what: string) => {
      await sleep(2_000); // counters flushed, the token cache's second over
      const size = await storeSizeMiB(database?.url ?? null);
      points.push(
        `${String(n).padStart(6)} sessions ${what.padEnd(26)} RSS ${procMiB(gateway.pid!, 'VmRSS').toFixed(0).padStart(4)} MiB  heap used ${(await heapUsedMiB(gw)).toFixed(0).padStart(4)} MiB` +
          (size === null ? '' : `  store tables ${size.toFixed(1)} MiB`),
      );
    };
    await measure(0, 'after start');
    const step = Math.max(1_000, Math.floor(SESSIONS / 5 / 1_000) * 1_000);
    let tokens: string[] = [];
    for (let made = 0; made < SESSIONS; ) {
      const key = (await postJson(
        `${gw}/internal/users`,
        { user_id: `mem-${made}`, source: 'bench', expires_at: '2099-01-01T00:00:00Z', max_sessions: 100 },
        { 'x-internal-api-key': KEY },
      ))!.api_key as string;
      const batch = await Promise.all(
        Array.from({ length: SESSIONS_PER_USER }, () =>
          postJson(`${gw}/v1/sessions`, { session_name: 'm', auto_connect: false }, { 'x-api-key': key }),
        ),
      );
      for (const created of batch) {
        await postJson(`${sim}/_sim/pair`, { sessionId: created.session.session_id });
        tokens.push(created.session.session_token as string);
      }
      made += SESSIONS_PER_USER;
      if (made % step === 0 || made >= SESSIONS) {
        await measure(made, 'created');
        // One send on each session made since the last point: its token, user and limits become warm.
        await sendAtRate(client, tokens, 500, tokens.length / 500);
        tokens = [];
        await fetch(`${sim}/_sim/requests`, { method: 'DELETE' });
        await measure(made, 'and each used once');
      }
    }
    console.log(`store=${kind}: memory of one gateway process by sessions (${SESSIONS_PER_USER} per user), read from outside`);
    for (const p of points) console.log(`  ${p}`);
  } finally {
    await client.close();
    gateway.kill('SIGTERM');
    simProcess.kill('SIGTERM');
    await sleep(1_500);
    rmSync(dataDir, { recursive: true, force: true });
    await database?.drop();
  }
}

const only = process.env.BENCH_PART;
if (!only || only === 'store') await storeCosts();
if (!only || only === 'memory') await memoryPerSessions();
