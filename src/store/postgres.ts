import pg from 'pg';
import { INT8_OID, NUMERIC_OID, type Db, type Queryable } from './db.js';
import { storeError } from './errors.js';

const parseNumber = (value: string) => Number(value);

export function openPostgres(connectionString: string, poolSize = 10): Db {
  const pool = new pg.Pool({
    connectionString,
    max: poolSize,
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        oid === INT8_OID || oid === NUMERIC_OID ? parseNumber : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
    },
  });
  // An idle client that loses its connection emits here; without a listener the process would crash.
  pool.on('error', () => undefined);
  const run =
    (q: pg.Pool | pg.PoolClient): Queryable['query'] =>
    async (text, params) => {
      try {
        const result = await q.query(text, params as unknown[] | undefined);
        return { rows: result.rows, rowCount: result.rowCount ?? 0 };
      } catch (error) {
        throw storeError(error);
      }
    };
  const exec = (q: pg.Pool | pg.PoolClient) => async (script: string) => {
    await q.query(script);
  };
  return {
    kind: 'postgres',
    query: run(pool),
    exec: exec(pool),
    async tx(fn) {
      const client = await pool.connect().catch((error: unknown) => {
        throw storeError(error);
      });
      try {
        await client.query('BEGIN');
        const result = await fn({ query: run(client), exec: exec(client) });
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw storeError(error);
      } finally {
        client.release();
      }
    },
    stats: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount }),
    close: () => pool.end(),
  };
}
