import type { Queryable } from './db.js';

/** The cheapest statement that proves the store answers (readiness, SPEC §7). */
export async function pingStore(q: Queryable): Promise<void> {
  await q.query('SELECT 1');
}
