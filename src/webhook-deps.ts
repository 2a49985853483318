import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Config } from './config.js';
import { createWebhookOutboxJob } from './jobs/webhook-outbox.js';
import type { Clock, Timers } from './lib/clock.js';
import { randomFraction, type Random } from './lib/random.js';
import { logErrors } from './lib/logger.js';
import type { Metrics } from './lib/metrics.js';
import { createCounter } from './limits/counter.js';
import { createRedisHealth } from './limits/redis-health.js';
import { createWebhookClient, type Lookup } from './outbound/webhook-client.js';
import type { ProviderClient } from './provider/client.js';
import type { WebhookRouting } from './services/webhook-policy.js';
import type { SecretCodec } from './services/secret-codec.js';
import type { UsageCounters } from './services/usage-counters.js';
import type { SessionStates } from './services/session-states.js';
import { createWebhookAuthGuard } from './services/webhook-auth-guard.js';
import { createWebhookAttempts, jitteredSchedule } from './services/webhook-attempt.js';
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
  random: Random;
  logger: Logger;
  db: Db;
  metrics: Metrics;
  codec: SecretCodec;
  redis: Redis | undefined;
  provider: Pick<ProviderClient, 'markRead'>;
  routing: Pick<WebhookRouting, 'relay'>;
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

/** Provider events in, customer deliveries out (SPEC §6), and the job that works the outbox (started by deps.start). */
export function createWebhookParts(
  f: WebhookFoundations,
  config: Readonly<Config>,
  o: {
    lookup: Lookup | undefined;
    timers: Timers | undefined;
    usage: Pick<UsageCounters, 'countReceived'>;
    health: WebhookHealthHooks;
  },
) {
  const { env, db, clock, codec, metrics } = f;
  const onError = logErrors(f.logger, 'error');
  const store = { db, codec };
  const processing = createWebhookProcessing({ store, clock, provider: f.provider, states: o.health.states, onError });
  const failures = webhookAuthFailures(f);
  const inbound = createWebhookInbound({
    store,
    settings: { globalHmacKey: env.WA_GLOBAL_HMAC_KEY ?? null, maxBodyBytes: env.GATEWAY_MAX_BODY_BYTES },
    guard: createWebhookAuthGuard({ failures: failures.counter }),
    occurrences: createWebhookOccurrences({
      db,
      clock,
      relay: f.routing.relay,
      processing,
      usage: o.usage,
      onRecorded: o.health.onRecorded,
    }),
  });
  const client = createWebhookClient({
    allowPrivateTargets: env.WEBHOOK_ALLOW_PRIVATE_TARGETS,
    timeoutMs: env.WEBHOOK_TIMEOUT_MS,
    ...(o.lookup ? { lookup: o.lookup } : {}),
  });
  const attempts = createWebhookAttempts({
    store,
    clock,
    client,
    observer: metrics,
    policy: jitteredSchedule(config.webhookRetryScheduleMs, () => randomFraction(f.random)),
  });
  const outbox = createWebhookOutbox({
    db,
    clock,
    attempts,
    policy: { concurrency: env.WEBHOOK_CONCURRENCY, perTenant: env.WEBHOOK_TENANT_CONCURRENCY, leaseMs: env.WEBHOOK_TIMEOUT_MS * 3 },
    onError,
  });
  const ago = (ms: number) => new Date(clock.now().getTime() - ms);
  const job = createWebhookOutboxJob({
    outbox,
    processing,
    clock,
    ...(o.timers ? { timers: o.timers } : {}),
    log: f.logger,
    reportDepth: async () => metrics.setWebhookQueueDepth(await countPendingDeliveries(db)),
    prune: async () => {
      await pruneWebhookRecords(db, ago(env.WEBHOOK_RETENTION_HOURS * 3_600_000), ago(MESSAGE_REPEAT_MS));
    },
  });
  return {
    inbound,
    outbox,
    job,
    /** Waits for the attempts and event processing in flight, whether or not the job ran (requests and tests start them too). */
    async settled(): Promise<void> {
      await outbox.settled();
      await processing.settled();
    },
    async close(): Promise<void> {
      await client.close();
      failures.close();
    },
  };
}
