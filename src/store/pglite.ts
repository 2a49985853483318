import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { storeError } from './errors.js';
import { INT8_OID, NUMERIC_OID, type Db, type Queryable } from './db.js';

/**
 * The embedded store: PostgreSQL compiled to WASM, one connection, in a data directory (or memory).
 * The statement deadlines of PostgreSQL (issue 11 §8) have nothing to act on here: there is no
 * network to go silent, and a statement runs inside this process until it is done.
 */
export async function openPglite(dataDir: string | null): Promise<Db> {
  if (dataDir) mkdirSync(dataDir, { recursive: true });
  const parsers = { [INT8_OID]: (v: string) => Number(v), [NUMERIC_OID]: (v: string) => Number(v) };
  const pglite = await PGlite.create(dataDir ?? undefined, { parsers });
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
