import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Config } from './config.js';
import { createRelayRepointJob } from './jobs/relay-repoint.js';
import { startWebhookJob } from './jobs/webhook-delivery.js';
import { systemSleep, type Clock, type Sleep } from './lib/clock.js';
import type { Random } from './lib/ids.js';
import type { Metrics } from './lib/metrics.js';
import { createCounter } from './limits/counter.js';
import { createRedisHealth } from './limits/redis-health.js';
import { createWebhookClient, type Lookup } from './outbound/webhook-client.js';
import type { ProviderClient } from './provider/client.js';
import type { RelayConfig } from './services/relay.js';
import { createRelayRepoint } from './services/relay-repoint.js';
import type { SecretCodec } from './services/secret-codec.js';
import type { SessionStates } from './services/session-states.js';
import { createWebhookAuthGuard } from './services/webhook-auth-guard.js';
import { createWebhookDelivery } from './services/webhook-delivery.js';
import { createWebhookInbound } from './services/webhook-inbound.js';
import { createWebhookOccurrences, MESSAGE_REPEAT_MS } from './services/webhook-occurrences.js';
import { createWebhookOutbox } from './services/webhook-outbox.js';
import { createWebhookProcessing } from './services/webhook-processing.js';
import type { Db } from './store/index.js';
import { countPendingDeliveries, pruneWebhookRecords } from './store/webhooks.js';

// The webhook half of the composition root (deps.ts): provider events in, customer deliveries out.

/** What the webhook parts stand on, built by deps.ts. */
export interface WebhookFoundations {
  env: Config['env'];
  clock: Clock;
  logger: Logger;
  db: Db;
  metrics: Metrics;
  codec: SecretCodec;
  redis: Redis | undefined;
  provider: Pick<ProviderClient, 'markRead'>;
  relay: RelayConfig;
}

/**
 * Failed provider-webhook signatures per address (issue 11 §2): in Redis when it is configured, so
 * every instance refuses an address that fails on any of them; in memory otherwise.
 */
function webhookAuthFailures(f: WebhookFoundations) {
  const { env } = f;
  const health = f.redis && createRedisHealth(f.redis, { clock: f.clock, logger: f.logger, probeIntervalMs: 1_000 });
  const counter = createCounter(
    {
      name: 'webhook-auth',
      points: env.WEBHOOK_AUTH_FAILURE_LIMIT,
      windowSeconds: 60,
      blockSeconds: Math.round(env.WEBHOOK_AUTH_BLOCK_MINUTES * 60),
    },
    { keyPrefix: env.REDIS_KEY_PREFIX, redis: f.redis && health ? { client: f.redis, health, timeoutMs: 250 } : undefined },
  );
  return { counter, close: () => health?.close() };
}

/** What provider events do to session health (SPEC §10): state through `states`, every event heard. */
export interface WebhookHealthHooks {
  states: Pick<SessionStates, 'apply' | 'announce'>;
  onRecorded: (sessionRowId: number, stored: boolean) => void;
}

/** Provider events in, customer deliveries out (SPEC §6), and the job that works the outbox. */
export function createWebhookParts(
  f: WebhookFoundations,
  config: Readonly<Config>,
  lookup: Lookup | undefined,
  health: WebhookHealthHooks,
) {
  const { env, db, clock, codec, metrics } = f;
  const onError = (err: unknown) => f.logger.error({ err }, 'webhook processing failed');
  const processing = createWebhookProcessing({ db, clock, autoRead: { provider: f.provider, codec }, states: health.states, onError });
  const failures = webhookAuthFailures(f);
  const inbound = createWebhookInbound({
    db,
    codec,
    settings: { globalHmacKey: env.WA_GLOBAL_HMAC_KEY ?? null, maxBodyBytes: env.GATEWAY_MAX_BODY_BYTES },
    guard: createWebhookAuthGuard({ failures: failures.counter }),
    occurrences: createWebhookOccurrences({ db, clock, relay: f.relay, processing, onRecorded: health.onRecorded }),
  });
  const client = createWebhookClient({
    allowPrivateTargets: env.WEBHOOK_ALLOW_PRIVATE_TARGETS,
    timeoutMs: env.WEBHOOK_TIMEOUT_MS,
    ...(lookup ? { lookup } : {}),
  });
  const delivery = createWebhookDelivery({
    db,
    clock,
    client,
    codec,
    observer: metrics,
    policy: { retryScheduleMs: config.webhookRetryScheduleMs },
  });
  const outbox = createWebhookOutbox({
    db,
    clock,
    delivery,
    policy: { concurrency: env.WEBHOOK_CONCURRENCY, perTenant: env.WEBHOOK_TENANT_CONCURRENCY, leaseMs: env.WEBHOOK_TIMEOUT_MS * 3 },
    onError: (err: unknown) => f.logger.error({ err }, 'webhook delivery failed'),
  });
  const ago = (ms: number) => new Date(clock.now().getTime() - ms);
  const job = startWebhookJob({
    outbox,
    processing,
    clock,
    log: f.logger,
    reportDepth: async () => metrics.setWebhookQueueDepth(await countPendingDeliveries(db)),
    prune: () => pruneWebhookRecords(db, ago(env.WEBHOOK_RETENTION_HOURS * 3_600_000), ago(MESSAGE_REPEAT_MS)),
  });
  const close = async () => {
    await job.stop();
    await client.close();
    failures.close();
  };
  return { inbound, outbox, job, close };
}

/** The longest pause after a session the re-pointing could not point; the pause doubles up to it while they fail. */
const REPOINT_FAILURE_PAUSE_MS = 5_000;
const REPOINT_RETRY_MS = 30_000;

/**
 * Switching the relay on for sessions provisioned without it (issue 12 §1): built here, started by
 * main.ts; null in direct mode. Its lease outlasts one session's work — three provider calls and a
 * few statements — and the pause after it, so a live instance never loses the job to another.
 */
export function createRelayRepointing(
  f: Pick<WebhookFoundations, 'env' | 'db' | 'clock' | 'codec' | 'logger' | 'relay'> & {
    random: Random;
    provider: Pick<ProviderClient, 'status' | 'setHmacKey' | 'updateUser'>;
    sleep?: Sleep;
  },
) {
  if (!f.relay.publicUrl) return null;
  const { env } = f;
  const intervalMs = 1000 / env.RELAY_REPOINT_RATE;
  const leaseMs = 3 * env.PROVIDER_TIMEOUT_MS + 4 * env.DB_QUERY_TIMEOUT_MS + REPOINT_FAILURE_PAUSE_MS + intervalMs;
  const repoint = createRelayRepoint({ ...f, policy: { relay: f.relay, leaseMs } });
  return createRelayRepointJob({
    repoint,
    log: f.logger,
    rate: env.RELAY_REPOINT_RATE,
    failurePauseMaxMs: REPOINT_FAILURE_PAUSE_MS,
    retryMs: Math.min(REPOINT_RETRY_MS, leaseMs),
    sleep: f.sleep ?? systemSleep,
  });
}
