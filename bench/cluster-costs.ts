// What the many-instances guarantees (issue 13) cost per request, on one gateway process: a text send
// without and with an Idempotency-Key (a fresh key each time: one INSERT and one UPDATE in the key
// store), and a session connect through the lifecycle lane (on PostgreSQL: the advisory lock's round
// trips), each beside the same call straight to the simulator. Loopback only, bounded in time.
// `npx tsx bench/cluster-costs.ts`; BENCH_STORE=pglite for the embedded store, BENCH_REDIS=1 adds REDIS_URL.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import autocannon from 'autocannon';
import { benchGatewayEnv, postJson, postJsonAnswer, sleep, throwawayDatabase, waitUntilUp } from './harness.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const CONNECTS = Number(process.env.BENCH_CONNECTS ?? 200);
const SIM_PORT = 18_280;
const GW_PORT = 18_270;
const ADMIN = 'bench-admin-token';
const KEY = 'bench-internal-key';
const kind = process.env.BENCH_STORE === 'pglite' ? 'pglite' : 'postgres';
const sim = `http://127.0.0.1:${SIM_PORT}`;
const gw = `http://127.0.0.1:${GW_PORT}`;

const start = (args: string[], env: Record<string, string>): ChildProcess =>
  spawn(process.execPath, ['--import', 'tsx', ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'inherit'] });

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
    await postJsonAnswer(`${base}/session/disconnect`, {}, { token });
    const t0 = process.hrtime.bigint();
    const res = await postJsonAnswer(`${base}/session/connect`, { Subscribe: ['Message'], Immediate: true }, { token });
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
  const tag = `gw_bench_${randomBytes(4).toString('hex')}`;
  const database = kind === 'postgres' ? await throwawayDatabase() : null;
  const simProcess = start(['sim/main.ts'], { SIM_PORT: String(SIM_PORT), WA_ADMIN_TOKEN: ADMIN, SIM_CONNECT_STALL_MS: '0' });
  const gateway = start(['src/main.ts'], {
    ...benchGatewayEnv({ port: GW_PORT, dataDir: `/tmp/gw-bench-${tag}`, providerUrl: sim, adminToken: ADMIN, internalKey: KEY }),
    ...(database ? { DATABASE_URL: database.url } : {}),
    ...(process.env.BENCH_REDIS ? { REDIS_URL: 'redis://127.0.0.1:6379', REDIS_KEY_PREFIX: `bench-${tag}:` } : {}),
  });
  try {
    await waitUntilUp(`${sim}/health`);
    await waitUntilUp(`${gw}/health`);
    const user = await postJson(
      `${gw}/internal/users`,
      { user_id: 'bench', source: 'bench', expires_at: '2099-01-01T00:00:00Z' },
      { 'x-internal-api-key': KEY },
    );
    const created = await postJson(`${gw}/v1/sessions`, { session_name: 'bench', auto_connect: true }, { 'x-api-key': user.api_key });
    const { session_id: sessionId, session_token: token } = created.session;
    await postJson(`${sim}/_sim/pair`, { sessionId });
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
    await sleep(1500);
    await database?.drop();
  }
}

await main();
