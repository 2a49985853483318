import { ERRORS } from '../errors.js';
import type { Clock } from '../lib/clock.js';
import { toPgText } from '../lib/pg-text.js';
import { signDelivery, signProviderBody } from '../lib/webhook-signature.js';
import type { WebhookClient } from '../outbound/webhook-client.js';
import type { InboundSession } from '../store/webhook-events.js';
import * as webhooks from '../store/webhooks.js';
import { revealSession, type SealedStore } from './secret-codec.js';
import { relayRefusal } from './webhook-tenant.js';

export interface RetryPolicy {
  /** The wait before the retry that follows `attempts` attempts; undefined once the schedule is used up. */
  retryDelayMs(attempts: number): number | undefined;
}

/**
 * WEBHOOK_RETRY_SCHEDULE with jitter: each wait × [0.8, 1.2), so retries of many deliveries that failed
 * together spread out (SPEC §9). `fraction` is a number in [0, 1), from the injected random.
 */
export function jitteredSchedule(scheduleMs: readonly number[], fraction: () => number): RetryPolicy {
  return {
    retryDelayMs(attempts) {
      const delay = scheduleMs[attempts];
      return delay === undefined ? undefined : Math.round(delay * (0.8 + fraction() * 0.4));
    },
  };
}

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
  store: SealedStore;
  clock: Clock;
  client: Pick<WebhookClient, 'send'>;
  policy: RetryPolicy;
  observer?: DeliveryObserver;
};

type Target = { url: string; secret: string | null } | { refused: string };

/**
 * Where a delivery goes now (issue 11 §12): the session's current URL, signed with its current secret,
 * so a redelivery or a retry follows a changed URL. No URL, no session, or an owner who is not served
 * (issue 11 §10) ends the delivery with a reason the customer can read.
 */
function targetOf(session: InboundSession | null, now: Date): Target {
  if (!session) return { refused: 'the session no longer exists' };
  const refusal = relayRefusal(session, now);
  if (refusal) return { refused: `not delivered: ${ERRORS[refusal].message} (${refusal})` };
  if (!session.webhook_url) return { refused: ERRORS.WEBHOOK_URL_MISSING.message };
  return { url: session.webhook_url, secret: session.webhook_secret || null };
}

/**
 * One delivery attempt of an outbox row to the customer (SPEC §6): signed, and on failure scheduled
 * again on the retry policy until delivered or given up. Which rows, and how many at once, is the
 * outbox's (webhook-outbox.ts); the customer's own view of deliveries is webhook-deliveries.ts.
 */
export function createWebhookAttempts(deps: Deps) {
  const { clock, client, policy } = deps;
  const { db, codec } = deps.store;

  /**
   * The stored bytes with their content type, and both signatures (SPEC §10): genfity-wa's own
   * `x-hmac-signature` over the body, for receivers written for genfity-wa, and `x-webhook-signature`
   * over id, time and body, which also pins the id and the time.
   */
  async function send(row: webhooks.DeliveryRow, target: { url: string; secret: string | null }) {
    const timestamp = Math.floor(clock.now().getTime() / 1000);
    const headers: Record<string, string> = {
      'content-type': row.content_type,
      'x-webhook-id': row.event_id,
      'x-webhook-timestamp': String(timestamp),
      'x-webhook-event': row.event_type,
    };
    if (target.secret) {
      headers['x-hmac-signature'] = signProviderBody(target.secret, row.body);
      headers['x-webhook-signature'] = signDelivery(target.secret, row.event_id, timestamp, row.body);
    }
    return client.send(target.url, headers, row.body);
  }

  /** One attempt of a claimed delivery; `session` is the delivery's session as it is now (null: gone). */
  async function attempt(row: webhooks.DeliveryRow, session: InboundSession | null): Promise<webhooks.AttemptOutcome['status']> {
    const target = targetOf(session && revealSession(codec, session), clock.now());
    const result = 'refused' in target ? { ok: false as const, error: target.refused, retryable: false } : await send(row, target);
    const now = clock.now();
    const delivered = result.ok && result.statusCode >= 200 && result.statusCode < 300;
    const delay = delivered || !isRetryable(result) ? undefined : policy.retryDelayMs(row.attempts);
    const retry = delay !== undefined;
    const status = delivered ? 'delivered' : retry ? 'pending' : 'failed';
    const error = delivered ? null : result.ok ? `HTTP ${result.statusCode}: ${result.excerpt}` : result.error;
    await webhooks.recordAttempt(db, row.id, {
      status,
      statusCode: result.ok ? result.statusCode : null,
      // A receiver's words are a stranger's: PostgreSQL text refuses a NUL (issue 11 §7).
      error: error === null ? null : toPgText(error).slice(0, 500),
      nextAttemptAt: retry ? new Date(now.getTime() + delay) : now,
      now,
      url: 'url' in target ? target.url : row.url,
    });
    deps.observer?.webhookDelivered(status === 'pending' ? 'retry' : status);
    return status;
  }

  return { attempt };
}
export type WebhookAttempts = ReturnType<typeof createWebhookAttempts>;
