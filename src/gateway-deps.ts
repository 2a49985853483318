import type { Logger } from 'pino';
import type { Config } from './config.js';
import type { Clock, Sleep } from './lib/clock.js';
import { logErrors } from './lib/logger.js';
import type { Metrics } from './lib/metrics.js';
import type { ProviderClient } from './provider/client.js';
import { createGateway } from './services/gateway.js';
import type { BodyReader } from './services/gateway-body.js';
import { createGatewayForwarder } from './services/gateway-forward.js';
import { createGatewaySends } from './services/gateway-sends.js';
import { createTypingPresence } from './services/gateway-typing.js';
import { createIdempotency, type IdempotencyStore } from './services/idempotency.js';
import type { Quota } from './services/quota.js';
import { createRelayIntercept } from './services/relay-intercept.js';
import type { SealedStore } from './services/secret-codec.js';
import type { SendStats } from './services/send-stats.js';
import type { SessionTokens } from './services/session-tokens.js';
import type { SessionActivity } from './services/session-activity.js';
import type { SessionStates } from './services/session-states.js';
import { createSessionStateRefresh } from './services/session-state.js';
import type { WebhookRouting } from './services/webhook-policy.js';

// The token gateway's part of the composition root (deps.ts): `/wa/*` and `/v1/wa/*` (SPEC §4).

/** What the gateway stands on, built by deps.ts. */
export interface GatewayFoundations {
  env: Config['env'];
  store: SealedStore;
  clock: Clock;
  sleep: Sleep;
  provider: Pick<ProviderClient, 'http' | 'lifecycle' | 'presence'>;
  logger: Pick<Logger, 'warn' | 'error'>;
  metrics: Metrics;
  routing: WebhookRouting;
  idempotency: IdempotencyStore;
}

/** Body reading, the provider exchange, the quota and count of sends, Idempotency-Keys: the pieces of one request. */
export function createGatewayService(
  f: GatewayFoundations,
  parts: {
    bodies: Pick<BodyReader, 'read'>;
    quota: Pick<Quota, 'reserve' | 'refund'>;
    stats: Pick<SendStats, 'record'>;
    tokens: Pick<SessionTokens, 'forgetToken'>;
    /** Session health (SPEC §10): `/session/*` answers become stored state; other successful calls are hearing from the provider. */
    health: { states: Pick<SessionStates, 'apply' | 'announce'>; activity: Pick<SessionActivity, 'heard'> };
  },
) {
  const { env } = f;
  const forwarder = createGatewayForwarder({
    provider: f.provider,
    relay: createRelayIntercept({ store: f.store, clock: f.clock, policy: f.routing, forget: parts.tokens.forgetToken }),
    typing: createTypingPresence({ provider: f.provider, sleep: f.sleep, onError: logErrors(f.logger) }),
    state: createSessionStateRefresh({ db: f.store.db, clock: f.clock, maxAnswerBytes: env.PROVIDER_MAX_ANSWER_BYTES, ...parts.health }),
    limits: { timeoutMs: env.PROVIDER_TIMEOUT_MS, longTimeoutMs: env.PROVIDER_LONG_TIMEOUT_MS },
  });
  return createGateway({
    bodies: parts.bodies,
    idempotency: createIdempotency({ store: f.idempotency, maxAnswerBytes: env.PROVIDER_MAX_ANSWER_BYTES }),
    forwarder,
    sends: createGatewaySends({ quota: parts.quota, stats: parts.stats, forwarder, observer: f.metrics }),
    webhooks: f.routing.webhooks,
  });
}
