import type { Logger } from 'pino';
import type { ClusterBus } from './cluster/bus.js';
import type { Config } from './config.js';
import { createActivityFlushJob } from './jobs/flush-counters.js';
import { createSessionCheckJob } from './jobs/session-checks.js';
import type { Clock, Every, Sleep, Timers } from './lib/clock.js';
import type { Random } from './lib/random.js';
import type { Metrics } from './lib/metrics.js';
import type { ProviderClient } from './provider/client.js';
import { createLiveEvents } from './services/live-events.js';
import { createLivePublisher, liveState } from './services/live-publisher.js';
import type { RelayConfig } from './services/relay-mode.js';
import type { SecretCodec } from './services/secret-codec.js';
import { createSessionActivity } from './services/session-activity.js';
import { createSessionChecks } from './services/session-checks.js';
import { createSessionStates } from './services/session-states.js';
import type { Db } from './store/index.js';

// The session-health half of the composition root (deps.ts): SPEC §10 "Session health" and "Live events".

export interface HealthFoundations {
  env: Config['env'];
  db: Db;
  clock: Clock;
  random: Random;
  logger: Logger;
  metrics: Metrics;
  codec: SecretCodec;
  provider: Pick<ProviderClient, 'status'>;
  relay: RelayConfig;
  bus: Pick<ClusterBus, 'publish' | 'subscribe'>;
}

/** SPEC §10: a heartbeat comment every 15 s. */
const HEARTBEAT_MS = 15_000;
/** How many of a session's newest retained events a `Last-Event-ID` is looked for among. */
const RESUME_WINDOW = 1_000;

/**
 * Health (state, health, `last_event_at`, SessionHealth deliveries), reconciliation with the provider
 * and live event streams, built without starting anything: the reconciliation and the activity flush are jobs
 * that deps.start() starts. `setNudge` hands over the webhook job's nudge once it is built
 * (it needs `states` first).
 */
export function createHealthParts(
  f: HealthFoundations,
  config: Readonly<Config>,
  o: { every: Every; sleep?: Sleep; timers?: Timers | undefined },
) {
  const { env, db, clock } = f;
  const policy = { silentAfterMs: config.sessionHealth.silentAfterMs, hearsEvents: Boolean(f.relay.publicUrl || env.WA_GLOBAL_HMAC_KEY) };
  const publisher = createLivePublisher({ bus: f.bus });
  let nudge: () => void = () => undefined;
  const states = createSessionStates({
    policy,
    onChange: (c) => {
      publisher.stateChanged(c.rowId, liveState(c.sessionId, c.state, c.health, c.lastEventAt, c.lastCheckedAt));
      if (c.queued) nudge();
    },
  });
  const activity = createSessionActivity({ db, clock, states });
  // The lease outlasts a pause between calls and one call: renewed every third of it while a pass waits.
  const leaseMs = Math.max(30_000, 3 * (env.PROVIDER_TIMEOUT_MS + env.DB_QUERY_TIMEOUT_MS));
  const checks = createSessionChecks({
    db,
    clock,
    provider: f.provider,
    sessions: { states, codec: f.codec },
    policy: { intervalMs: config.sessionHealth.checkIntervalMs, leaseMs, holder: f.random.bytes(8).toString('hex') },
  });
  const checkJob = createSessionCheckJob({
    checks,
    log: f.logger,
    observer: f.metrics,
    rate: env.SESSION_CHECK_RATE,
    concurrency: env.SESSION_CHECK_CONCURRENCY,
    intervalMs: config.sessionHealth.checkIntervalMs,
    retryMs: Math.min(30_000, config.sessionHealth.checkIntervalMs),
    renewEveryMs: leaseMs / 3,
    clock,
    ...(o.sleep ? { sleep: o.sleep } : {}),
  });
  const live = createLiveEvents({
    db,
    clock,
    bus: f.bus,
    policy: {
      perUser: env.EVENT_STREAMS_PER_USER,
      max: env.EVENT_STREAMS_MAX,
      relay: Boolean(f.relay.publicUrl),
      heartbeatMs: HEARTBEAT_MS,
      resumeWindow: RESUME_WINDOW,
    },
    hooks: { every: o.every, observer: f.metrics, onError: (err) => f.logger.warn({ err }, 'live events: catching up failed; retried') },
  });
  const activityFlush = createActivityFlushJob({ activity, log: f.logger, ...(o.timers ? { timers: o.timers } : {}) });
  return {
    states,
    activity,
    checkJob,
    /** `last_event_at` written once a minute (a job: started by deps.start()). */
    activityFlush,
    live,
    /** Provider events stored (relay mode: streams read them) and heard (SPEC §10 `last_event_at`). */
    onRecorded(sessionRowId: number, stored: boolean): void {
      activity.heard(sessionRowId);
      if (stored && f.relay.publicUrl) publisher.eventStored(sessionRowId);
    },
    onDeleted: (sessionRowId: number) => publisher.sessionDeleted(sessionRowId),
    setNudge(fn: () => void): void {
      nudge = fn;
    },
    /** After the jobs stopped: streams end, what is heard but not written is written, the bus gets the last changes. */
    async close(): Promise<void> {
      live.close();
      await activity.flush().catch((err: unknown) => f.logger.error({ err }, 'final session activity flush failed'));
      publisher.flush();
    },
  };
}
