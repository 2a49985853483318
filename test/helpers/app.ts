import { buildApp, type App } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { createDeps, type Deps, type DepsOverrides } from '../../src/deps.js';
import type { JobName } from '../../src/jobs-deps.js';
import '../../src/http/types.js';
import { createManualClock, type ManualClock } from '../../src/lib/clock.js';
import type { Db } from '../../src/store/index.js';
import { openTestStore } from './store.js';

export const GLOBAL_KEY = 'test-global-key';
export const SCOPED_KEY = 'test-app-key';
export const OTHER_SCOPED_KEY = 'test-other-key';
/** Tests run with secrets encrypted at rest, as an embedded-store gateway does. */
export const TEST_ENCRYPTION_KEY = Buffer.alloc(32, 7);
export const TEST_INTERNAL_KEYS = `app:${SCOPED_KEY},other:${OTHER_SCOPED_KEY},${GLOBAL_KEY}`;

export interface TestApp {
  app: App;
  deps: Deps;
  db: Db;
  clock: ManualClock;
  close(): Promise<void>;
}

/**
 * The jobs a test app starts unless told otherwise: the webhook outbox and the counter flush, and the
 * Redis connection when REDIS_URL is set. The expiry sweep runs on wall time (tests call `runOnce` on
 * the manual clock), relay re-pointing is started by its tests, and process metrics by the one that reads them.
 */
export const TEST_JOBS: readonly JobName[] = ['redis', 'webhookOutbox', 'counterFlush'];

/**
 * The real app on a real, fresh store of the kind under test, with a clock the test moves.
 * Pass `db` to run on a store the test prepared (for example an adopted Go database), and `jobs`
 * to start other background jobs than TEST_JOBS (`[]`: none).
 */
export async function createTestApp(
  options: { env?: Record<string, string>; db?: Db; now?: string; overrides?: DepsOverrides; jobs?: readonly JobName[] } = {},
): Promise<TestApp> {
  const store = options.db ? null : await openTestStore();
  const db = options.db ?? store!.db;
  const clock = createManualClock(options.now ?? '2026-06-01T00:00:00Z');
  // Limits high enough for suites that fire hundreds of requests from one address; the limiter has tests of its own.
  const config = loadConfig({
    INTERNAL_API_KEYS: TEST_INTERNAL_KEYS,
    LOG_LEVEL: 'silent',
    PUBLIC_RATE_LIMIT_MAX_REQUEST: '1000000',
    PUBLIC_SPAM_MAX_PER_10S: '1000000',
    ...options.env,
  });
  const deps = await createDeps(config, { encryptionKey: TEST_ENCRYPTION_KEY, ...options.overrides, db, clock });
  const app = await buildApp(config, deps, { logger: false });
  await app.ready();
  deps.start(options.jobs ?? TEST_JOBS);
  return {
    app,
    deps,
    db,
    clock,
    async close() {
      await app.close();
      await deps.close();
      await store?.close();
    },
  };
}

export const internal = (key = GLOBAL_KEY) => ({ 'x-internal-api-key': key });
export const customer = (key: string) => ({ 'x-api-key': key });
