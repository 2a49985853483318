// Throughput and latency of a text send straight to the provider simulator and through the gateway
// (SPEC §4 design note: "nearly as fast as calling the provider directly"). Loopback only, bounded
// in time. Run with `npm run bench:gateway`; BENCH_STORE=postgres uses a fresh PostgreSQL database.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import pg from 'pg';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const SIM_PORT = 18_180;
const GW_PORT = 18_170;
const ADMIN = 'bench-admin-token';
const KEY = 'bench-internal-key';
const kind = process.env.BENCH_STORE === 'postgres' ? 'postgres' : 'pglite';
const pgAdmin = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

function start(args: string[], env: Record<string, string>): ChildProcess {
  const child = spawn(process.execPath, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'inherit'] });
  child.on('exit', (code) => {
    if (code && code !== 0) console.error(`${args.join(' ')} exited with ${code}`);
  });
  return child;
}

async function waitFor(url: string) {
  for (let i = 0; i < 200; i += 1) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} never answered`);
}

async function json(url: string, init: RequestInit) {
  const res = await fetch(url, { ...init, headers: { 'content-type': 'application/json', ...init.headers } });
  if (!res.ok) throw new Error(`${init.method} ${url}: ${res.status} ${await res.text()}`);
  return res.json() as Promise<Record<string, any>>;
}

async function pgQuery(sql: string) {
  const c = new pg.Client({ connectionString: pgAdmin });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

function run(url: string, token: string): Promise<autocannon.Result> {
  return autocannon({
    url,
    method: 'POST',
    connections: CONNECTIONS,
    duration: SECONDS,
    headers: { token, 'content-type': 'application/json' },
    body: JSON.stringify({ Phone: '6281234567890', Body: 'benchmark message' }),
  });
}

const rss = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
const line = (name: string, r: autocannon.Result) =>
  `${name.padEnd(28)} ${r.requests.average.toFixed(0).padStart(8)} req/s  p50 ${String(r.latency.p50).padStart(4)} ms  p99 ${String(r.latency.p99).padStart(4)} ms  non-2xx ${r.non2xx}  errors ${r.errors}`;

async function main() {
  const dataDir = mkdtempSync(join(tmpdir(), 'gw-bench-'));
  const dbName = `gw_bench_${randomBytes(4).toString('hex')}`;
  if (kind === 'postgres') await pgQuery(`CREATE DATABASE ${dbName}`);
  const dbUrl = new URL(pgAdmin);
  dbUrl.pathname = `/${dbName}`;
  const sim = start(['--import', 'tsx', 'sim/main.ts'], { SIM_PORT: String(SIM_PORT), WA_ADMIN_TOKEN: ADMIN, SIM_CONNECT_STALL_MS: '0' });
  const gateway = start(['dist/src/main.js'], {
    PORT: String(GW_PORT),
    HOST: '127.0.0.1',
    DATA_DIR: dataDir,
    LOG_LEVEL: 'warn',
    WA_SERVER_URL: `http://127.0.0.1:${SIM_PORT}`,
    WA_ADMIN_TOKEN: ADMIN,
    INTERNAL_API_KEYS: KEY,
    PUBLIC_RATE_LIMIT_MAX_REQUEST: '100000000',
    PUBLIC_SPAM_MAX_PER_10S: '100000000',
    ...(kind === 'postgres' ? { DATABASE_URL: dbUrl.toString() } : {}),
  });
  try {
    await waitFor(`http://127.0.0.1:${SIM_PORT}/health`);
    await waitFor(`http://127.0.0.1:${GW_PORT}/health`);
    const gw = `http://127.0.0.1:${GW_PORT}`;
    const results: string[] = [];
    for (const [plan, maxMessages] of [
      ['unlimited plan', 0],
      ['quota plan (leases)', 100_000_000],
    ] as const) {
      const userId = `bench-${maxMessages}`;
      const user = await json(`${gw}/internal/users`, {
        method: 'POST',
        headers: { 'x-internal-api-key': KEY },
        body: JSON.stringify({ user_id: userId, source: 'bench', expires_at: '2099-01-01T00:00:00Z', max_messages: maxMessages }),
      });
      const created = await json(`${gw}/v1/sessions`, {
        method: 'POST',
        headers: { 'x-api-key': user.api_key },
        body: JSON.stringify({ session_name: 'bench', auto_connect: true }),
      });
      const { session_id: sessionId, session_token: token } = created.session;
      await json(`http://127.0.0.1:${SIM_PORT}/_sim/pair`, { method: 'POST', body: JSON.stringify({ sessionId }) });
      await run(`${gw}/v1/wa/chat/send/text`, token); // warm-up of the same length, not reported
      await fetch(`http://127.0.0.1:${SIM_PORT}/_sim/requests`, { method: 'DELETE' });
      const direct = await run(`http://127.0.0.1:${SIM_PORT}/chat/send/text`, token);
      await fetch(`http://127.0.0.1:${SIM_PORT}/_sim/requests`, { method: 'DELETE' });
      const via = await run(`${gw}/v1/wa/chat/send/text`, token);
      await fetch(`http://127.0.0.1:${SIM_PORT}/_sim/requests`, { method: 'DELETE' });
      results.push(
        line(`direct to provider`, direct),
        line(`via gateway, ${plan}`, via),
        `  ratio ${(via.requests.average / direct.requests.average).toFixed(2)} of direct; gateway RSS ${rss(gateway.pid!).toFixed(0)} MiB`,
      );
    }
    console.log(`store=${kind} connections=${CONNECTIONS} duration=${SECONDS}s per run, node ${process.version}`);
    for (const r of results) console.log(r);
  } finally {
    gateway.kill('SIGTERM');
    sim.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 1500));
    rmSync(dataDir, { recursive: true, force: true });
    if (kind === 'postgres') await pgQuery(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
  }
}

await main();
