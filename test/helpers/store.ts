import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { loadConfig } from '../../src/config.js';
import type { Db, Queryable } from '../../src/store/index.js';
import { runMigrations } from '../../src/store/migrate.js';
import { openPglite } from '../../src/store/pglite.js';
import { openPostgres } from '../../src/store/postgres.js';
import { fileScoped } from './file-scope.js';

/** The server the postgres project uses; CI starts it (.ci/run). Never silently skipped. */
export const TEST_POSTGRES_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const storeKind = (process.env.TEST_STORE ?? 'pglite') as 'pglite' | 'postgres';

export interface TestDatabase {
  /** A connection string for a fresh PostgreSQL database, or null on PGlite. */
  url: string | null;
  open(): Promise<Db>;
  drop(): Promise<void>;
}

async function adminQuery(sql: string) {
  const client = new pg.Client({ connectionString: TEST_POSTGRES_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** A fresh, empty database of the kind under test: its own PostgreSQL database, or an in-memory PGlite. */
export async function createTestDatabase(kind = storeKind): Promise<TestDatabase> {
  if (kind === 'pglite') {
    return { url: null, open: () => openPglite(null), drop: async () => undefined };
  }
  const name = `gw_test_${randomBytes(6).toString('hex')}`;
  await adminQuery(`CREATE DATABASE ${name}`);
  const url = new URL(TEST_POSTGRES_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    open: async () => openPostgres(url.toString(), loadConfig({}).storeTimeouts),
    drop: () => adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
  };
}

/** A migrated store, ready for the app; `close` also drops the database. */
export async function openTestStore(kind = storeKind): Promise<{ db: Db; database: TestDatabase; close(): Promise<void> }> {
  const database = await createTestDatabase(kind);
  const db = await database.open();
  await runMigrations(db);
  return {
    db,
    database,
    close: async () => {
      await db.close();
      await database.drop();
    },
  };
}

/** The same store, with `before` called ahead of every statement it runs, transactions included. */
function interceptStatements(db: Db, before: (text: string, params: readonly unknown[]) => void): Db {
  const wrap = (q: Queryable): Queryable => ({
    query: async (text, params) => {
      before(text, params ?? []);
      return q.query(text, params);
    },
    exec: (script) => q.exec(script),
  });
  const wrapped = wrap(db);
  return {
    kind: db.kind,
    query: wrapped.query,
    exec: wrapped.exec,
    tx: (fn, options) => db.tx((q) => fn(wrap(q)), options),
    stats: () => db.stats(),
    close: () => db.close(),
  };
}

/**
 * The same store, with every statement it runs (transactions included) recorded in `statements` (and
 * with its parameters in `calls`), so a test can prove what a request cost the store by counting
 * instead of timing.
 */
export function recordingStatements(db: Db): { db: Db; statements: string[]; calls: Array<{ text: string; params: readonly unknown[] }> } {
  const statements: string[] = [];
  const calls: Array<{ text: string; params: readonly unknown[] }> = [];
  const recorded = interceptStatements(db, (text, params) => {
    statements.push(text);
    calls.push({ text, params });
  });
  return { statements, calls, db: recorded };
}

/**
 * The same store, where the next statement matching `failNext(pattern)` fails, as a store that fails
 * half-way through a change would (the statements before it in its transaction already ran).
 */
export function failingStatements(db: Db): { db: Db; failNext(pattern: RegExp): void; armed(): boolean } {
  let trap: RegExp | null = null;
  const failing = interceptStatements(db, (text) => {
    if (!trap?.test(text)) return;
    trap = null;
    throw new Error(`injected store failure before: ${text.trim().slice(0, 60)}`);
  });
  return {
    db: failing,
    failNext: (pattern) => {
      trap = pattern;
    },
    armed: () => trap !== null,
  };
}

/**
 * The store of one test file: migrated before its first test, closed (and dropped) after its last.
 * Usable as a `Db` in the tests themselves, not while the file is being collected.
 */
export function fileStore(kind = storeKind): Db {
  return fileScoped('the file store', async () => {
    const store = await openTestStore(kind);
    return { value: store.db, close: store.close };
  });
}
