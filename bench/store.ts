import { loadConfig } from '../src/config.js';
import type { Db, Queryable } from '../src/store/index.js';
import { runMigrations } from '../src/store/migrate.js';
import { openPglite } from '../src/store/pglite.js';
import { openPostgres } from '../src/store/postgres.js';
import { throwawayDatabase } from './harness.js';

/** A fresh, migrated store for one benchmark run: its own PostgreSQL database, or an in-memory PGlite. */
export async function openBenchStore(kind: 'postgres' | 'pglite'): Promise<{ db: Db; url: string | null; drop(): Promise<void> }> {
  if (kind === 'pglite') {
    const db = await openPglite(null);
    await runMigrations(db);
    return { db, url: null, drop: () => db.close() };
  }
  const database = await throwawayDatabase();
  const db = openPostgres(database.url, loadConfig({}).storeTimeouts);
  await runMigrations(db);
  return {
    db,
    /** A process of its own (a gateway under test) can open the same database. */
    url: database.url,
    drop: async () => {
      await db.close();
      await database.drop();
    },
  };
}

/**
 * `db`, counting every statement under `labelOf(sql)` (null: not counted) and every transaction as
 * `BEGIN`; `take()` answers the counts since the last take.
 */
export function countingStore(db: Db, labelOf: (sql: string) => string | null) {
  const counts = new Map<string, number>();
  const add = (label: string | null) => {
    if (label !== null) counts.set(label, (counts.get(label) ?? 0) + 1);
  };
  const wrap = (q: Queryable): Queryable => ({
    query: (text, params) => {
      add(labelOf(text));
      return q.query(text, params);
    },
    exec: (script) => {
      add(labelOf(script));
      return q.exec(script);
    },
  });
  const counted: Db = {
    ...wrap(db),
    kind: db.kind,
    tx: (fn, options) => {
      add('BEGIN');
      return db.tx((q) => fn(wrap(q)), options);
    },
    stats: () => db.stats(),
    close: () => db.close(),
  };
  return {
    db: counted,
    take(): Map<string, number> {
      const taken = new Map(counts);
      counts.clear();
      return taken;
    },
  };
}
