import type pg from 'pg';
import { AppError } from '../errors.js';
import { openDedicatedConnection, reasonOf } from './pg-connection.js';

// Any fixed number works; it only has to be the same in every instance (migrations use 7_070_001, the expiry sweep 7_070_002).
const LIFECYCLE_LOCK_KEY = 7_070_003;
/** Waits are asked for in slices, so a deadline or a client that left is noticed within one. */
const SLICE_MS = 250;

export interface LockLogger {
  warn(obj: object, msg: string): void;
}

export interface PgLockOptions {
  connectionString: string;
  /** DB_CONNECT_TIMEOUT_MS and DB_QUERY_TIMEOUT_MS, as the pool has them. */
  timeouts: { connectTimeoutMs: number; queryTimeoutMs: number };
  logger?: LockLogger;
  now?: () => number;
}

/**
 * The cluster-wide lifecycle lock (provider/lifecycle-lane.ts) as a session-level PostgreSQL advisory
 * lock on a connection of its own. PostgreSQL releases it the moment that connection ends: a holder
 * killed with SIGKILL frees it at once (its kernel closes the socket), a host that vanished within
 * ~20 s (keepalives, cluster/pg-connection.ts). Waiting is `pg_advisory_lock` under `lock_timeout`,
 * so waiters queue fairly in PostgreSQL and wake the moment the lock is free. Only one caller of this
 * process uses the connection at a time (the lane's queue sees to that).
 *
 * What no lock can do: fence genfity-wa. If the connection breaks while a call holds the lock (a
 * PostgreSQL restart, a network cut), PostgreSQL frees the lock while that provider call still runs,
 * and another instance may start one beside it. That is logged; the window is one provider call.
 */
export function createPgLifecycleLock(options: PgLockOptions) {
  const now = options.now ?? Date.now;
  let client: pg.Client | null = null;
  let opening: Promise<pg.Client> | null = null;
  let held = false;

  function forget(c: pg.Client, error: unknown): void {
    if (client !== c) return;
    client = null;
    if (held)
      options.logger?.warn(
        { reason: reasonOf(error) },
        'lifecycle lock connection lost while a provider call held it; another instance may now overlap that call',
      );
    void c.end().catch(() => undefined);
  }

  async function open(): Promise<pg.Client> {
    const c = await openDedicatedConnection({
      connectionString: options.connectionString,
      name: 'wa-gateway lifecycle lock',
      connectTimeoutMs: options.timeouts.connectTimeoutMs,
      // A statement's client-side bound: the longest lock wait slice, and what any statement may take.
      queryTimeoutMs: SLICE_MS + options.timeouts.queryTimeoutMs,
    });
    c.on('error', (error) => forget(c, error));
    c.on('end', () => forget(c, new Error('connection ended')));
    client = c;
    return c;
  }

  async function connection(): Promise<pg.Client> {
    if (client) return client;
    opening ??= open().finally(() => {
      opening = null;
    });
    return opening;
  }

  /** One slice of waiting: true when held, false when the slice ran out; throws when the connection failed. */
  async function trySlice(c: pg.Client, ms: number): Promise<boolean> {
    try {
      await c.query(`SET lock_timeout = ${Math.max(1, Math.ceil(ms))}; SELECT pg_advisory_lock(${LIFECYCLE_LOCK_KEY})`);
      return true;
    } catch (error) {
      if ((error as { code?: unknown }).code === '55P03') return false;
      forget(c, error);
      throw error;
    }
  }

  async function unlock(c: pg.Client): Promise<void> {
    held = false;
    // A connection that is gone took the lock with it.
    if (client !== c) return;
    await c.query(`SELECT pg_advisory_unlock(${LIFECYCLE_LOCK_KEY})`).catch((error: unknown) => forget(c, error));
  }

  async function acquire(deadline: number, signal?: AbortSignal): Promise<(() => Promise<void>) | null> {
    // A connection that broke while idle is found out on use: one fresh attempt, within the same deadline.
    for (let attempt = 0; ; attempt += 1) {
      try {
        const c = await connection();
        for (;;) {
          const left = deadline - now();
          if (left <= 0 || signal?.aborted) return null;
          if (!(await trySlice(c, Math.min(left, SLICE_MS)))) continue;
          if (signal?.aborted) {
            await unlock(c);
            return null;
          }
          held = true;
          return () => unlock(c);
        }
      } catch (error) {
        if (attempt >= 1 || now() >= deadline) throw new AppError('STORE_UNAVAILABLE', undefined, { 'retry-after': '1' });
        options.logger?.warn({ reason: reasonOf(error) }, 'lifecycle lock connection failed; reconnecting');
      }
    }
  }

  return {
    acquire,
    async close(): Promise<void> {
      const c = client;
      client = null;
      await c?.end().catch(() => undefined);
    },
  };
}
export type PgLifecycleLock = ReturnType<typeof createPgLifecycleLock>;
