import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, renameSync, rmdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { PGlite } from '@electric-sql/pglite';
import { storeError } from './errors.js';
import { INT8_OID, NUMERIC_OID, type Db, type Queryable } from './db.js';

/**
 * PostgreSQL's settings for the embedded store, beside PGlite's own (single user, no parallel
 * workers). Its buffers live in the WASM heap, which never shrinks: 128 MB of shared_buffers (the
 * default) cost about 100 MiB of resident memory from the first minute, while the gateway's working
 * set (sessions, quota, counters, the outbox of a small installation) is a few MiB and the rest of the
 * data stays in the operating system's page cache. Durability is unchanged (PGlite's own).
 */
export const PGLITE_START_PARAMS: readonly string[] = [
  ...PGlite.defaultStartParams,
  ...['-c', 'shared_buffers=16MB', '-c', 'maintenance_work_mem=16MB', '-c', 'temp_buffers=1MB'],
];

// Run by a child process: PGlite's initdb runs two more PostgreSQL instances beside the store's own,
// whose WASM memory (about 500 MiB) the gateway's process would keep for good. Its arguments come on
// the command line (module, data directory, start parameters), so the child reads no environment.
const INITDB = `
const [moduleFile, dataDir, startParams] = process.argv.slice(1);
const { PGlite } = require(moduleFile);
PGlite.create(dataDir, { startParams: JSON.parse(startParams) })
  .then((db) => db.close())
  .catch((error) => { console.error(error); process.exit(1); });
`;

/**
 * A new data directory is made in a sibling folder by a child process, then renamed into place:
 * the gateway's memory stays that of a later start, and a first start that is killed half-way
 * leaves no half-made store behind (the next start makes it again). A folder that is not empty
 * and not a store is left to PGlite, as before.
 */
async function createDataDir(dataDir: string): Promise<void> {
  if (existsSync(join(dataDir, 'PG_VERSION'))) return;
  if (existsSync(dataDir) && readdirSync(dataDir).length > 0) return;
  const staging = `${dataDir}.initdb`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  const args = [createRequire(import.meta.url).resolve('@electric-sql/pglite'), staging, JSON.stringify(PGLITE_START_PARAMS)];
  const child = spawn(process.execPath, ['--eval', INITDB, ...args], {
    env: {},
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString('utf8')).slice(-4096);
  });
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', resolve);
  });
  if (code !== 0) throw new Error(`creating the embedded store in ${dataDir} failed (exit ${code}): ${stderr.trim()}`);
  if (existsSync(dataDir)) rmdirSync(dataDir);
  renameSync(staging, dataDir);
}

/**
 * PostgreSQL's WASM module is compiled while the store opens, when start-up and the migrations make
 * much of it hot at once: V8's optimising tier then held about 90 MiB more of the process's memory for
 * good (issue 15: 285 → 190 MiB idle after a first start). Compiled by the baseline tier, its code stays
 * there: store-heavy work takes about a third longer (a 10,000-contact sync 1.0–1.4 s instead of
 * 0.6–1.0 s), while sends, which do not touch the store per request, are unchanged. The embedded store
 * is the small installation's default, where memory is what runs out first.
 */
async function withBaselineWasm<T>(open: () => Promise<T>): Promise<T> {
  setFlagsFromString('--liftoff-only');
  try {
    return await open();
  } finally {
    setFlagsFromString('--no-liftoff-only');
  }
}

/**
 * The embedded store: PostgreSQL compiled to WASM, one connection, in a data directory (or memory).
 * The statement deadlines of PostgreSQL (issue 11 §8) have nothing to act on here: there is no
 * network to go silent, and a statement runs inside this process until it is done.
 */
export async function openPglite(dataDir: string | null): Promise<Db> {
  if (dataDir) await createDataDir(dataDir);
  const parsers = { [INT8_OID]: (v: string) => Number(v), [NUMERIC_OID]: (v: string) => Number(v) };
  const pglite = await withBaselineWasm(() => PGlite.create(dataDir ?? undefined, { parsers, startParams: [...PGLITE_START_PARAMS] }));
  let waiting = 0;
  const run =
    (q: Pick<PGlite, 'query'>): Queryable['query'] =>
    async (text, params) => {
      waiting += 1;
      try {
        const result = await q.query(text, params as unknown[] | undefined);
        // PGlite reports 0 affected rows for a SELECT; pg reports the rows returned: do as pg does.
        return { rows: result.rows as never[], rowCount: Math.max(result.rows.length, result.affectedRows ?? 0) };
      } catch (error) {
        throw storeError(error);
      } finally {
        waiting -= 1;
      }
    };
  return {
    kind: 'pglite',
    query: run(pglite),
    exec: async (script) => {
      await pglite.exec(script);
    },
    tx: (fn) =>
      pglite.transaction((t) =>
        fn({
          query: run(t),
          exec: async (script) => {
            await t.exec(script);
          },
        }),
      ),
    stats: () => ({ total: 1, idle: waiting === 0 ? 1 : 0, waiting: Math.max(0, waiting - 1) }),
    close: () => pglite.close(),
  };
}
