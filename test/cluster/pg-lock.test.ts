import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPgLifecycleLock } from '../../src/cluster/pg-lock.js';
import { createTestDatabase, type TestDatabase } from '../helpers/store.js';
import { waitFor } from '../helpers/wait.js';

// Issue 13 item 1: the cluster-wide lifecycle lock is a session-level advisory lock on a connection of
// its own. Two locks here stand for two instances on one database.
const TIMEOUTS = { connectTimeoutMs: 5_000, queryTimeoutMs: 5_000 };
let database: TestDatabase;
const locks: Array<ReturnType<typeof createPgLifecycleLock>> = [];
const newLock = () => {
  const lock = createPgLifecycleLock({ connectionString: database.url!, timeouts: TIMEOUTS });
  locks.push(lock);
  return lock;
};

async function admin(sql: string) {
  const client = new pg.Client({ connectionString: database.url! });
  await client.connect();
  try {
    return (await client.query(sql)).rows;
  } finally {
    await client.end();
  }
}

beforeAll(async () => {
  database = await createTestDatabase('postgres');
});
afterAll(async () => {
  for (const lock of locks) await lock.close();
  await database.drop();
});

describe('PostgreSQL lifecycle lock', () => {
  it('one holder at a time across instances; a waiter gets it the moment it is released', async () => {
    const a = newLock();
    const b = newLock();
    const release = await a.acquire(Date.now() + 1_000);
    expect(release).not.toBeNull();
    const waiting = b.acquire(Date.now() + 5_000);
    // b is queued in PostgreSQL behind a (its advisory lock asked for, not granted): it has not got it.
    const waiter = `SELECT 1 FROM pg_locks l JOIN pg_database d ON d.oid = l.database
      WHERE d.datname = current_database() AND l.locktype = 'advisory' AND NOT l.granted`;
    const queued = waitFor(async () => (await admin(waiter)).length > 0, {
      what: 'the second lock waiting in PostgreSQL',
      intervalMs: 20,
    }).then(() => 'still waiting');
    const raced = await Promise.race([waiting, queued]);
    expect(raced).toBe('still waiting');
    const released = Date.now();
    await release!();
    const next = await waiting;
    expect(next).not.toBeNull();
    expect(Date.now() - released).toBeLessThan(200);
    await next!();
  });

  it('gives up at the deadline (null) and when the signal aborts; the lock is not left behind', async () => {
    const a = newLock();
    const b = newLock();
    const release = await a.acquire(Date.now() + 1_000);
    const started = Date.now();
    expect(await b.acquire(Date.now() + 400)).toBeNull();
    expect(Date.now() - started).toBeGreaterThanOrEqual(390);
    expect(Date.now() - started).toBeLessThan(1_500);
    const gone = new AbortController();
    const waiting = b.acquire(Date.now() + 10_000, gone.signal);
    gone.abort();
    expect(await waiting).toBeNull();
    await release!();
    const again = await b.acquire(Date.now() + 1_000);
    expect(again).not.toBeNull();
    await again!();
  });

  it('a holder whose connection dies (its process killed) frees the lock at once', async () => {
    const a = newLock();
    const b = newLock();
    await a.acquire(Date.now() + 1_000);
    const waiting = b.acquire(Date.now() + 10_000);
    // What SIGKILL does to the holder's socket, done from the server's side.
    await admin(
      `SELECT pg_terminate_backend(l.pid) FROM pg_locks l WHERE l.locktype = 'advisory' AND l.granted AND l.pid <> pg_backend_pid()`,
    );
    const started = Date.now();
    const next = await waiting;
    expect(next).not.toBeNull();
    expect(Date.now() - started).toBeLessThan(2_000);
    await next!();
    // The instance whose connection died opens a new one on its next call.
    const back = await a.acquire(Date.now() + 2_000);
    expect(back).not.toBeNull();
    await back!();
  });

  it('PostgreSQL unreachable: a typed 503 STORE_UNAVAILABLE, not a hang', async () => {
    const lock = createPgLifecycleLock({ connectionString: 'postgres://postgres@127.0.0.1:1/none', timeouts: TIMEOUTS });
    locks.push(lock);
    await expect(lock.acquire(Date.now() + 2_000)).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' });
  });
});
