import { existsSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'vite';
import { buildApp, type App } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { createDeps, type Deps, type DepsOverrides } from '../../src/deps.js';
import '../../src/http/types.js';
import { createManualClock, type ManualClock } from '../../src/lib/clock.js';
import { defaultWebRoot, webRoutes } from '../../src/routes/ops/web.js';
import { createProviderSimulator, type ProviderSimulator } from '../../sim/provider-simulator.js';
import { TEST_INTERNAL_KEYS, TEST_JOBS } from './app.js';
import { SIM_ADMIN_TOKEN } from './sim.js';
import { openTestStore } from './store.js';

const root = new URL('../../', import.meta.url).pathname;

/**
 * `web/dist` as `npm run build:web` makes it; built here when missing so a single test file can run
 * on its own. The build goes to a fresh folder that is renamed into place, so two test projects
 * starting together never see a half-written one.
 */
export async function ensureWebBuilt(): Promise<string> {
  const dist = defaultWebRoot();
  if (existsSync(join(dist, 'index.html'))) return dist;
  const staging = mkdtempSync(join(root, 'web', '.dist-'));
  await build({ configFile: join(root, 'web', 'vite.config.ts'), logLevel: 'warn', build: { outDir: staging, emptyOutDir: true } });
  try {
    renameSync(staging, dist);
  } catch {
    rmSync(staging, { recursive: true, force: true });
  }
  return dist;
}

export interface WebConsoleApp {
  app: App;
  deps: Deps;
  sim: ProviderSimulator;
  url: string;
  clock: ManualClock;
  close(): Promise<void>;
}

/**
 * The whole gateway as `createAppWithSimulator` builds it, with the web console on it, listening
 * on a real port for a real browser. When `buildApp` registers the console itself, that one is used.
 */
export async function createWebConsoleApp(
  options: { now?: string; env?: Record<string, string>; overrides?: DepsOverrides } = {},
): Promise<WebConsoleApp> {
  const webRoot = await ensureWebBuilt();
  const sim = createProviderSimulator({ adminToken: SIM_ADMIN_TOKEN, connectStallMs: 200, webhookRetryCount: 1 });
  await sim.listen(0);
  const store = await openTestStore();
  const config = loadConfig({
    INTERNAL_API_KEYS: TEST_INTERNAL_KEYS,
    LOG_LEVEL: 'silent',
    WA_SERVER_URL: sim.url,
    WA_ADMIN_TOKEN: SIM_ADMIN_TOKEN,
    PROVIDER_TIMEOUT_MS: '1000',
    PROVIDER_LONG_TIMEOUT_MS: '3000',
    // The customer's webhook in these tests is a receiver on loopback; the browser and the test's
    // own calls share one address, so the public limits are lifted as in createTestApp.
    WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true',
    PUBLIC_RATE_LIMIT_MAX_REQUEST: '1000000',
    PUBLIC_SPAM_MAX_PER_10S: '1000000',
    ...options.env,
  });
  const clock = createManualClock(options.now ?? '2026-06-01T00:00:00Z');
  const deps = await createDeps(config, { ...options.overrides, db: store.db, clock });
  const app = await buildApp(config, deps, { logger: false });
  deps.start(TEST_JOBS);
  if (!app.hasRoute({ method: 'GET', url: '/dashboard' })) await app.register(webRoutes, { root: webRoot });
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  return {
    app,
    deps,
    sim,
    url,
    clock,
    async close() {
      await app.close();
      await deps.close();
      await store.close();
      await sim.close();
    },
  };
}
