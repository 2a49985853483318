import type { Clock } from '../lib/clock.js';
import { signDelivery } from '../lib/webhook-signature.js';
import type { WebhookClient } from '../outbound/webhook-client.js';
import type { Db } from '../store/index.js';
import { findSessionByRowId } from '../store/sessions.js';
import * as webhooks from '../store/webhooks.js';
import { revealSession, type SecretCodec } from './secret-codec.js';

export interface DeliveryPolicy {
  retryScheduleMs: number[];
  leaseMs: number;
  batch: number;
}

/** Random in [0.8, 1.2): retries of many deliveries that failed together spread out (SPEC §9 jitter). */
export const jitter = (ms: number, random: () => number) => Math.round(ms * (0.8 + random() * 0.4));

/** Transport errors, timeouts, 408, 429 and 5xx are worth another try; other answers are final. */
export function isRetryable(result: { ok: true; statusCode: number } | { ok: false; retryable: boolean }): boolean {
  if (!result.ok) return result.retryable;
  return result.statusCode === 408 || result.statusCode === 429 || result.statusCode >= 500;
}

/** Told the outcome of every attempt (metrics); the service does not know what listens. */
export interface DeliveryObserver {
  webhookDelivered(outcome: 'delivered' | 'retry' | 'failed'): void;
}

type Deps = {
  db: Db;
  clock: Clock;
  client: Pick<WebhookClient, 'send'>;
  policy: DeliveryPolicy;
  codec: SecretCodec;
  observer?: DeliveryObserver;
  random?: () => number;
};

/**
 * Delivers the outbox to customers (SPEC §6): signed with the session's current webhook secret,
 * retried on the configured schedule with jitter, kept until delivered or given up.
 */
export function createWebhookDelivery(deps: Deps) {
  const { db, clock, client, policy } = deps;
  const random = deps.random ?? Math.random;

  async function attempt(row: webhooks.DeliveryRow): Promise<webhooks.AttemptOutcome['status']> {
    const session = revealSession(deps.codec, await findSessionByRowId(db, row.session_row_id));
    const timestamp = Math.floor(clock.now().getTime() / 1000);
    const headers: Record<string, string> = {
      'x-webhook-id': row.event_id,
      'x-webhook-timestamp': String(timestamp),
      'x-webhook-event': row.event_type,
    };
    if (session?.webhook_secret) headers['x-webhook-signature'] = signDelivery(session.webhook_secret, row.event_id, timestamp, row.body);
    const result = await client.send(row.url, headers, row.body);
    const now = clock.now();
    const delivered = result.ok && result.statusCode >= 200 && result.statusCode < 300;
    const delay = policy.retryScheduleMs[row.attempts];
    const retry = !delivered && isRetryable(result) && delay !== undefined;
    const status = delivered ? 'delivered' : retry ? 'pending' : 'failed';
    await webhooks.recordAttempt(db, row.id, {
      status,
      statusCode: result.ok ? result.statusCode : null,
      error: delivered ? null : result.ok ? `HTTP ${result.statusCode}: ${result.excerpt}`.slice(0, 500) : result.error,
      nextAttemptAt: retry ? new Date(now.getTime() + jitter(delay, random)) : now,
      now,
    });
    deps.observer?.webhookDelivered(status === 'pending' ? 'retry' : status);
    return status;
  }

  /** One round: claim what is due and deliver it concurrently; returns how many were attempted. */
  async function runOnce(): Promise<number> {
    const due = await webhooks.claimDueDeliveries(db, clock.now(), policy.leaseMs, policy.batch);
    await Promise.all(due.map((row) => attempt(row)));
    return due.length;
  }

  return { runOnce, attempt };
}
export type WebhookDelivery = ReturnType<typeof createWebhookDelivery>;
