// How long `npm start` takes to a healthy gateway (issue 15): from a fresh clone (`npm ci`, which
// builds once, then `npm start`), on PostgreSQL with its schema in place, and on the embedded store
// in a new data directory (first start: initdb and migrations) and in an existing one (every later
// start). Each case is run BENCH_RUNS times; the median and the best are printed, with the
// gateway's own start-up (`startupMs` of "gateway ready": config, store, migrations, listen) and the
// CPU time its process had used when /health first answered (steadier than wall time on a shared
// machine). Loopback only; nothing is kept.
//
//   npm run bench:startup                      this tree
//   BENCH_TREE=/some/checkout npm run bench:startup   another checkout (e.g. main, for a before/after)
//   BENCH_CLONE=0                              skip the fresh clone (the slowest case: a full `npm ci`)
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { throwawayDatabase } from './harness.js';

const TREE = process.env.BENCH_TREE ?? fileURLToPath(new URL('../', import.meta.url));
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const TICKS_PER_SECOND = 100; // USER_HZ, as /proc/<pid>/stat counts on Linux
// The developer's shell must not steer the gateway under test (as in test/helpers/gateway-process.ts).
const NEUTRAL = { DATABASE_URL: '', DB_HOST: '', DB_NAME: '', REDIS_URL: '', GATEWAY_PUBLIC_URL: '', NODE_OPTIONS: '' };

interface Start {
  /** Spawn to the first 200 from /health, ms. */
  healthyMs: number;
  /** The gateway's own figure from its "gateway ready" line. */
  startupMs: number;
  /** user + system CPU of the gateway process when it first answered, ms. */
  cpuMs: number;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function healthy(port: number): Promise<boolean> {
  try {
    return (await fetch(`http://127.0.0.1:${port}/health`)).ok;
  } catch {
    return false;
  }
}

function cpuMsOf(pid: number): number {
  // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
}

/** The node process serving HTTP: `pid` itself, or the last of its descendants (npm → sh → node). */
function gatewayPid(pid: number): number {
  const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  return children.length === 0 ? pid : gatewayPid(children[children.length - 1]!);
}

/** Runs `command` in `cwd` (its own process group), waits for /health, then stops the whole group. */
async function timeStart(cwd: string, command: string[], env: Record<string, string>): Promise<Start> {
  const port = await freePort();
  const started = performance.now();
  const child: ChildProcess = spawn(command[0]!, command.slice(1), {
    cwd,
    env: { ...process.env, ...NEUTRAL, HOST: '127.0.0.1', PORT: String(port), LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    output += chunk.toString('utf8');
  });
  child.stderr!.on('data', (chunk: Buffer) => {
    output += chunk.toString('utf8');
  });
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  let ended = false;
  void exited.then(() => {
    ended = true;
  });
  try {
    while (!(await healthy(port))) {
      if (ended) throw new Error(`${command.join(' ')} ended before it was healthy:\n${output.slice(-2000)}`);
      if (performance.now() - started > 120_000) throw new Error(`${command.join(' ')} not healthy within 120 s`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    const healthyMs = performance.now() - started;
    const cpuMs = cpuMsOf(gatewayPid(child.pid!));
    // "gateway ready" follows the first answer by a moment (it is logged once listen() returns).
    const readyLine = () =>
      output
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as { msg?: string; startupMs?: number })
        .find((line) => line.msg === 'gateway ready');
    for (let waited = 0; !readyLine() && waited < 5_000; waited += 10) await new Promise((resolve) => setTimeout(resolve, 10));
    const ready = readyLine();
    if (ready?.startupMs === undefined) throw new Error(`no "gateway ready" line:\n${output.slice(-2000)}`);
    return { healthyMs, startupMs: ready.startupMs, cpuMs };
  } finally {
    process.kill(-child.pid!, 'SIGTERM');
    await exited;
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!;
const best = (xs: number[]) => Math.min(...xs);

function report(name: string, runs: Start[]) {
  const f = (pick: (s: Start) => number) => `${Math.round(median(runs.map(pick)))} (best ${Math.round(best(runs.map(pick)))})`;
  console.log(
    `${name.padEnd(44)} healthy ${f((s) => s.healthyMs)} ms · gateway startupMs ${f((s) => s.startupMs)} · gateway CPU ${f((s) => s.cpuMs)} ms · ${runs.length} runs`,
  );
}

async function onPostgres(npmStart: string[]) {
  const database = await throwawayDatabase('gw_startup');
  try {
    const env = { DATABASE_URL: database.url };
    await timeStart(TREE, npmStart, env); // applies the migrations: every later start finds them in place
    const runs: Start[] = [];
    for (let i = 0; i < RUNS; i += 1) runs.push(await timeStart(TREE, npmStart, env));
    report('npm start, PostgreSQL (schema in place)', runs);
    const direct: Start[] = [];
    for (let i = 0; i < RUNS; i += 1) direct.push(await timeStart(TREE, ['node', 'dist/src/main.js'], env));
    report('node dist/src/main.js, PostgreSQL', direct);
  } finally {
    await database.drop();
  }
}

async function onPglite(npmStart: string[]) {
  const first: Start[] = [];
  const second: Start[] = [];
  for (let i = 0; i < RUNS; i += 1) {
    const dataDir = mkdtempSync(join(tmpdir(), 'gw-startup-'));
    try {
      first.push(await timeStart(TREE, npmStart, { DATA_DIR: dataDir }));
      second.push(await timeStart(TREE, npmStart, { DATA_DIR: dataDir }));
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  }
  report('npm start, embedded store, new data dir', first);
  report('npm start, embedded store, existing data dir', second);
}

/** `git clone` of the tree's HEAD, `npm ci` (from npm's cache when it has the packages), `npm start`. */
async function freshClone(npmStart: string[]) {
  const dir = mkdtempSync(join(tmpdir(), 'gw-clone-'));
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: TREE, encoding: 'utf8' }).trim();
    let t = performance.now();
    execFileSync('git', ['clone', '--quiet', TREE, dir]);
    const cloneMs = performance.now() - t;
    t = performance.now();
    execFileSync('npm', ['ci', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], {
      cwd: dir,
      stdio: 'ignore',
      env: { ...process.env, NODE_OPTIONS: '' },
    });
    const installMs = performance.now() - t;
    const start = await timeStart(dir, npmStart, { DATA_DIR: join(dir, 'data') });
    console.log(
      `fresh clone of ${head}: git clone ${Math.round(cloneMs)} ms, npm ci ${Math.round(installMs)} ms (packages from npm's cache, build included), ` +
        `npm start to healthy ${Math.round(start.healthyMs)} ms (startupMs ${start.startupMs}); ` +
        `the two README commands: ${((installMs + start.healthyMs) / 1000).toFixed(1)} s`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main() {
  const npmStart = ['npm', 'start', '--silent'];
  console.log(`tree ${TREE}; ${RUNS} runs per case; medians, best in brackets; load average ${loadavg()[0]!.toFixed(1)}`);
  // Whatever the tree needs built is built now, not in the first measured start.
  execFileSync('npm', ['run', '--silent', 'prestart'], { cwd: TREE, stdio: 'inherit' });
  await onPostgres(npmStart);
  await onPglite(npmStart);
  if (process.env.BENCH_CLONE !== '0') await freshClone(npmStart);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
