// The load generator of bench:gateway: wrk when it is installed (a separate C process: it costs the
// machine little and measures to the microsecond), autocannon otherwise (in this process, to the ms).
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';

export interface LoadSpec {
  url: string;
  headers: Record<string, string>;
  body: string;
  seconds: number;
  connections: number;
  threads: number;
  /** Paced: about this many requests a second in all (each connection waits between its requests). Unset: as fast as answered. */
  rate?: number;
}

export interface LoadResult {
  rps: number;
  /** Milliseconds. */
  p50: number;
  p99: number;
  requests: number;
  /** Answers other than 2xx/3xx, and socket errors and timeouts. */
  bad: number;
}

export function loadTool(): 'wrk' | 'autocannon' {
  if (process.env.BENCH_LOAD === 'autocannon') return 'autocannon';
  try {
    execFileSync('which', ['wrk'], { stdio: 'ignore' });
    return 'wrk';
  } catch {
    return 'autocannon';
  }
}

const lua = (s: LoadSpec) =>
  [
    'wrk.method = "POST"',
    `wrk.body = ${JSON.stringify(s.body)}`,
    ...Object.entries(s.headers).map(([k, v]) => `wrk.headers[${JSON.stringify(k)}] = ${JSON.stringify(v)}`),
    // wrk's pause before a connection's next request: C connections each waiting C/R s make about R/s.
    ...(s.rate ? [`function delay() return ${Math.round((1000 * s.connections) / s.rate)} end`] : []),
  ].join('\n');

/** "1.23ms" → 1.23; wrk prints us, ms, s or m. */
function wrkDuration(text: string): number {
  const m = /^([\d.]+)(us|ms|s|m)$/.exec(text.trim());
  if (!m) throw new Error(`unreadable wrk duration ${text}`);
  const scale = { us: 0.001, ms: 1, s: 1000, m: 60_000 }[m[2] as 'us' | 'ms' | 's' | 'm'];
  return Number(m[1]) * scale;
}

export function parseWrk(out: string): LoadResult {
  const pick = (re: RegExp) => re.exec(out)?.[1];
  const requests = Number(pick(/(\d+) requests in/) ?? 0);
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  const socketErrors = socket ? socket.slice(1).reduce((sum, n) => sum + Number(n), 0) : 0;
  return {
    rps: Number(pick(/Requests\/sec:\s+([\d.]+)/) ?? 0),
    p50: wrkDuration(pick(/^\s+50%\s+(\S+)/m) ?? '0ms'),
    p99: wrkDuration(pick(/^\s+99%\s+(\S+)/m) ?? '0ms'),
    requests,
    bad: Number(pick(/Non-2xx or 3xx responses: (\d+)/) ?? 0) + socketErrors,
  };
}

function runWrk(s: LoadSpec): Promise<LoadResult> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-wrk-'));
  const script = join(dir, 'post.lua');
  writeFileSync(script, lua(s));
  const args = ['-t', String(s.threads), '-c', String(s.connections), '-d', `${s.seconds}s`, '--latency', '-s', script, s.url];
  return new Promise((resolve, reject) => {
    execFile('wrk', args, (error, stdout) => {
      rmSync(dir, { recursive: true, force: true });
      if (error) reject(error);
      else {
        if (process.env.BENCH_DEBUG) console.error(stdout);
        resolve(parseWrk(stdout));
      }
    });
  });
}

async function runAutocannon(s: LoadSpec): Promise<LoadResult> {
  const r = await autocannon({
    url: s.url,
    method: 'POST',
    connections: s.connections,
    duration: s.seconds,
    headers: s.headers,
    body: s.body,
    ...(s.rate ? { overallRate: s.rate } : {}),
  });
  return {
    rps: r.requests.average,
    p50: r.latency.p50,
    p99: r.latency.p99,
    requests: r.requests.total,
    bad: r.non2xx + r.errors + r.timeouts,
  };
}

export const runLoad = (s: LoadSpec): Promise<LoadResult> => (loadTool() === 'wrk' ? runWrk(s) : runAutocannon(s));
