import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { loadConfig } from '../src/config.js';
import type { Db } from '../src/store/index.js';
import { runMigrations } from '../src/store/migrate.js';
import { openPglite } from '../src/store/pglite.js';
import { openPostgres } from '../src/store/postgres.js';

/** A fresh, migrated store for one benchmark run: its own PostgreSQL database, or an in-memory PGlite. */
export async function openBenchStore(kind: 'postgres' | 'pglite'): Promise<{ db: Db; url: string | null; drop(): Promise<void> }> {
  if (kind === 'pglite') {
    const db = await openPglite(null);
    await runMigrations(db);
    return { db, url: null, drop: () => db.close() };
  }
  const adminUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const admin = async (sql: string) => {
    const c = new pg.Client({ connectionString: adminUrl });
    await c.connect();
    try {
      await c.query(sql);
    } finally {
      await c.end();
    }
  };
  const name = `gw_bench_${randomBytes(4).toString('hex')}`;
  await admin(`CREATE DATABASE ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const db = openPostgres(url.toString(), loadConfig({}).storeTimeouts);
  await runMigrations(db);
  return {
    db,
    /** A process of its own (a gateway under test) can open the same database. */
    url: url.toString(),
    drop: async () => {
      await db.close();
      await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    },
  };
}
