import pg from 'pg';
import type { StoreTimeouts } from '../config.js';
import { INT8_OID, NUMERIC_OID, type Db, type Queryable, type TxOptions } from './db.js';
import { isStoreUnreachable, storeError } from './errors.js';

const parseNumber = (value: string) => Number(value);
// The client waits this much longer than the server's statement_timeout: a database that answers
// cancels the statement itself and the connection is kept; only a silent one is given up on here.
const CLIENT_GRACE_MS = 1_000;
// TCP keepalive on every connection, so a peer that vanished without a word is found on idle ones too.
const KEEPALIVE_DELAY_MS = 10_000;

/**
 * Every wait on PostgreSQL is bounded (issue 11 §8): opening a connection or waiting for a free one
 * (`connectTimeoutMs`), each statement on the server (`statement_timeout`) and on the client
 * (`query_timeout`, for a server or network that went silent), and a transaction left idle by a
 * stalled caller (`idle_in_transaction_session_timeout`, which frees its locks on the server).
 */
function poolOptions(connectionString: string, t: StoreTimeouts, max: number): pg.PoolConfig {
  return {
    connectionString,
    max,
    connectionTimeoutMillis: t.connectTimeoutMs,
    idleTimeoutMillis: 30_000,
    statement_timeout: t.queryTimeoutMs,
    query_timeout: t.queryTimeoutMs + CLIENT_GRACE_MS,
    idle_in_transaction_session_timeout: t.queryTimeoutMs,
    keepAlive: true,
    keepAliveInitialDelayMillis: KEEPALIVE_DELAY_MS,
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        oid === INT8_OID || oid === NUMERIC_OID ? parseNumber : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
    },
  };
}

/** Statements on one pooled client; `broken` once the connection can no longer be trusted. */
function clientSession(client: pg.PoolClient, queryTimeoutMs: number) {
  let broken = false;
  const query: Queryable['query'] = async (text, params) => {
    try {
      // pg reads a per-statement query_timeout that its types do not declare.
      const config = { text, values: params as unknown[] | undefined, query_timeout: queryTimeoutMs } as pg.QueryConfig;
      const result = await client.query(config);
      return { rows: result.rows, rowCount: result.rowCount ?? 0 };
    } catch (error) {
      // A statement that got no answer in time may still be running there: nothing else may follow it.
      if (isStoreUnreachable(error)) broken = true;
      throw storeError(error);
    }
  };
  return {
    session: {
      query,
      exec: async (script: string) => {
        await query(script);
      },
    },
    get broken() {
      return broken;
    },
  };
}

export function openPostgres(connectionString: string, timeouts: StoreTimeouts, poolSize = 10): Db {
  const pool = new pg.Pool(poolOptions(connectionString, timeouts, poolSize));
  // An idle client that loses its connection emits here; without a listener the process would crash.
  pool.on('error', () => undefined);
  const query: Queryable['query'] = async (text, params) => {
    try {
      // On an error pg-pool discards the client, so one whose statement timed out is never reused.
      const result = await pool.query(text, params as unknown[] | undefined);
      return { rows: result.rows, rowCount: result.rowCount ?? 0 };
    } catch (error) {
      throw storeError(error);
    }
  };

  async function tx<T>(fn: (q: Queryable) => Promise<T>, options: TxOptions = {}): Promise<T> {
    const client = await pool.connect().catch((error: unknown) => {
      throw storeError(error);
    });
    const deadline = options.statementTimeoutMs;
    const run = clientSession(client, (deadline ?? timeouts.queryTimeoutMs) + CLIENT_GRACE_MS);
    try {
      await run.session.query('BEGIN');
      if (deadline !== undefined) await run.session.query(`SET LOCAL statement_timeout = ${Math.trunc(deadline)}`);
      const result = await fn(run.session);
      await run.session.query('COMMIT');
      client.release();
      return result;
    } catch (error) {
      // A broken connection is closed, which rolls the transaction back on the server; no ROLLBACK waits on it.
      const clean =
        !run.broken &&
        (await client.query('ROLLBACK').then(
          () => true,
          () => false,
        ));
      client.release(clean ? undefined : new Error('connection discarded after a failed transaction'));
      throw storeError(error);
    }
  }

  return {
    kind: 'postgres',
    query,
    exec: async (script) => {
      await query(script);
    },
    tx,
    stats: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount }),
    close: () => pool.end(),
  };
}
