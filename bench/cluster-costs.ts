// What the many-instances guarantees (issue 13) cost per request, on one gateway process: a text send
// without and with an Idempotency-Key (a fresh key each time: one INSERT and one UPDATE in the key
// store), and a session connect through the lifecycle lane (on PostgreSQL: the advisory lock's round
// trips), each beside the same call straight to the simulator. Loopback only, bounded in time.
// `npx tsx bench/cluster-costs.ts`; BENCH_STORE=pglite for the embedded store, BENCH_REDIS=1 adds REDIS_URL.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import autocannon from 'autocannon';
import pg from 'pg';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const CONNECTS = Number(process.env.BENCH_CONNECTS ?? 200);
const SIM_PORT = 18_280;
const GW_PORT = 18_270;
const ADMIN = 'bench-admin-token';
const KEY = 'bench-internal-key';
const kind = process.env.BENCH_STORE === 'pglite' ? 'pglite' : 'postgres';
const pgAdmin = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const sim = `http://127.0.0.1:${SIM_PORT}`;
const gw = `http://127.0.0.1:${GW_PORT}`;

const start = (args: string[], env: Record<string, string>): ChildProcess =>
  spawn(process.execPath, ['--import', 'tsx', ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'inherit'] });

async function waitFor(url: string) {
  for (let i = 0; i < 300; i += 1) {
    if (
      await fetch(url).then(
        (r) => r.ok,
        () => false,
      )
    )
      return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} never answered`);
}

async function post(url: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  return { status: res.status, json: (await res.json().catch(() => null)) as Record<string, any> | null };
}

async function pgAdminQuery(sql: string) {
  const c = new pg.Client({ connectionString: pgAdmin });
  await c.connect();
  await c.query(sql).finally(() => c.end());
}

function sends(base: string, token: string, keyed: boolean): Promise<autocannon.Result> {
  let n = 0;
  const run = randomBytes(4).toString('hex');
  const nextKey = () => {
    n += 1;
    return `${run}-${n}`;
  };
  return autocannon({
    url: `${base}/chat/send/text`,
    method: 'POST',
    connections: CONNECTIONS,
    duration: SECONDS,
    headers: { token, 'content-type': 'application/json' },
    body: JSON.stringify({ Phone: '6281234567890', Body: 'benchmark message' }),
    ...(keyed
      ? { requests: [{ setupRequest: (req: any) => ({ ...req, headers: { ...req.headers, 'idempotency-key': nextKey() } }) }] }
      : {}),
  });
}

/** `CONNECTS` disconnect + connect pairs one after another; the connect latencies, sorted (ms). */
async function connects(base: string, token: string): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < CONNECTS; i += 1) {
    await post(`${base}/session/disconnect`, {}, { token });
    const t0 = process.hrtime.bigint();
    const res = await post(`${base}/session/connect`, { Subscribe: ['Message'], Immediate: true }, { token });
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
    if (res.status !== 200) throw new Error(`connect answered ${res.status}`);
  }
  return times.sort((a, b) => a - b);
}

const at = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
const sendLine = (name: string, r: autocannon.Result) =>
  `${name.padEnd(34)} ${r.requests.average.toFixed(0).padStart(7)} req/s  p50 ${String(r.latency.p50).padStart(3)} ms  p99 ${String(r.latency.p99).padStart(3)} ms  non-2xx ${r.non2xx}`;
const connectLine = (name: string, t: number[]) =>
  `${name.padEnd(34)} mean ${(t.reduce((a, b) => a + b, 0) / t.length).toFixed(2)} ms  p50 ${at(t, 0.5).toFixed(2)} ms  p99 ${at(t, 0.99).toFixed(2)} ms`;

async function main() {
  const dbName = `gw_bench_${randomBytes(4).toString('hex')}`;
  const dbUrl = new URL(pgAdmin);
  dbUrl.pathname = `/${dbName}`;
  if (kind === 'postgres') await pgAdminQuery(`CREATE DATABASE ${dbName}`);
  const simProcess = start(['sim/main.ts'], { SIM_PORT: String(SIM_PORT), WA_ADMIN_TOKEN: ADMIN, SIM_CONNECT_STALL_MS: '0' });
  const gateway = start(['src/main.ts'], {
    PORT: String(GW_PORT),
    HOST: '127.0.0.1',
    DATA_DIR: `/tmp/gw-bench-${dbName}`,
    LOG_LEVEL: 'warn',
    WA_SERVER_URL: sim,
    WA_ADMIN_TOKEN: ADMIN,
    INTERNAL_API_KEYS: KEY,
    PUBLIC_RATE_LIMIT_MAX_REQUEST: '100000000',
    PUBLIC_SPAM_MAX_PER_10S: '100000000',
    ...(kind === 'postgres' ? { DATABASE_URL: dbUrl.toString() } : {}),
    ...(process.env.BENCH_REDIS ? { REDIS_URL: 'redis://127.0.0.1:6379', REDIS_KEY_PREFIX: `bench-${dbName}:` } : {}),
  });
  try {
    await waitFor(`${sim}/health`);
    await waitFor(`${gw}/health`);
    const user = await post(
      `${gw}/internal/users`,
      { user_id: 'bench', source: 'bench', expires_at: '2099-01-01T00:00:00Z' },
      { 'x-internal-api-key': KEY },
    );
    const created = await post(`${gw}/v1/sessions`, { session_name: 'bench', auto_connect: true }, { 'x-api-key': user.json!.api_key });
    const { session_id: sessionId, session_token: token } = created.json!.session;
    await post(`${sim}/_sim/pair`, { sessionId });
    await sends(`${gw}/v1/wa`, token, true); // warm-up, not reported
    const lines: string[] = [];
    for (let round = 1; round <= 2; round += 1) {
      lines.push(sendLine(`send direct to simulator (${round})`, await sends(sim, token, false)));
      lines.push(sendLine(`send via gateway, no key (${round})`, await sends(`${gw}/v1/wa`, token, false)));
      lines.push(sendLine(`send via gateway, fresh key (${round})`, await sends(`${gw}/v1/wa`, token, true)));
    }
    lines.push(connectLine('connect direct to simulator', await connects(sim, token)));
    lines.push(connectLine('connect via gateway (lane)', await connects(`${gw}/v1/wa`, token)));
    const lifecycle = (await (await fetch(`${sim}/_sim/lifecycle`)).json()) as { lifecycle?: { overlaps: number } };
    console.log(
      `store=${kind}${process.env.BENCH_REDIS ? '+redis' : ''} connections=${CONNECTIONS} ${SECONDS}s per send run, ${CONNECTS} connects, node ${process.version}`,
    );
    for (const l of lines) console.log(l);
    console.log(`lifecycle overlaps seen by the simulator: ${lifecycle.lifecycle?.overlaps ?? 'not recorded by this simulator'}`);
  } finally {
    gateway.kill('SIGTERM');
    simProcess.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 1500));
    if (kind === 'postgres') await pgAdminQuery(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
  }
}

await main();
