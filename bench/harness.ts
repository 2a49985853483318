// What the benchmark scripts share: throwaway PostgreSQL databases, waiting for a process to answer,
// JSON posts, a process's memory read from /proc, the V8 heap read from /metrics, and a local webhook
// receiver that counts.
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import pg from 'pg';

/** The PostgreSQL server the benchmarks make their databases on (BENCH_DATABASE_URL). */
export const PG_ADMIN_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** One statement on the admin database (CREATE or DROP DATABASE). */
export async function pgAdmin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: PG_ADMIN_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** A new, empty database named `<prefix>_<random>`: its URL, and how to drop it (connections and all). */
export async function throwawayDatabase(prefix = 'gw_bench'): Promise<{ name: string; url: string; drop(): Promise<void> }> {
  const name = `${prefix}_${randomBytes(4).toString('hex')}`;
  await pgAdmin(`CREATE DATABASE ${name}`);
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  return { name, url: url.toString(), drop: () => pgAdmin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Until `url` answers below 500 (a process's `/health`), every `everyMs` for at most `tries` times.
 * With `child`, stops at once when that process has exited.
 */
export async function waitUntilUp(url: string, o: { tries?: number; everyMs?: number; child?: ChildProcess } = {}): Promise<void> {
  const { tries = 600, everyMs = 100, child } = o;
  for (let i = 0; i < tries; i += 1) {
    if (child && child.exitCode !== null) throw new Error(`${child.spawnargs.join(' ')} exited with ${child.exitCode}`);
    if (
      await fetch(url).then(
        (r) => r.status < 500,
        () => false,
      )
    )
      return;
    await sleep(everyMs);
  }
  throw new Error(`${url} never answered`);
}

/** POSTs JSON and answers its status and parsed body (null when it is not JSON). */
export async function postJsonAnswer(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; json: Record<string, any> | null }> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  return { status: res.status, json: (await res.json().catch(() => null)) as Record<string, any> | null };
}

/** POSTs JSON and answers the parsed body; anything but a 2xx throws. */
export async function postJson(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Record<string, any>> {
  const { status, json } = await postJsonAnswer(url, body, headers);
  if (status < 200 || status >= 300) throw new Error(`POST ${url}: ${status} ${JSON.stringify(json)}`);
  return json ?? {};
}

/** A process's resident memory now (`VmRSS`) or at its peak (`VmHWM`), in MiB. */
export const procMiB = (pid: number, field: 'VmRSS' | 'VmHWM') =>
  Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;

/** The V8 heap in use of a gateway process, in MiB, from its `/metrics` (no METRICS_TOKEN). */
export async function heapUsedMiB(base: string): Promise<number> {
  const text = await (await fetch(`${base}/metrics`)).text();
  return Number(/^nodejs_heap_size_used_bytes (\S+)$/m.exec(text)?.[1] ?? Number.NaN) / 2 ** 20;
}

/** A webhook receiver on loopback that answers 200 to everything and counts what it was sent. */
export async function countingReceiver(): Promise<{ url: string; received(): number; close(): Promise<void> }> {
  let received = 0;
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      received += 1;
      res.end('ok');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    received: () => received,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

/**
 * The environment of a gateway process under a benchmark: its port, data directory and provider, the
 * public limits high enough never to refuse the benchmark's own requests, and none of the developer's
 * store or Redis settings (a benchmark adds `DATABASE_URL` or `REDIS_URL` itself).
 */
export function benchGatewayEnv(o: { port: number; dataDir: string; providerUrl: string; adminToken: string; internalKey: string }) {
  return {
    DATABASE_URL: '',
    DB_HOST: '',
    REDIS_URL: '',
    PORT: String(o.port),
    HOST: '127.0.0.1',
    DATA_DIR: o.dataDir,
    LOG_LEVEL: 'warn',
    WA_SERVER_URL: o.providerUrl,
    WA_ADMIN_TOKEN: o.adminToken,
    INTERNAL_API_KEYS: o.internalKey,
    PUBLIC_RATE_LIMIT_MAX_REQUEST: '100000000',
    PUBLIC_SPAM_MAX_PER_10S: '100000000',
  };
}
