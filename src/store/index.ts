import type { StoreTarget, StoreTimeouts } from '../config.js';
import type { Db } from './db.js';
import { runMigrations } from './migrate.js';
import { openPglite } from './pglite.js';
import { openPostgres } from './postgres.js';

export { MAINTENANCE_STATEMENT_TIMEOUT_MS, type Db, type Queryable, type TxOptions } from './db.js';

/** Opens the configured store and brings its schema up to date before anything else uses it. */
export async function openStore(target: StoreTarget, timeouts: StoreTimeouts): Promise<Db> {
  const db = target.kind === 'postgres' ? openPostgres(target.connectionString, timeouts) : await openPglite(target.dataDir);
  try {
    await runMigrations(db);
    return db;
  } catch (error) {
    await db.close().catch(() => undefined);
    throw error;
  }
}
