import { createProviderSimulator, type ProviderSimulator } from '../../sim/provider-simulator.js';
import { createTestApp, type TestApp } from './app.js';
import { fileScoped } from './file-scope.js';

export const SIM_ADMIN_TOKEN = 'sim-admin-token-for-tests';

/** The provider simulator as a real HTTP server on a free port, and the app pointed at it. */
export async function createAppWithSimulator(
  options: Parameters<typeof createTestApp>[0] = {},
): Promise<TestApp & { sim: ProviderSimulator }> {
  const sim = createProviderSimulator({ adminToken: SIM_ADMIN_TOKEN, connectStallMs: 200, webhookRetryCount: 1 });
  await sim.listen(0);
  const t = await createTestApp({
    ...options,
    env: {
      WA_SERVER_URL: sim.url,
      WA_ADMIN_TOKEN: SIM_ADMIN_TOKEN,
      PROVIDER_TIMEOUT_MS: '1000',
      PROVIDER_LONG_TIMEOUT_MS: '3000',
      ...options.env,
    },
  }).catch(async (error: unknown) => {
    await sim.close();
    throw error;
  });
  return {
    ...t,
    sim,
    close: async () => {
      await t.close();
      await sim.close();
    },
  };
}

/**
 * The app and simulator of one test file: started before its first test, closed after its last.
 * Usable in the tests and hooks themselves, not while the file is being collected.
 */
export function fileAppWithSimulator(
  options?: Parameters<typeof createAppWithSimulator>[0],
): Awaited<ReturnType<typeof createAppWithSimulator>> {
  return fileScoped('the file app', async () => {
    const t = await createAppWithSimulator(options);
    return { value: t, close: t.close };
  });
}
