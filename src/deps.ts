import type { Logger } from 'pino';
import { createClusterParts, createRedis } from './cluster-deps.js';
import { createGatewayService } from './gateway-deps.js';
import type { Config } from './config.js';
import { runJobs } from './jobs/job.js';
import type { RelayRepointJob } from './jobs/relay-repoint.js';
import { createJobs, type JobName } from './jobs-deps.js';
import { createHealthParts } from './health-deps.js';
import { systemClock, systemEvery, systemSleep, type Clock, type Every, type Sleep, type Timers } from './lib/clock.js';
import { type Random, systemRandom } from './lib/random.js';
import { createLogger, logErrors } from './lib/logger.js';
import { createUsagePruneJob } from './jobs/usage-prune.js';
import { createSecretBox, loadOrCreateKeyFile } from './lib/secrets-at-rest.js';
import { createPublicLimiter } from './limits/limiter.js';
import { createMetrics } from './lib/metrics.js';
import type { Lookup } from './outbound/webhook-client.js';
import { createProviderClient, type ProviderClient } from './provider/client.js';
import { createContactService } from './services/contacts.js';
import { createCustomerService } from './services/customers.js';
import { createBodyReader } from './services/gateway-body.js';
import { createQuota } from './services/quota.js';
import { busCheck, createReadiness, providerCheck, storeCheck } from './services/readiness.js';
import { createSecretCodec } from './services/secret-codec.js';
import { assertKeyMatches, encryptPlainSecrets } from './services/secrets-upgrade.js';
import { createSendStats } from './services/send-stats.js';
import { createHealthCounts } from './services/session-health-counts.js';
import { createSessionTokens } from './services/session-tokens.js';
import { createSessionProvisioning } from './services/session-provisioning.js';
import { createSessionSlots } from './services/session-slots.js';
import { createSessionService } from './services/sessions.js';
import { createSettingsService } from './services/settings.js';
import { createOverviewService } from './services/overview.js';
import { createUsageService } from './services/usage.js';
import { createUsageCounters } from './services/usage-counters.js';
import { createUsageExport } from './services/usage-export.js';
import { createUserService } from './services/users.js';
import { createWebhookDeliveries } from './services/webhook-deliveries.js';
import { openStore, type Db } from './store/index.js';
import { createKeyParts } from './key-deps.js';
import { createWebhookParts } from './webhook-deps.js';

/** Everything with I/O or time, built once (STYLE: DI rule). Tests pass their own clock, random or store. */
export interface DepsOverrides {
  clock?: Clock;
  random?: Random;
  db?: Db;
  provider?: ProviderClient;
  logger?: Logger;
  /** DNS for customer webhook hosts; tests resolve names themselves. */
  webhookLookup?: Lookup;
  /** The key for secrets at rest; null runs without one. Default: ENCRYPTION_KEY, or a key file on the embedded store. */
  encryptionKey?: Buffer | null;
  /** How waits that are rules wait: the typing delay, the pace of relay re-pointing, polling an Idempotency-Key in flight elsewhere. */
  sleep?: Sleep;
  /** The timers the jobs' schedules run on (webhook outbox, counter flush); tests fire them by hand. */
  timers?: Timers;
  /** Periodic timers (the live streams' 15 s heartbeat); tests fire them by hand. */
  every?: Every;
}

/**
 * ENCRYPTION_KEY wins; the embedded store makes its own key in DATA_DIR on first start. On
 * PostgreSQL without a key the gateway still runs on the Go service's environment alone (a
 * drop-in), keeping secrets as the Go service did, and says so loudly (issue 6).
 */
function encryptionKey(config: Readonly<Config>, overrides: DepsOverrides, random: Random): Buffer | null {
  if (overrides.encryptionKey !== undefined) return overrides.encryptionKey;
  return config.encryptionKey ?? (config.store.kind === 'pglite' ? loadOrCreateKeyFile(config.env.DATA_DIR, random) : null);
}

/** Clock, store, secrets, limiter and the provider client: what every service stands on. */
async function openFoundations(config: Readonly<Config>, overrides: DepsOverrides) {
  const { env } = config;
  const clock = overrides.clock ?? systemClock;
  const logger = overrides.logger ?? createLogger(env.LOG_LEVEL);
  const db = overrides.db ?? (await openStore(config.store, config.storeTimeouts));
  const metrics = createMetrics({ storePool: () => db.stats(), sessionsByHealth: createHealthCounts({ db, clock }) });
  const random = overrides.random ?? systemRandom;
  const key = encryptionKey(config, overrides, random);
  const box = key ? createSecretBox(key, random) : null;
  const codec = createSecretCodec(box);
  if (box) {
    await assertKeyMatches(db, box);
    await encryptPlainSecrets(db, box);
  } else {
    logger.warn('ENCRYPTION_KEY is not set: session tokens and webhook secrets are stored in plaintext, as the Go service kept them');
  }
  const redis = createRedis(env.REDIS_URL, logger);
  const sleep = overrides.sleep ?? systemSleep;
  const cluster = createClusterParts(config, { db, clock, random, sleep, redis, logger });
  const limiter = createPublicLimiter(
    {
      windowSeconds: env.PUBLIC_RATE_LIMIT_WINDOW_SECONDS,
      maxRequests: env.PUBLIC_RATE_LIMIT_MAX_REQUEST,
      spamMaxPer10s: env.PUBLIC_SPAM_MAX_PER_10S,
      spamBlockMinutes: env.PUBLIC_SPAM_BLOCK_MINUTES,
    },
    { redis, logger, keyPrefix: env.REDIS_KEY_PREFIX },
  );
  const provider =
    overrides.provider ??
    createProviderClient({
      baseUrl: env.WA_SERVER_URL,
      adminToken: env.WA_ADMIN_TOKEN,
      timeoutMs: env.PROVIDER_TIMEOUT_MS,
      longTimeoutMs: env.PROVIDER_LONG_TIMEOUT_MS,
      maxAnswerBytes: env.PROVIDER_MAX_ANSWER_BYTES,
      contactsMaxBytes: env.PROVIDER_CONTACTS_MAX_BYTES,
      observer: metrics,
      lifecycle: cluster.lifecycle,
    });
  return {
    env,
    clock,
    random,
    sleep,
    logger,
    db,
    metrics,
    key,
    codec,
    store: { db, codec },
    redis,
    cluster,
    limiter,
    provider,
    routing: {
      relay: { publicUrl: env.GATEWAY_PUBLIC_URL ?? null },
      webhooks: { allowPrivateTargets: env.WEBHOOK_ALLOW_PRIVATE_TARGETS },
    },
  };
}
type Foundations = Awaited<ReturnType<typeof openFoundations>>;

/** GET /ready (SPEC §7): store and provider must answer; Redis away, no key and relay re-pointing are notes, not failures. */
function readinessChecks(f: Foundations, repointing: Pick<RelayRepointJob, 'status'> | null) {
  return createReadiness({
    checks: {
      store: storeCheck(f.db),
      provider: providerCheck(f.provider),
      bus: busCheck(f.cluster.bus),
      ...(f.redis
        ? {
            redis: async () => ({
              ok: true,
              ...(f.limiter.mode() === 'redis' ? {} : { detail: 'unreachable: limits are per instance until it is back' }),
            }),
          }
        : {}),
      encryption: async () => ({ ok: true, ...(f.key ? {} : { detail: 'ENCRYPTION_KEY not set: secrets stored in plaintext' }) }),
      ...(repointing ? { relay: async () => ({ ok: true, ...(repointing.status() ? { detail: repointing.status()! } : {}) }) } : {}),
    },
  });
}

/**
 * The composition root: every service and job, built on one store, one provider client and one clock.
 * Building starts nothing — no timer, loop, schedule, subscription or connection — except that the
 * store is opened (its pool, or the embedded database), because the secrets check and upgrade read
 * it before anything may use it. `start` starts the jobs (main.ts); `close` stops them and closes.
 */
export async function createDeps(config: Readonly<Config>, overrides: DepsOverrides = {}) {
  const f = await openFoundations(config, overrides);
  const { env, db, clock, random, store, provider, logger, routing } = f;
  const tokens = createSessionTokens({ store, clock, bus: f.cluster.bus, onError: logErrors(logger) });
  const quota = createQuota({ db, clock });
  // Usage history (issue 17): counted with the send statistics and the relay's incoming messages, flushed with them.
  const usageCounters = createUsageCounters({ db, clock });
  const stats = createSendStats({ db, clock, usage: usageCounters });
  const usage = createUsageService({ db, clock, retentionDays: env.USAGE_RETENTION_DAYS });
  const keys = createKeyParts(f);
  const customers = createCustomerService({ db, clock, quota, keyUsage: keys.usage });
  const health = createHealthParts({ ...f, relay: f.routing.relay, bus: f.cluster.bus }, config, {
    every: overrides.every ?? systemEvery,
    sleep: overrides.sleep,
    timers: overrides.timers,
  });
  const sessions = createSessionService({ store, provider, clock, tokens, policy: routing, onDeleted: health.onDeleted });
  const provisioning = createSessionProvisioning({
    slots: createSessionSlots({ store, clock, random }),
    provider,
    random,
    policy: routing,
    onError: logErrors(logger),
  });
  const webhook = createWebhookParts(f, config, {
    lookup: overrides.webhookLookup,
    timers: overrides.timers,
    usage: usageCounters,
    health,
  });
  health.setNudge(() => webhook.job.nudge());
  const usagePrune = createUsagePruneJob({ usage, log: logger });
  const jobs = createJobs(
    f,
    {
      tokens,
      stats,
      usage: usageCounters,
      quota,
      webhookOutbox: webhook.job,
      usagePrune,
      sessionChecks: health.checkJob,
      sessionActivity: health.activityFlush,
      keyUsage: keys.usage,
      audit: keys.audit,
    },
    { timers: overrides.timers },
  );
  const bodies = createBodyReader({ maxBytes: env.GATEWAY_MAX_BODY_BYTES, perUserBytes: env.GATEWAY_USER_BUFFER_BYTES });
  const services = {
    users: createUserService({ db, clock, random, tokens }),
    apiKeys: keys.apiKeys,
    audit: keys.audit,
    customers,
    sessions: { ...sessions, create: provisioning.create },
    settings: createSettingsService({ db, clock, sessions }),
    contacts: createContactService({ db, provider, clock, sessions }),
    webhookInbound: webhook.inbound,
    webhookDeliveries: createWebhookDeliveries({ db, clock, random, sessions, onQueued: () => webhook.job.nudge() }),
    sessionTokens: tokens,
    usage,
    usageExport: createUsageExport({ usage, clock }),
    overview: createOverviewService({ db, clock }),
    gateway: createGatewayService({ ...f, idempotency: f.cluster.idempotency }, { bodies, quota, stats, tokens, health }),
    readiness: readinessChecks(f, jobs.relayRepoint),
    liveEvents: health.live,
  };
  const running = runJobs(jobs);
  const finalFlush = async () => {
    // Both are written even when one of them fails; the first failure is reported.
    const flushed = await Promise.allSettled([stats.flush(), usageCounters.flush()]);
    await quota.release(0);
    const failed = flushed.find((r) => r.status === 'rejected');
    if (failed) throw failed.reason;
  };
  const finalKeyFlush = () => keys.usage.flush();
  let closed: Promise<void> | null = null;
  const closeOnce = async () => {
    await running.stop().catch((error: unknown) => logger.error({ err: error }, 'a background job did not stop cleanly'));
    await webhook.settled();
    await health.close();
    await webhook.close();
    await finalFlush().catch((error: unknown) => logger.error({ err: error }, 'final counter flush failed'));
    await finalKeyFlush().catch((error: unknown) => logger.error({ err: error }, 'final key last-use flush failed'));
    await provider.close();
    await f.cluster.close();
    await f.limiter.close();
    if (!overrides.db) await db.close();
  };
  return {
    config,
    clock,
    random,
    logger,
    db,
    provider,
    services,
    metrics: f.metrics,
    /** The background jobs by name; building them started none of them. */
    jobs,
    /** Reconciles stored session state with the provider (SPEC §10); a job, tests run passes. */
    sessionChecks: health.checkJob,
    /** Writes the coalesced `last_event_at` now (tests; a job does it every minute). */
    flushSessionActivity: () => health.activity.flush(),
    limiter: f.limiter,
    bus: f.cluster.bus,
    /** Starts the background jobs: all of them (main.ts), or those named (tests). `close` stops them. */
    start: (only?: readonly JobName[]): void => running.start(only),
    /** Runs one round of webhook deliveries now (tests). */
    deliverWebhooks: () => webhook.outbox.runOnce(),
    /** Bytes of `/wa/*` request bodies a user has in flight (tests wait on it). */
    gatewayBytesInFlight: (userId: string) => bodies.inFlightBytes(userId),
    /** Writes pending counters now (tests). */
    flushCounters: async () => {
      await stats.flush();
      await usageCounters.flush();
    },
    /** Writes the customer keys' last uses noted in memory now (tests). */
    flushKeyUsage: () => keys.usage.flush(),
    /** Deletes audit records past AUDIT_RETENTION_DAYS now (tests). */
    pruneAudit: () => keys.audit.prune(),
    /** Stops the jobs, flushes counters and key last uses, hands leases back, then closes what createDeps opened (a store passed in is the caller's). */
    close(): Promise<void> {
      closed ??= closeOnce();
      return closed;
    },
  };
}
export type Deps = Awaited<ReturnType<typeof createDeps>>;
export type Services = Deps['services'];
