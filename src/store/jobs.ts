import type { Queryable } from './db.js';

/**
 * Takes a transaction-level advisory lock without waiting: true when this transaction holds it, false
 * when another one does. It is released by the commit or rollback; nothing can leak it.
 */
export async function tryJobLock(q: Queryable, key: number): Promise<boolean> {
  const { rows } = await q.query<{ locked: boolean }>('SELECT pg_try_advisory_xact_lock($1) AS locked', [key]);
  return rows[0]?.locked === true;
}

/** Records that `job` runs for `tick`; false when it already ran for this tick or a later one. */
export async function claimJobTick(q: Queryable, job: string, tick: Date, now: Date): Promise<boolean> {
  const { rows } = await q.query(
    `INSERT INTO gateway_job_ticks AS t (job, last_tick, ran_at) VALUES ($1, $2, $3)
     ON CONFLICT (job) DO UPDATE SET last_tick = EXCLUDED.last_tick, ran_at = EXCLUDED.ran_at WHERE t.last_tick < EXCLUDED.last_tick
     RETURNING job`,
    [job, tick, now],
  );
  return rows.length === 1;
}

/**
 * Takes or renews the lease of `job` for `holder` until `until`: true when `holder` holds it now. A
 * lease held by another holder is taken over only once it has run out (`now` is past it).
 */
export async function claimJobLease(q: Queryable, job: string, holder: string, now: Date, until: Date): Promise<boolean> {
  const { rows } = await q.query(
    `INSERT INTO gateway_job_leases AS l (job, holder, expires_at) VALUES ($1, $2, $4)
     ON CONFLICT (job) DO UPDATE SET holder = EXCLUDED.holder, expires_at = EXCLUDED.expires_at
       WHERE l.holder = EXCLUDED.holder OR l.expires_at < $3
     RETURNING job`,
    [job, holder, now, until],
  );
  return rows.length === 1;
}

/** Gives the lease of `job` up, if `holder` still holds it. */
export async function releaseJobLease(q: Queryable, job: string, holder: string): Promise<void> {
  await q.query('DELETE FROM gateway_job_leases WHERE job = $1 AND holder = $2', [job, holder]);
}

/** The last tick `job` ran for, or null when it never ran. */
export async function findJobTick(q: Queryable, job: string): Promise<Date | null> {
  const { rows } = await q.query<{ last_tick: Date }>('SELECT last_tick FROM gateway_job_ticks WHERE job = $1', [job]);
  return rows[0] ? new Date(rows[0].last_tick) : null;
}
