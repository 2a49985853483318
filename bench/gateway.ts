// The send path side by side, in one run on loopback (issue 15): a text send (a) straight to a minimal
// upstream (bench/upstream.mjs), (b) through a bare undici proxy (bench/bare-proxy.mjs: the Node
// ceiling), (c) through the gateway with an unlimited plan and (d) with a quota of 10^8 messages; for
// reference, the bare proxy's work as one Fastify route (bench/fastify-proxy.mjs: the framework's floor). Each
// gets req/s, p50 and p99, its ratio to direct and to the bare proxy, the latency it adds over direct,
// and the peak RSS of its process, read from /proc. The gateway is the built one (`dist/`), a child
// process as an operator runs it. `npm run bench:gateway`. Knobs:
//   BENCH_STORE=pglite        the embedded store (default: PostgreSQL, a throwaway database)
//   BENCH_SECONDS=10 BENCH_CONNECTIONS=32 BENCH_THREADS=2 BENCH_WARMUP=3 BENCH_ROUNDS=1 (median of rounds)
//   BENCH_RATE=1000           req/s of the paced run, whose latencies are what each target adds per request
//                             (as fast as answered, a process's latency is mostly its queue: connections ÷ req/s)
//   BENCH_PROFILE=1           the gateway runs under `node --cpu-prof`; its top self-time functions are printed
//   BENCH_LOG_LEVEL=warn      the gateway's LOG_LEVEL;  BENCH_LOAD=autocannon forces the fallback load generator
//   BENCH_DATABASE_URL        PostgreSQL to create the throwaway database on (default postgres@127.0.0.1:5432)
//   BENCH_GATEWAY_FLAGS       Node flags for the gateway process only (e.g. '--max-semi-space-size=8'), to try V8 settings
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../test/helpers/gateway-process.js';
import { postJson, procMiB, throwawayDatabase, waitUntilUp } from './harness.js';
import { type LoadResult, loadTool, runLoad } from './load.js';
import { summariseProfile } from './profile.js';

const env = process.env;
const SECONDS = Number(env.BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(env.BENCH_CONNECTIONS ?? 32);
const THREADS = Number(env.BENCH_THREADS ?? 2);
const WARMUP = Number(env.BENCH_WARMUP ?? 3);
const ROUNDS = Math.max(1, Number(env.BENCH_ROUNDS ?? 1));
const RATE = Number(env.BENCH_RATE ?? 1000);
const PROFILE = env.BENCH_PROFILE === '1';
const GATEWAY_FLAGS = (env.BENCH_GATEWAY_FLAGS ?? '').split(' ').filter(Boolean);
const LOG_LEVEL = env.BENCH_LOG_LEVEL ?? 'warn';
const STORE = env.BENCH_STORE === 'pglite' ? 'pglite' : 'postgres';
const ADMIN = 'bench-admin-token';
const KEY = 'bench-internal-key';
const QUOTA = 100_000_000;
const BODY = JSON.stringify({ Phone: '6281234567890', Body: 'benchmark message' });
// Variables of the developer's shell that would change what the gateway does.
const NEUTRAL = { DATABASE_URL: '', DB_HOST: '', DB_NAME: '', REDIS_URL: '', METRICS_TOKEN: '', TRUST_PROXY: '', GATEWAY_PUBLIC_URL: '' };

interface Proc {
  child: ChildProcess;
  url: string;
  exited: Promise<void>;
}

async function start(args: string[], childEnv: Record<string, string>): Promise<Proc> {
  const port = await freePort();
  const { NODE_OPTIONS: _ignored, ...inherited } = env;
  const child = spawn(process.execPath, args, {
    env: { ...inherited, ...NEUTRAL, ...childEnv, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  await waitUntilUp(`${url}/health`, { child });
  return { child, url, exited };
}

async function stop(p: Proc) {
  p.child.kill('SIGTERM');
  await p.exited;
}

/** CPU time the process has used (user + system), in microseconds: fields 14 and 15 of /proc/<pid>/stat. */
function cpuMicros(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1e6) / CLOCK_TICKS;
}
const CLOCK_TICKS = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim());

/**
 * The process's resident memory, sampled every 100 ms while `work` runs (the highest sample), and the
 * CPU it used for it: CPU per request hardly moves when other processes share the machine, req/s does.
 */
async function observe<T>(pid: number, work: Promise<T>): Promise<{ result: T; peak: number; cpu: number }> {
  let peak = procMiB(pid, 'VmRSS');
  const cpuBefore = cpuMicros(pid);
  const timer = setInterval(() => {
    peak = Math.max(peak, procMiB(pid, 'VmRSS'));
  }, 100);
  try {
    const result = await work;
    return { result, peak, cpu: cpuMicros(pid) - cpuBefore };
  } finally {
    clearInterval(timer);
  }
}

/** A user with one session through the gateway's own API (the upstream answers the provider's side). */
async function seedSession(gw: string, name: string, maxMessages: number): Promise<string> {
  const user = await postJson(
    `${gw}/internal/users`,
    { user_id: name, source: 'bench', expires_at: '2099-01-01T00:00:00Z', max_messages: maxMessages },
    { 'x-internal-api-key': KEY },
  );
  const created = await postJson(`${gw}/v1/sessions`, { session_name: name, auto_connect: false }, { 'x-api-key': user.api_key });
  return created.session.session_token as string;
}

interface Target {
  name: string;
  url: string;
  token: string;
  pid: number;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

function medianResult(rs: LoadResult[]): LoadResult {
  const pick = (k: keyof LoadResult) => median(rs.map((r) => r[k]));
  return { rps: pick('rps'), p50: pick('p50'), p99: pick('p99'), requests: pick('requests'), bad: Math.max(...rs.map((r) => r.bad)) };
}

interface Measured {
  /** As fast as the target answers: throughput, and the latency of a saturated process (mostly queueing). */
  busy: LoadResult;
  /** At BENCH_RATE req/s, below every target's capacity: the latency of one request, what a target adds. */
  paced: LoadResult;
  peak: number;
  /** CPU microseconds the target's process spent per request answered, as fast as answered. */
  cpuPerRequest: number;
}

async function measure(targets: Target[]): Promise<Map<string, Measured>> {
  const load = (t: Target, seconds: number, rate?: number) =>
    runLoad({
      url: t.url,
      headers: { token: t.token, 'content-type': 'application/json' },
      body: BODY,
      seconds,
      connections: CONNECTIONS,
      threads: THREADS,
      rate,
    });
  for (const t of targets) if (WARMUP > 0) await load(t, WARMUP);
  const runs = new Map(targets.map((t) => [t.name, { busy: [] as LoadResult[], paced: [] as LoadResult[], cpu: [] as number[], peak: 0 }]));
  for (let round = 0; round < ROUNDS; round += 1) {
    for (const t of targets) {
      const run = runs.get(t.name)!;
      const { result, peak, cpu } = await observe(t.pid, load(t, SECONDS));
      run.busy.push(result);
      run.cpu.push(cpu / Math.max(1, result.requests));
      run.paced.push(await load(t, SECONDS, RATE));
      run.peak = Math.max(run.peak, peak);
    }
  }
  return new Map(
    [...runs].map(([name, r]) => [
      name,
      { busy: medianResult(r.busy), paced: medianResult(r.paced), peak: r.peak, cpuPerRequest: median(r.cpu) },
    ]),
  );
}

const f = (n: number, d = 2) => n.toFixed(d);
const col = (values: Array<[string, number]>) =>
  values.map(([text, width]) => (width < 0 ? text.padEnd(-width) : text.padStart(width))).join('');

function table(results: Map<string, Measured>): string[] {
  const direct = results.get('direct')!;
  const bare = results.get('bare proxy')!.busy;
  const lines = [
    `as fast as answered (${CONNECTIONS} connections)                                        at ${RATE} req/s`,
    col([
      ['target', -20],
      ['req/s', 8],
      ['×direct', 9],
      ['×bare', 7],
      ['p50', 7],
      ['p99', 7],
      ['CPU µs/req', 12],
      ['peak RSS', 10],
      ['p50', 9],
      ['p99', 7],
      ['+p50', 7],
      ['+p99', 7],
      ['bad', 6],
    ]),
  ];
  for (const [name, { busy, paced, peak, cpuPerRequest }] of results) {
    lines.push(
      col([
        [name, -20],
        [f(busy.rps, 0), 8],
        [f(busy.rps / direct.busy.rps), 9],
        [f(busy.rps / bare.rps), 7],
        [f(busy.p50), 7],
        [f(busy.p99), 7],
        [f(cpuPerRequest, 0), 12],
        [`${f(peak, 0)} MiB`, 10],
        [f(paced.p50), 9],
        [f(paced.p99), 7],
        [f(paced.p50 - direct.paced.p50), 7],
        [f(paced.p99 - direct.paced.p99), 7],
        [String(busy.bad + paced.bad), 6],
      ]),
    );
  }
  return lines;
}

function targetsMet(results: Map<string, Measured>, gatewayHwm: number): string[] {
  const direct = results.get('direct')!.paced;
  const bare = results.get('bare proxy')!.busy;
  const rssLimit = STORE === 'postgres' ? 150 : 300;
  const check = (ok: boolean, what: string) => `  ${ok ? 'met   ' : 'MISSED'}  ${what}`;
  const lines = ['targets (issue 15):'];
  for (const name of ['gateway unlimited', 'gateway quota 10^8']) {
    const { busy, paced } = results.get(name)!;
    lines.push(check(busy.rps / bare.rps >= 0.8, `${name}: ≥0.80 of the bare proxy's req/s (${f(busy.rps / bare.rps)})`));
    lines.push(check(paced.p50 - direct.p50 <= 1, `${name}: ≤+1 ms p50 over direct at ${RATE} req/s (+${f(paced.p50 - direct.p50)})`));
    lines.push(check(paced.p99 - direct.p99 <= 5, `${name}: ≤+5 ms p99 over direct at ${RATE} req/s (+${f(paced.p99 - direct.p99)})`));
  }
  lines.push(check(gatewayHwm <= rssLimit, `gateway peak RSS ≤${rssLimit} MiB on ${STORE} (${f(gatewayHwm, 0)} MiB, VmHWM)`));
  if ([...results.values()].some((r) => r.busy.bad + r.paced.bad > 0))
    lines.push('WARNING: some answers were not 2xx: those figures are not of sends');
  return lines;
}

/** Children and the throwaway database go even when the run is interrupted (Ctrl-C, a closed pipe). */
const cleanups: Array<() => Promise<void>> = [];
async function cleanUp() {
  for (const step of cleanups.splice(0).reverse()) await step().catch(() => undefined);
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => void cleanUp().finally(() => process.exit(130)));
process.stdout.on('error', () => void cleanUp().finally(() => process.exit(1)));

async function main() {
  const dataDir = mkdtempSync(join(tmpdir(), 'gw-bench-'));
  cleanups.push(async () => rmSync(dataDir, { recursive: true, force: true }));
  // Kept after the run, for a closer look (Chrome DevTools, speedscope); its path is printed.
  const profileDir = PROFILE ? mkdtempSync(join(tmpdir(), 'gw-profile-')) : '';
  const database = STORE === 'postgres' ? await throwawayDatabase() : null;
  if (database) cleanups.push(database.drop);
  const launch = async (args: string[], childEnv: Record<string, string>) => {
    const p = await start(args, childEnv);
    cleanups.push(() => stop(p));
    return p;
  };
  const upstream = await launch(['bench/upstream.mjs'], {});
  const gateway = await launch([...GATEWAY_FLAGS, ...(PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : []), 'dist/src/main.js'], {
    DATA_DIR: join(dataDir, 'data'),
    LOG_LEVEL,
    WA_SERVER_URL: upstream.url,
    WA_ADMIN_TOKEN: ADMIN,
    INTERNAL_API_KEYS: KEY,
    // The public limits count every request as usual, but never refuse the benchmark's own.
    PUBLIC_RATE_LIMIT_MAX_REQUEST: '1000000000',
    PUBLIC_SPAM_MAX_PER_10S: '1000000000',
    ...(database ? { DATABASE_URL: database.url } : {}),
  });
  const unlimited = await seedSession(gateway.url, 'bench-unlimited', 0);
  const quota = await seedSession(gateway.url, 'bench-quota', QUOTA);
  const tokens = { UPSTREAM_URL: upstream.url, TOKENS: [unlimited, quota].join(',') };
  const bare = await launch(['bench/bare-proxy.mjs'], tokens);
  const floor = await launch(['bench/fastify-proxy.mjs'], tokens);
  const send = '/chat/send/text';
  const loadBegan = Number(process.hrtime.bigint() / 1000n);
  const results = await measure([
    { name: 'direct', url: `${upstream.url}${send}`, token: unlimited, pid: upstream.child.pid! },
    { name: 'bare proxy', url: `${bare.url}/v1/wa${send}`, token: unlimited, pid: bare.child.pid! },
    { name: 'fastify floor', url: `${floor.url}/v1/wa${send}`, token: unlimited, pid: floor.child.pid! },
    { name: 'gateway unlimited', url: `${gateway.url}/v1/wa${send}`, token: unlimited, pid: gateway.child.pid! },
    { name: 'gateway quota 10^8', url: `${gateway.url}/v1/wa${send}`, token: quota, pid: gateway.child.pid! },
  ]);
  const gatewayHwm = procMiB(gateway.child.pid!, 'VmHWM');
  const bareHwm = procMiB(bare.child.pid!, 'VmHWM');
  console.log(
    `store=${STORE} load=${loadTool()} ${THREADS} threads ${CONNECTIONS} connections ${SECONDS} s × ${ROUNDS} round(s) (median), warm-up ${WARMUP} s; gateway LOG_LEVEL=${LOG_LEVEL}; node ${process.version}`,
  );
  for (const line of table(results)) console.log(line);
  console.log(`peak RSS over the whole life (VmHWM): gateway ${f(gatewayHwm, 0)} MiB, bare proxy ${f(bareHwm, 0)} MiB; latencies in ms`);
  for (const line of targetsMet(results, gatewayHwm)) console.log(line);
  // The gateway writes its profile as it exits.
  await cleanUp();
  if (PROFILE) for (const file of readdirSync(profileDir)) console.log(summariseProfile(join(profileDir, file), 30, loadBegan));
}

try {
  await main();
} finally {
  await cleanUp();
}
