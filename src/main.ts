import { buildApp, type App } from './app.js';
import { ConfigError, loadConfig, readEnvironment } from './config.js';
import { createDeps, type Deps } from './deps.js';
import './http/types.js';

/**
 * SPEC §7 shutdown: stop accepting and drain the requests in flight (idle keep-alive sockets closed,
 * answers sent with `Connection: close`, late arrivals on busy sockets answered 503: app.ts and
 * http/drain.ts), then flush counters, hand quota back and close the store. Past `timeoutMs` the connections still open are cut, so the counters are flushed anyway;
 * a close that itself hangs (a store that never answers) ends the process a little later.
 */
async function closeGracefully(app: App, deps: Deps, timeoutMs: number): Promise<void> {
  const drain = setTimeout(() => {
    app.log.warn({ timeoutMs }, 'drain deadline passed; closing the connections still open');
    app.server.closeAllConnections();
  }, timeoutMs);
  const hard = setTimeout(() => {
    app.log.error('shutdown did not finish; exiting');
    process.exit(1);
  }, timeoutMs + 10_000);
  hard.unref();
  try {
    await app.close();
  } finally {
    clearTimeout(drain);
  }
  await deps.close();
}

/** Process entry: config → deps → app → listen; on SIGTERM/SIGINT stop accepting, drain, close. */
async function main() {
  const started = process.hrtime.bigint();
  const config = loadConfig(readEnvironment());
  const deps = await createDeps(config);
  const app = await buildApp(config, deps);
  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    app.log.info({ signal }, 'shutting down');
    closeGracefully(app, deps, config.env.SHUTDOWN_TIMEOUT_MS).then(
      () => {
        app.log.info('shut down cleanly');
        process.exit(0);
      },
      (error: unknown) => {
        app.log.error({ err: error }, 'error during shutdown');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  deps.start();
  await app.listen({ port: config.env.PORT, host: config.env.HOST });
  // Built in deps, started here: sessions provisioned without the relay are pointed at it in the background.
  deps.relayRepoint?.start();
  // Reconciliation with the provider's session status (SPEC §10), one instance at a time.
  deps.sessionChecks.start();
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
