import { createProviderSimulator } from './provider-simulator.js';
import type { WebhookFormat } from './types.js';

/**
 * `npm run sim`: the provider simulator as a standalone process for demos, browser tests and benches.
 * The simulator is not part of src/, so it reads its own environment here.
 */
const DEV_ADMIN_TOKEN = 'sim-admin-token';

function numberFromEnv(name: string): number | undefined {
  const value = process.env[name];
  if (value === undefined || value === '') return undefined;
  const parsed = Number(value);
  if (!Number.isFinite(parsed)) throw new Error(`${name} must be a number, got "${value}"`);
  return parsed;
}

async function main(): Promise<void> {
  const adminToken = process.env['WA_ADMIN_TOKEN'] || DEV_ADMIN_TOKEN;
  const format = process.env['WEBHOOK_FORMAT'];
  const sim = createProviderSimulator({
    adminToken,
    globalWebhookUrl: process.env['WA_GLOBAL_WEBHOOK'] || undefined,
    globalHmacKey: process.env['WA_GLOBAL_HMAC_KEY'] || undefined,
    webhookFormat: format === 'json' || format === 'form' ? (format as WebhookFormat) : undefined,
    connectStallMs: numberFromEnv('SIM_CONNECT_STALL_MS'),
    webhookRetryCount: numberFromEnv('WEBHOOK_RETRY_COUNT'),
    webhookRetryDelayMs: numberFromEnv('SIM_WEBHOOK_RETRY_DELAY_MS'),
  });
  const url = await sim.listen(numberFromEnv('SIM_PORT') ?? 8080, process.env['SIM_HOST'] || '127.0.0.1');
  const tokenNote = process.env['WA_ADMIN_TOKEN'] ? '' : ` (dev default admin token "${DEV_ADMIN_TOKEN}")`;
  console.log(`genfity-wa simulator listening on ${url}${tokenNote}`);
  const stop = (signal: string): void => {
    console.log(`${signal}: closing simulator`);
    void sim.close().then(() => process.exit(0));
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
