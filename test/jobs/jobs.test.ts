import { createHook } from 'node:async_hooks';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createDeps } from '../../src/deps.js';
import { createManualClock } from '../../src/lib/clock.js';
import { TEST_ENCRYPTION_KEY, TEST_INTERNAL_KEYS } from '../helpers/app.js';
import { openTestStore } from '../helpers/store.js';
import { REDIS_URL } from '../limits/helpers.js';

// Issue 14 §4: createDeps builds, main.ts starts. Every timer and socket made while building is watched
// (async_hooks): only the store's own (its pool, the embedded database) may be open once createDeps
// has returned. `start` then starts the jobs, and `close` stops what they started.
const WATCHED = new Set(['Timeout', 'TCPWRAP', 'TCPCONNECTWRAP']);
// The store is opened while building (the secrets check reads it): its query deadlines and idle timers are its own.
const STORE_FRAMES = /node_modules\/(pg|pg-pool|pg-protocol|@electric-sql)\//;

function watchResources() {
  const live = new Map<number, { type: string; stack: string }>();
  const hook = createHook({
    init(id, type) {
      if (!WATCHED.has(type)) return;
      const stack = new Error().stack ?? '';
      if (!STORE_FRAMES.test(stack)) live.set(id, { type, stack });
    },
    destroy(id) {
      live.delete(id);
    },
  });
  hook.enable();
  return {
    live: () => [...live.values()],
    stop: () => hook.disable(),
  };
}

const settle = async () => {
  for (let i = 0; i < 5; i += 1) await new Promise((resolve) => setImmediate(resolve));
};

describe('createDeps builds, start() starts', () => {
  it('builds every service and job without a timer, loop or connection; start runs the jobs; close stops them', async () => {
    const store = await openTestStore();
    const config = loadConfig({
      INTERNAL_API_KEYS: TEST_INTERNAL_KEYS,
      LOG_LEVEL: 'silent',
      REDIS_URL,
      REDIS_KEY_PREFIX: `wa-gw-test:deps-${Date.now()}:`,
      // On PostgreSQL the cluster parts have connections of their own too (lock, LISTEN, key store).
      ...(store.database.url ? { DATABASE_URL: store.database.url } : {}),
      GATEWAY_PUBLIC_URL: 'http://127.0.0.1:9',
    });
    const watch = watchResources();
    try {
      const deps = await createDeps(config, { db: store.db, clock: createManualClock(), encryptionKey: TEST_ENCRYPTION_KEY });
      await settle();
      expect(
        watch.live().map((r) => `${r.type}\n${r.stack}`),
        'nothing runs before start',
      ).toEqual([]);
      expect(deps.jobs.expirySweep.nextRun()).toBeNull();

      deps.start();
      await settle();
      expect(deps.jobs.expirySweep.nextRun(), 'the schedule is set').not.toBeNull();
      // A connection still being opened (TCPCONNECTWRAP: the session checks' or the bus's first query) is a connection too.
      const started = new Set(watch.live().map((r) => (r.type === 'TCPCONNECTWRAP' ? 'TCPWRAP' : r.type)));
      expect(started, 'job timers and the Redis connection').toEqual(new Set(['Timeout', 'TCPWRAP']));

      await deps.close();
      await settle();
      expect(deps.jobs.expirySweep.nextRun()).toBeNull();
      expect(
        watch.live().filter((r) => r.type === 'Timeout' && /\/src\/jobs\//.test(r.stack)),
        'no job timer outlives close',
      ).toEqual([]);
    } finally {
      watch.stop();
      await store.close();
    }
    // Every part of the gateway is built and closed here, on the embedded store too: slow on a busy machine.
  }, 90_000);
});
