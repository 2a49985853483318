// The embedded store's footprint (issue 15 §4): the resident memory of a gateway process on PGlite,
// read from /proc, after its first start on a new data directory, after a burst of writes (1,000
// sessions made, paired and used once, then sends at full speed with a quota: counters and leases),
// and after a second start on the same directory. Peaks are sampled every 50 ms.
// `npm run bench:embedded-memory`; BENCH_TREE=/some/checkout runs that checkout's build (before/after).
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { benchGatewayEnv, postJson, procMiB, sleep, waitUntilUp } from './harness.js';

const HERE = fileURLToPath(new URL('../', import.meta.url));
const TREE = process.env.BENCH_TREE ?? HERE;
const SESSIONS = Number(process.env.BENCH_SESSIONS ?? 1_000);
const SEND_SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const SIM_PORT = 18_480;
const GW_PORT = 18_470;
const ADMIN = 'bench-admin-token';
const KEY = 'bench-internal-key';
const sim = `http://127.0.0.1:${SIM_PORT}`;
const gw = `http://127.0.0.1:${GW_PORT}`;

function startGateway(dataDir: string): ChildProcess {
  return spawn(process.execPath, ['dist/src/main.js'], {
    cwd: TREE,
    env: { ...process.env, ...benchGatewayEnv({ port: GW_PORT, dataDir, providerUrl: sim, adminToken: ADMIN, internalKey: KEY }) },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

async function stop(child: ChildProcess) {
  const exited = new Promise((resolve) => child.on('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

/** Samples the process's RSS every 50 ms while `work` runs; the highest sample, MiB. */
async function peakWhile(pid: number, work: () => Promise<unknown>): Promise<number> {
  let peak = procMiB(pid, 'VmRSS');
  const timer = setInterval(() => {
    peak = Math.max(peak, procMiB(pid, 'VmRSS'));
  }, 50);
  try {
    await work();
  } finally {
    clearInterval(timer);
  }
  return Math.max(peak, procMiB(pid, 'VmRSS'));
}

async function burst(): Promise<void> {
  const tokens: string[] = [];
  for (let made = 0; made < SESSIONS; made += 5) {
    const key = (
      await postJson(
        `${gw}/internal/users`,
        { user_id: `mem-${made}`, source: 'bench', expires_at: '2099-01-01T00:00:00Z', max_sessions: 10, max_messages: 100_000_000 },
        { 'x-internal-api-key': KEY },
      )
    ).api_key as string;
    for (let s = 0; s < 5; s += 1) {
      const created = await postJson(`${gw}/v1/sessions`, { session_name: 'm', auto_connect: false }, { 'x-api-key': key });
      await postJson(`${sim}/_sim/pair`, { sessionId: created.session.session_id });
      tokens.push(created.session.session_token as string);
    }
  }
  const body = JSON.stringify({ Phone: '6281234567890', Body: 'burst' });
  for (let i = 0; i < tokens.length; i += 50)
    await Promise.all(tokens.slice(i, i + 50).map((token) => postJson(`${gw}/v1/wa/chat/send/text`, JSON.parse(body), { token })));
  await fetch(`${sim}/_sim/requests`, { method: 'DELETE' });
  await autocannon({
    url: `${gw}/v1/wa/chat/send/text`,
    method: 'POST',
    connections: 32,
    duration: SEND_SECONDS,
    headers: { token: tokens[0]!, 'content-type': 'application/json' },
    body,
  });
  await fetch(`${sim}/_sim/requests`, { method: 'DELETE' });
}

async function main() {
  const dataDir = mkdtempSync(join(tmpdir(), 'gw-embedded-memory-'));
  const simProcess = spawn(process.execPath, ['--import', 'tsx', 'sim/main.ts'], {
    cwd: HERE,
    env: { ...process.env, SIM_PORT: String(SIM_PORT), WA_ADMIN_TOKEN: ADMIN, SIM_CONNECT_STALL_MS: '0' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const lines: string[] = [];
  try {
    await waitUntilUp(`${sim}/health`);
    let gateway = startGateway(dataDir);
    await waitUntilUp(`${gw}/health`);
    await sleep(3_000);
    lines.push(
      `first start (new data dir):   idle RSS ${procMiB(gateway.pid!, 'VmRSS').toFixed(0)} MiB, peak so far ${procMiB(gateway.pid!, 'VmHWM').toFixed(0)} MiB`,
    );
    const peak = await peakWhile(gateway.pid!, burst);
    await sleep(3_000);
    lines.push(
      `burst (${SESSIONS} sessions made and used once, ${SEND_SECONDS} s of sends at 32 connections): peak RSS ${peak.toFixed(0)} MiB, ` +
        `${procMiB(gateway.pid!, 'VmRSS').toFixed(0)} MiB 3 s after`,
    );
    await stop(gateway);
    gateway = startGateway(dataDir);
    await waitUntilUp(`${gw}/health`);
    await sleep(3_000);
    lines.push(
      `second start (same data dir): idle RSS ${procMiB(gateway.pid!, 'VmRSS').toFixed(0)} MiB, peak so far ${procMiB(gateway.pid!, 'VmHWM').toFixed(0)} MiB`,
    );
    await stop(gateway);
    console.log(`embedded store, gateway ${TREE}, node ${process.version}`);
    for (const l of lines) console.log(`  ${l}`);
  } finally {
    simProcess.kill('SIGTERM');
    rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
