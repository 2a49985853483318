/** What every store function needs: run one statement. Implemented by a pool, a client and PGlite. */
export interface Queryable {
  query<Row = Record<string, unknown>>(text: string, params?: readonly unknown[]): Promise<{ rows: Row[]; rowCount: number }>;
  /** Runs a script of several statements without parameters (migrations). */
  exec(script: string): Promise<void>;
}

/**
 * Pruning: runs `sql`, a `DELETE` of at most `$2` rows older than `$1`, until it deletes fewer than
 * `batch`; how many went in all. Each batch is its own statement, so no statement holds locks and
 * writes WAL for an hour's or a year's rows at once.
 */
export async function deleteInBatches(q: Queryable, sql: string, before: Date, batch: number): Promise<number> {
  let total = 0;
  for (;;) {
    const { rowCount } = await q.query(sql, [before, batch]);
    total += rowCount;
    if (rowCount < batch) return total;
  }
}

/** The statement deadline of maintenance transactions: long, but a deadline still. */
export const MAINTENANCE_STATEMENT_TIMEOUT_MS = 10 * 60_000;

export interface TxOptions {
  /**
   * The deadline of each statement of this transaction, in place of DB_QUERY_TIMEOUT_MS, for the few
   * that may rightly run long: migrations, secret rewrites, and their waits for another instance.
   */
  statementTimeoutMs?: number;
}

/** The store: PostgreSQL or the embedded PGlite, behind one small interface (STYLE: store/index.ts). */
export interface Db extends Queryable {
  readonly kind: 'postgres' | 'pglite';
  /** Runs `fn` in one transaction; commits when it resolves, rolls back when it throws. */
  tx<T>(fn: (q: Queryable) => Promise<T>, options?: TxOptions): Promise<T>;
  /** Pool figures for metrics; PGlite has a single connection. */
  stats(): { total: number; idle: number; waiting: number };
  close(): Promise<void>;
}

// int8 (count(*), bigserial ids, counters) arrive as strings by default; every value this service
// keeps in an int8 stays far below 2^53, so numbers are safe and keep the JSON shapes of the Go service.
export const INT8_OID = 20;
export const NUMERIC_OID = 1700;
