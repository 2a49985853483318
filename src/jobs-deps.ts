import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Config } from './config.js';
import { createExpirySweepJob } from './jobs/expiry-sweep.js';
import { createCounterFlushJob } from './jobs/flush-counters.js';
import { type Job, jobOf } from './jobs/job.js';
import { createPeriodicJob } from './jobs/periodic.js';
import { createRelayRepointJob } from './jobs/relay-repoint.js';
import type { Clock, Sleep, Timers } from './lib/clock.js';
import type { Random } from './lib/random.js';
import { tickMsOf } from './lib/schedule.js';
import type { Metrics } from './lib/metrics.js';
import type { AuditService } from './services/audit.js';
import type { ProviderClient } from './provider/client.js';
import { createExpiryService } from './services/expiry.js';
import type { KeyUsage } from './services/key-usage.js';
import type { Quota } from './services/quota.js';
import type { WebhookRouting } from './services/webhook-policy.js';
import { createRelayRepoint } from './services/relay-repoint.js';
import type { SecretCodec } from './services/secret-codec.js';
import type { SendStats } from './services/send-stats.js';
import type { SessionTokens } from './services/session-tokens.js';
import type { UsageCounters } from './services/usage-counters.js';
import type { Db } from './store/index.js';

// The background half of the composition root (deps.ts): every job of the process, built here, started
// by deps.start() (main.ts, or a test that wants them) and stopped by deps.close().

/** What the jobs stand on, built by deps.ts. */
export interface JobFoundations {
  env: Config['env'];
  clock: Clock;
  random: Random;
  sleep: Sleep;
  logger: Logger;
  db: Db;
  metrics: Pick<Metrics, 'collectProcessMetrics'>;
  codec: SecretCodec;
  redis: Redis | undefined;
  routing: Pick<WebhookRouting, 'relay'>;
  provider: Pick<ProviderClient, 'status' | 'setHmacKey' | 'updateUser'>;
}

/** The services whose work some job does, and the jobs other parts build (the webhook outbox's). */
export interface JobParts {
  tokens: Pick<SessionTokens, 'listen'>;
  stats: Pick<SendStats, 'flush'>;
  usage: Pick<UsageCounters, 'flush'>;
  quota: Pick<Quota, 'release'>;
  webhookOutbox: Job;
  /** Usage history past USAGE_RETENTION_DAYS removed hourly (jobs/usage-prune.ts). */
  usagePrune: Job & { runOnce(): Promise<number | null> };
  /** Reconciliation with the provider's session status (SPEC §10), one instance at a time (health-deps.ts). */
  sessionChecks: Job;
  /** `last_event_at` written once a minute (health-deps.ts). */
  sessionActivity: Job;
  keyUsage: Pick<KeyUsage, 'flush'>;
  audit: Pick<AuditService, 'prune'>;
}

const KEY_USAGE_FLUSH_MS = 10_000;
const AUDIT_PRUNE_MS = 3_600_000;

/**
 * Every background job, by name. A new job (a reconciliation, a pruning) is one more entry here: it
 * is built with the rest, started by `deps.start()` in this order, stopped by `deps.close()` in reverse.
 * `timers` are what the schedules run on; tests pass their own.
 */
export function createJobs(f: JobFoundations, parts: JobParts, o: { timers?: Timers | undefined } = {}) {
  const { env, db, clock, logger } = f;
  return {
    /** Redis for the limits, the bus and the webhook auth guard (when REDIS_URL is set). */
    redis: redisConnection(f.redis),
    /** Node.js process metrics: prom-client's event-loop and GC observers (on until the process ends). */
    processMetrics: jobOf(() => {
      f.metrics.collectProcessMetrics();
      return () => undefined;
    }),
    /** Other instances' token revocations, over the cluster bus (its first subscriber opens its connection). */
    revocations: jobOf(() => parts.tokens.listen()),
    /** The customer webhook outbox (webhook-deps.ts). */
    webhookOutbox: parts.webhookOutbox,
    counterFlush: createCounterFlushJob({
      stats: parts.stats,
      usage: parts.usage,
      quota: parts.quota,
      log: logger,
      ...(o.timers ? { timers: o.timers } : {}),
    }),
    /** On wall time (EXPIRY_SWEEP_CRON): an app on a test clock is not started and sweeps with `runOnce`. */
    expirySweep: createExpirySweepJob({
      expiry: createExpiryService({ db, clock, tickMs: tickMsOf(env.EXPIRY_SWEEP_CRON) }),
      log: logger,
      pattern: env.EXPIRY_SWEEP_CRON,
    }),
    usagePrune: parts.usagePrune,
    sessionChecks: parts.sessionChecks,
    sessionActivity: parts.sessionActivity,
    /** Customer keys' last uses noted in memory, written every KEY_USAGE_FLUSH_MS (the last write is deps.close()'s). */
    keyUsageFlush: createPeriodicJob({
      run: () => parts.keyUsage.flush(),
      everyMs: KEY_USAGE_FLUSH_MS,
      log: logger,
      failure: 'key last-use flush failed; kept for the next one',
      timers: o.timers,
    }),
    /** Audit records past AUDIT_RETENTION_DAYS, hourly on every instance (a delete in batches: idempotent, so no lock). */
    auditPrune: createPeriodicJob({
      run: () => parts.audit.prune(),
      everyMs: AUDIT_PRUNE_MS,
      log: logger,
      failure: 'audit record pruning failed',
      timers: o.timers,
    }),
    /** Re-points sessions provisioned without the relay; null in direct mode. */
    relayRepoint: createRelayRepointing(f),
  };
}
export type Jobs = ReturnType<typeof createJobs>;
export type JobName = keyof Jobs;

/** Connects Redis once started (ioredis then reconnects by itself); stopping quits it, or cuts it when it is away. */
function redisConnection(redis: Redis | undefined): Job | null {
  if (!redis) return null;
  return jobOf(() => {
    // A failed first connect is retried by ioredis; the error itself reaches the client's 'error' listener.
    redis.connect().catch(() => undefined);
    return () =>
      redis.quit().then(
        () => undefined,
        () => redis.disconnect(),
      );
  });
}

/** The longest pause after a session the re-pointing could not point; the pause doubles up to it while they fail. */
const REPOINT_FAILURE_PAUSE_MS = 5_000;
const REPOINT_RETRY_MS = 30_000;

/**
 * Switching the relay on for sessions provisioned without it (issue 12 §1); null in direct mode. Its
 * lease outlasts one session's work — three provider calls and a few statements — and the pause after
 * it, so a live instance never loses the job to another.
 */
function createRelayRepointing(f: JobFoundations) {
  if (!f.routing.relay.publicUrl) return null;
  const { env } = f;
  const intervalMs = 1000 / env.RELAY_REPOINT_RATE;
  const leaseMs = 3 * env.PROVIDER_TIMEOUT_MS + 4 * env.DB_QUERY_TIMEOUT_MS + REPOINT_FAILURE_PAUSE_MS + intervalMs;
  const repoint = createRelayRepoint({
    store: { db: f.db, codec: f.codec },
    clock: f.clock,
    random: f.random,
    provider: f.provider,
    policy: { relay: f.routing.relay, leaseMs },
  });
  return createRelayRepointJob({
    repoint,
    log: f.logger,
    rate: env.RELAY_REPOINT_RATE,
    failurePauseMaxMs: REPOINT_FAILURE_PAUSE_MS,
    retryMs: Math.min(REPOINT_RETRY_MS, leaseMs),
    sleep: f.sleep,
  });
}
