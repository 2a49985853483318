import type { Logger } from 'pino';
import { connectRedis, createClusterParts } from './cluster-deps.js';
import type { Config } from './config.js';
import { startExpirySweep } from './jobs/expiry-sweep.js';
import { startCounterFlush } from './jobs/flush-counters.js';
import { systemClock, type Clock, type Sleep } from './lib/clock.js';
import { cryptoRandom, type Random } from './lib/ids.js';
import { createLogger } from './lib/logger.js';
import { tickMsOf } from './lib/schedule.js';
import { createSecretBox, loadOrCreateKeyFile } from './lib/secrets-at-rest.js';
import { createPublicLimiter } from './limits/limiter.js';
import { createMetrics } from './lib/metrics.js';
import type { Lookup } from './outbound/webhook-client.js';
import { createProviderClient, type ProviderClient } from './provider/client.js';
import { createContactService } from './services/contacts.js';
import { createCustomerService } from './services/customers.js';
import { createExpiryService } from './services/expiry.js';
import { createGateway } from './services/gateway.js';
import { createBodyReader } from './services/gateway-body.js';
import { createIdempotency } from './services/idempotency.js';
import { createQuota } from './services/quota.js';
import { busCheck, createReadiness, providerCheck, storeCheck } from './services/readiness.js';
import { createRelayGateway } from './services/relay-gateway.js';
import { createSecretCodec } from './services/secret-codec.js';
import { assertKeyMatches, encryptPlainSecrets } from './services/secrets-upgrade.js';
import { createSendStats } from './services/send-stats.js';
import { createSessionTokens } from './services/session-tokens.js';
import { createSessionService } from './services/sessions.js';
import { createSettingsService } from './services/settings.js';
import { createUserService } from './services/users.js';
import { createWebhookDeliveries } from './services/webhook-deliveries.js';
import { openStore, type Db } from './store/index.js';
import { createKeyParts } from './key-deps.js';
import { createRelayRepointing, createWebhookParts } from './webhook-deps.js';

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
  /** How background jobs wait (the pace of the relay re-pointing); tests shorten it. */
  sleep?: Sleep;
}

/**
 * ENCRYPTION_KEY wins; the embedded store makes its own key in DATA_DIR on first start. On
 * PostgreSQL without a key the gateway still runs on the Go service's environment alone (a
 * drop-in), keeping secrets as the Go service did, and says so loudly (issue 6).
 */
function encryptionKey(config: Readonly<Config>, overrides: DepsOverrides): Buffer | null {
  if (overrides.encryptionKey !== undefined) return overrides.encryptionKey;
  return config.encryptionKey ?? (config.store.kind === 'pglite' ? loadOrCreateKeyFile(config.env.DATA_DIR) : null);
}

/** Clock, store, secrets, limiter and the provider client: what every service stands on. */
async function openFoundations(config: Readonly<Config>, overrides: DepsOverrides) {
  const { env } = config;
  const clock = overrides.clock ?? systemClock;
  const logger = overrides.logger ?? createLogger(env.LOG_LEVEL);
  const db = overrides.db ?? (await openStore(config.store, config.storeTimeouts));
  const metrics = createMetrics({ processMetrics: true, storePool: () => db.stats() });
  const key = encryptionKey(config, overrides);
  if (key) {
    await assertKeyMatches(db, createSecretBox(key));
    await encryptPlainSecrets(db, createSecretBox(key));
  } else {
    logger.warn('ENCRYPTION_KEY is not set: session tokens and webhook secrets are stored in plaintext, as the Go service kept them');
  }
  const redis = connectRedis(env.REDIS_URL, logger);
  const random = overrides.random ?? cryptoRandom;
  const cluster = createClusterParts(config, { db, clock, random, redis, logger });
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
    logger,
    db,
    metrics,
    key,
    codec: createSecretCodec(key ? createSecretBox(key) : null),
    redis,
    cluster,
    limiter,
    provider,
    relay: { publicUrl: env.GATEWAY_PUBLIC_URL ?? null },
    webhooks: { allowPrivateTargets: env.WEBHOOK_ALLOW_PRIVATE_TARGETS },
  };
}
type Foundations = Awaited<ReturnType<typeof openFoundations>>;

/** GET /ready (SPEC §7): store and provider must answer; Redis away, no key and relay re-pointing are notes, not failures. */
function readinessChecks(f: Foundations, repointing: (() => string | null) | null) {
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
      ...(repointing ? { relay: async () => ({ ok: true, ...(repointing() ? { detail: repointing()! } : {}) }) } : {}),
    },
  });
}

export async function createDeps(config: Readonly<Config>, overrides: DepsOverrides = {}) {
  const f = await openFoundations(config, overrides);
  const { env, db, clock, random, codec, provider, logger } = f;
  const tokens = createSessionTokens({ db, clock, codec, bus: f.cluster.bus });
  const quota = createQuota({ db, clock });
  const stats = createSendStats({ db, clock });
  const sessions = createSessionService({ db, provider, clock, random, webhooks: f.webhooks, tokens, relay: f.relay, codec });
  const webhook = createWebhookParts(f, config, overrides.webhookLookup);
  const relayRepoint = createRelayRepointing({ ...f, sleep: overrides.sleep });
  const bodies = createBodyReader({ maxBytes: env.GATEWAY_MAX_BODY_BYTES, perUserBytes: env.GATEWAY_USER_BUFFER_BYTES });
  const keys = createKeyParts(f);
  const customers = createCustomerService({ db, clock, quota, keyUsage: keys.usage });
  const services = {
    users: createUserService({ db, clock, random, tokens }),
    apiKeys: keys.apiKeys,
    audit: keys.audit,
    customers,
    sessions,
    settings: createSettingsService({ db, clock, sessions }),
    contacts: createContactService({ db, provider, clock, sessions }),
    webhookInbound: webhook.inbound,
    webhookDeliveries: createWebhookDeliveries({ db, clock, random, sessions, onQueued: () => webhook.job.nudge() }),
    sessionTokens: tokens,
    gateway: createGateway({
      db,
      provider,
      clock,
      quota,
      stats,
      idempotency: createIdempotency({ store: f.cluster.idempotency, maxAnswerBytes: env.PROVIDER_MAX_ANSWER_BYTES }),
      bodies,
      observer: f.metrics,
      relay: createRelayGateway({ db, clock, relay: f.relay, webhooks: f.webhooks, codec, forget: tokens.forgetToken }),
      webhooks: f.webhooks,
      limits: {
        timeoutMs: env.PROVIDER_TIMEOUT_MS,
        longTimeoutMs: env.PROVIDER_LONG_TIMEOUT_MS,
        maxAnswerBytes: env.PROVIDER_MAX_ANSWER_BYTES,
      },
    }),
    readiness: readinessChecks(f, relayRepoint && (() => relayRepoint.status())),
  };
  const counters = startCounterFlush({ stats, quota, log: logger });
  // The schedule fires on wall time: with an injected clock (tests) only explicit runOnce ticks sweep.
  const expirySweep = startExpirySweep({
    expiry: createExpiryService({ db, clock, tickMs: tickMsOf(env.EXPIRY_SWEEP_CRON) }),
    log: logger,
    scheduled: clock === systemClock,
    pattern: env.EXPIRY_SWEEP_CRON,
  });
  let stopListening: () => void = () => undefined;
  let closed: Promise<void> | null = null;
  const closeOnce = async () => {
    await keys.stop().catch((error: unknown) => logger.error({ err: error }, 'final key last-use flush failed'));
    await relayRepoint?.stop();
    await expirySweep.stop();
    await webhook.close();
    await counters.stop().catch((error: unknown) => logger.error({ err: error }, 'final counter flush failed'));
    stopListening();
    await provider.close();
    await f.cluster.close();
    await f.limiter.close();
    await f.redis?.quit().catch(() => undefined);
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
    expirySweep,
    /** Re-points sessions provisioned without the relay (relay mode only); main.ts starts it. */
    relayRepoint,
    limiter: f.limiter,
    bus: f.cluster.bus,
    /** Starts hearing the other instances (the cluster bus: token revocations); main.ts calls it before taking traffic. */
    start(): void {
      stopListening();
      stopListening = tokens.listen();
    },
    /** Runs one round of webhook deliveries now (tests). */
    deliverWebhooks: () => webhook.outbox.runOnce(),
    /** Bytes of `/wa/*` request bodies a user has in flight (tests wait on it). */
    gatewayBytesInFlight: (userId: string) => bodies.inFlightBytes(userId),
    /** Writes pending counters now (tests and shutdown). */
    flushCounters: () => stats.flush(),
    /** Writes the customer keys' last uses noted in memory now (tests). */
    flushKeyUsage: () => keys.usage.flush(),
    /** Deletes audit records past AUDIT_RETENTION_DAYS now (tests). */
    pruneAudit: () => keys.audit.prune(),
    /** Flushes counters, hands leases back, then closes what createDeps opened (a store passed in is the caller's). */
    close(): Promise<void> {
      closed ??= closeOnce();
      return closed;
    },
  };
}
export type Deps = Awaited<ReturnType<typeof createDeps>>;
export type Services = Deps['services'];
