// The figures behind docs/capacity.md (issue 15 §5) that no other benchmark gives:
//  1. what one instance asks of the store per second, by statement, when idle (outbox polling,
//     counter flushes, the expiry sweep) and while it relays sends at a steady rate, with a quota
//     (leases) and without; and what one webhook delivery costs the store;
//  2. the memory of a gateway process per 1,000 sessions (created, then each used once), read from
//     outside (RSS from /proc, the V8 heap from /metrics), and the store's size per 1,000 sessions.
// `npm run bench:capacity`; BENCH_STORE=pglite for the embedded store. Loopback only, bounded in time.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { Pool } from 'undici';
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { createDeps } from '../src/deps.js';
import '../src/http/types.js';
import type { Db, Queryable } from '../src/store/index.js';
import { createProviderSimulator } from '../sim/provider-simulator.js';
import { openBenchStore } from './store.js';

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
const pgAdmin = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

// ---- 1. statements per second ------------------------------------------------------------------

/** Every statement the gateway runs, counted by what it does and to which table. */
function countingDb(db: Db) {
  const counts = new Map<string, number>();
  const label = (sql: string) => {
    const s = sql.replace(/\s+/g, ' ').trim();
    const write = /^(?:WITH .*?\) )?(INSERT INTO|UPDATE|DELETE FROM) (\w+)/i.exec(s);
    if (write) return `${write[1]!.toUpperCase()} ${write[2]}`;
    const read = /^(?:WITH .*?\) )?SELECT .*? FROM (\w+)/i.exec(s);
    if (read) return `SELECT ${read[1]}`;
    return s.split(' ').slice(0, 3).join(' ');
  };
  const count = (sql: string) => counts.set(label(sql), (counts.get(label(sql)) ?? 0) + 1);
  const wrap = (q: Queryable): Queryable => ({
    query: (text, params) => {
      count(text);
      return q.query(text, params);
    },
    exec: (script) => {
      count(script);
      return q.exec(script);
    },
  });
  const counted: Db = {
    ...db,
    ...wrap(db),
    kind: db.kind,
    tx: (fn, options) => {
      count('BEGIN');
      return db.tx((q) => fn(wrap(q)), options);
    },
    stats: () => db.stats(),
    close: () => db.close(),
  };
  return {
    db: counted,
    take(): Map<string, number> {
      const taken = new Map(counts);
      counts.clear();
      return taken;
    },
  };
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
  const counter = countingDb(raw);
  const sim = createProviderSimulator({ adminToken: ADMIN, connectStallMs: 0 });
  await sim.listen(0);
  let received = 0;
  const receiver = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      received += 1;
      res.end('ok');
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  const hook = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
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
        const key = await createUser(app, `send-${maxMessages}-${u}`, maxMessages);
        for (let s = 0; s < SESSIONS_PER_USER; s += 1) {
          const { sessionId, token } = await createSession(app, key, null);
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
    const key = await createUser(app, 'hooks', 0);
    const { sessionId } = await createSession(app, key, hook);
    const rowId = (await raw.query<{ id: number }>('SELECT id FROM wa_sessions WHERE session_id = $1', [sessionId])).rows[0]!.id;
    const body = Buffer.from(JSON.stringify({ type: 'Message', event: { Info: { ID: 'x' } } }));
    counter.take();
    const started = performance.now();
    await raw.query(
      `INSERT INTO gateway_webhook_deliveries (event_id, session_row_id, user_id, session_id, event_type, url, body, status, attempts, next_attempt_at, created_at, updated_at)
       SELECT 'evt_' || g, $1, 'hooks', $2, 'Message', $3, $4, 'pending', 0, now(), now(), now() FROM generate_series(1, $5) g`,
      [rowId, sessionId, hook, body, DELIVERIES],
    );
    while (received < DELIVERIES) await sleep(20);
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
    receiver.close();
    await drop();
  }
}

type Injectable = Awaited<ReturnType<typeof buildApp>>;

async function createUser(app: Injectable, userId: string, maxMessages: number): Promise<string> {
  const res = await app.inject({
    method: 'POST',
    url: '/internal/users',
    headers: { 'x-internal-api-key': KEY },
    payload: { user_id: userId, source: 'bench', expires_at: '2099-01-01T00:00:00Z', max_messages: maxMessages, max_sessions: 100 },
  });
  if (res.statusCode !== 200) throw new Error(`user: ${res.statusCode} ${res.body}`);
  return res.json().api_key as string;
}

async function createSession(app: Injectable, apiKey: string, webhookUrl: string | null) {
  const res = await app.inject({
    method: 'POST',
    url: '/v1/sessions',
    headers: { 'x-api-key': apiKey },
    payload: { session_name: 'bench', auto_connect: false, ...(webhookUrl ? { webhook_url: webhookUrl } : {}) },
  });
  if (res.statusCode !== 200 && res.statusCode !== 201) throw new Error(`session: ${res.statusCode} ${res.body}`);
  const session = res.json().session as { session_id: string; session_token: string };
  return { sessionId: session.session_id, token: session.session_token };
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

async function waitFor(url: string) {
  for (let i = 0; i < 600; i += 1) {
    if (
      await fetch(url).then(
        (r) => r.ok,
        () => false,
      )
    )
      return;
    await sleep(100);
  }
  throw new Error(`${url} never answered`);
}

const rssMiB = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;

async function heapMiB(base: string): Promise<number> {
  const text = await (await fetch(`${base}/metrics`)).text();
  return Number(/^nodejs_heap_size_used_bytes (\S+)/m.exec(text)?.[1] ?? 0) / 2 ** 20;
}

async function post(url: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  const json = (await res.json().catch(() => null)) as Record<string, any> | null;
  if (res.status >= 300) throw new Error(`${url}: ${res.status} ${JSON.stringify(json)}`);
  return json!;
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
  const dbName = `gw_bench_${randomBytes(4).toString('hex')}`;
  const dbUrl = new URL(pgAdmin);
  dbUrl.pathname = `/${dbName}`;
  const admin = async (sql: string) => {
    const c = new pg.Client({ connectionString: pgAdmin });
    await c.connect();
    await c.query(sql).finally(() => c.end());
  };
  if (kind === 'postgres') await admin(`CREATE DATABASE ${dbName}`);
  const simProcess = spawnTsx(['--import', 'tsx', 'sim/main.ts'], {
    SIM_PORT: String(simPort),
    WA_ADMIN_TOKEN: ADMIN,
    SIM_CONNECT_STALL_MS: '0',
  });
  const gateway = spawnTsx(['dist/src/main.js'], {
    PORT: String(gwPort),
    HOST: '127.0.0.1',
    DATA_DIR: dataDir,
    LOG_LEVEL: 'warn',
    WA_SERVER_URL: sim,
    WA_ADMIN_TOKEN: ADMIN,
    INTERNAL_API_KEYS: KEY,
    PUBLIC_RATE_LIMIT_MAX_REQUEST: '100000000',
    PUBLIC_SPAM_MAX_PER_10S: '100000000',
    ...(kind === 'postgres' ? { DATABASE_URL: dbUrl.toString() } : {}),
  });
  const client = new Pool(gw, { connections: 16 });
  try {
    await waitFor(`${sim}/health`);
    await waitFor(`${gw}/health`);
    await sleep(2_000);
    const points: string[] = [];
    const measure = async (n: number, what: string) => {
      await sleep(2_000); // counters flushed, the token cache's second over
      const size = await storeSizeMiB(kind === 'postgres' ? dbUrl.toString() : null);
      points.push(
        `${String(n).padStart(6)} sessions ${what.padEnd(26)} RSS ${rssMiB(gateway.pid!).toFixed(0).padStart(4)} MiB  heap used ${(await heapMiB(gw)).toFixed(0).padStart(4)} MiB` +
          (size === null ? '' : `  store tables ${size.toFixed(1)} MiB`),
      );
    };
    await measure(0, 'after start');
    const step = Math.max(1_000, Math.floor(SESSIONS / 5 / 1_000) * 1_000);
    let tokens: string[] = [];
    for (let made = 0; made < SESSIONS; ) {
      const key = (await post(
        `${gw}/internal/users`,
        { user_id: `mem-${made}`, source: 'bench', expires_at: '2099-01-01T00:00:00Z', max_sessions: 100 },
        { 'x-internal-api-key': KEY },
      ))!.api_key as string;
      const batch = await Promise.all(
        Array.from({ length: SESSIONS_PER_USER }, () =>
          post(`${gw}/v1/sessions`, { session_name: 'm', auto_connect: false }, { 'x-api-key': key }),
        ),
      );
      for (const created of batch) {
        await post(`${sim}/_sim/pair`, { sessionId: created.session.session_id });
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
    if (kind === 'postgres') await admin(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
  }
}

function sleep(ms: number) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

const only = process.env.BENCH_PART;
if (!only || only === 'store') await storeCosts();
if (!only || only === 'memory') await memoryPerSessions();
