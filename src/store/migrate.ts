import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MAINTENANCE_STATEMENT_TIMEOUT_MS, type Db } from './db.js';

const MIGRATIONS_DIR = fileURLToPath(new URL('./migrations/', import.meta.url));
// Any fixed number works; it only has to be the same in every instance of the gateway.
const MIGRATION_LOCK_KEY = 7_070_001;

interface Migration {
  id: number;
  name: string;
  sql: string;
}

export function listMigrations(dir = MIGRATIONS_DIR): Migration[] {
  return readdirSync(dir)
    .filter((file) => /^\d{3}_[\w-]+\.sql$/.test(file))
    .sort()
    .map((file) => ({ id: Number(file.slice(0, 3)), name: file, sql: readFileSync(join(dir, file), 'utf8') }));
}

/**
 * Applies pending migrations in one transaction under a transaction-scoped advisory lock, so two
 * instances starting together apply each migration exactly once (issue 2). Migrations only add:
 * a database made by the Go service is adopted in place, with every row kept.
 */
export async function runMigrations(db: Db, migrations = listMigrations()): Promise<string[]> {
  return db.tx(
    async (q) => {
      await q.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY]);
      await q.query(`CREATE TABLE IF NOT EXISTS gateway_migrations (
      id integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
      const { rows } = await q.query<{ id: number }>('SELECT id FROM gateway_migrations');
      const applied = new Set(rows.map((r) => r.id));
      const done: string[] = [];
      for (const migration of migrations.filter((m) => !applied.has(m.id))) {
        await q.exec(migration.sql);
        await q.query('INSERT INTO gateway_migrations (id, name) VALUES ($1, $2)', [migration.id, migration.name]);
        done.push(migration.name);
      }
      return done;
    },
    { statementTimeoutMs: MAINTENANCE_STATEMENT_TIMEOUT_MS },
  );
}
