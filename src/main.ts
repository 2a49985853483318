import { buildApp } from './app.js';
import { ConfigError, loadConfig, readEnvironment } from './config.js';
import { createDeps } from './deps.js';
import './http/types.js';

/** Process entry: config → deps → app → listen; on SIGTERM/SIGINT stop accepting, drain, close. */
async function main() {
  const started = process.hrtime.bigint();
  const config = loadConfig(readEnvironment());
  const deps = await createDeps(config);
  const app = await buildApp(config, deps);
  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    app.log.info({ signal }, 'shutting down');
    const deadline = setTimeout(() => { app.log.error('shutdown deadline passed, exiting'); process.exit(1); }, config.env.SHUTDOWN_TIMEOUT_MS);
    deadline.unref();
    try {
      await app.close();
      await deps.close();
      process.exit(0);
    } catch (error) {
      app.log.error({ err: error }, 'error during shutdown');
      process.exit(1);
    }
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
  await app.listen({ port: config.env.PORT, host: config.env.HOST });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  app.log.info({ store: config.store.kind, startupMs: Math.round(ms) }, 'gateway ready');
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) {
    process.stderr.write(`${error.message}\n`);
  } else {
    process.stderr.write(`start-up failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  }
  process.exit(1);
});
