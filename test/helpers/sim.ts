import { createProviderSimulator, type ProviderSimulator } from '../../sim/provider-simulator.js';
import { createTestApp, type TestApp } from './app.js';

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
