import type { Clock } from '../lib/clock.js';
import { toPgJson } from '../lib/pg-text.js';
import { receivedMessageType } from '../lib/received-message.js';
import { providerEventBody, type DeliveryBody } from '../lib/webhook-format.js';
import { webhookFormatOf } from '../lib/webhook-format-names.js';
import { eventKey, publicEventId, type EventKey, type ProviderEvent } from '../lib/webhook-payload.js';
import type { Db, Queryable } from '../store/index.js';
import { lockSession } from '../store/sessions.js';
import * as events from '../store/webhook-events.js';
import { insertDelivery } from '../store/webhooks.js';
import { wantsEvent, type RelayConfig } from './relay-mode.js';
import type { UsageCounters } from './usage-counters.js';
import type { WebhookProcessing } from './webhook-processing.js';
import { relayRefusal } from './webhook-tenant.js';

/**
 * How long a repeat of an event counts as the same occurrence (issue 11 §5). A message id names one
 * message, so its repeats are recognised for as long as the provider may still retry or the other
 * webhook may still bring it. Content (`Connected {}`) repeats with every reconnect: only a copy
 * arriving close by is the same occurrence — the provider's first retries come after 30 s and 90 s.
 */
export const MESSAGE_REPEAT_MS = 48 * 3_600_000;
export const CONTENT_REPEAT_MS = 2 * 60_000;

/**
 * Whether an arriving event is an occurrence already stored. Runs under the session's lock, so the
 * events of one session are decided (and numbered) in arrival order. genfity-wa posts each occurrence
 * once through each webhook, in order on each, plus retries after a failure. So a content-keyed event
 * repeats a stored one when it is what the same webhook brought last (a retry), or when an occurrence
 * with its key has not come through this webhook yet (the other webhook's copy, however interleaved).
 */
async function isRepeat(q: Queryable, sessionRowId: number, key: EventKey, route: events.EventRoute, now: Date): Promise<boolean> {
  if (key.byId) {
    const seen = await events.findEventByKey(q, sessionRowId, key.value, new Date(now.getTime() - MESSAGE_REPEAT_MS));
    if (seen) await events.markEventVia(q, seen.id, route);
    return seen !== null;
  }
  const since = new Date(now.getTime() - CONTENT_REPEAT_MS);
  const last = await events.findLastEventVia(q, sessionRowId, route, since);
  if (last?.event_key === key.value) return true;
  const twin = await events.findEventNotVia(q, sessionRowId, key.value, route, since);
  if (twin) await events.markEventVia(q, twin.id, route);
  return twin !== null;
}

type Deps = {
  db: Db;
  clock: Clock;
  relay: RelayConfig;
  processing: Pick<WebhookProcessing, 'schedule'>;
  usage?: Pick<UsageCounters, 'countReceived'>;
  /** Every post of the provider, a repeat or not, is hearing from it (SPEC §10 `last_event_at`); a new one feeds live streams. */
  onRecorded?: (sessionRowId: number, stored: boolean) => void;
};

/** Provider events, stored once per occurrence with their customer delivery (SPEC §6), then processed. */
export function createWebhookOccurrences(deps: Deps) {
  const { db, clock } = deps;

  /** Relayed only in relay mode, to a session with a URL that asked for the type, whose owner is served now. */
  const relays = (s: events.InboundSession, type: string, now: Date) =>
    Boolean(deps.relay.publicUrl && s.webhook_url && wantsEvent(s.events, type) && relayRefusal(s, now) === null);

  /** The customer's delivery of an occurrence, in the session's format (SPEC §10). */
  function queueDelivery(
    q: Queryable,
    session: events.InboundSession,
    e: { id: string; type: string; payload: unknown; now: Date },
    posted: DeliveryBody,
  ) {
    const envelope = { id: e.id, type: e.type, sessionId: session.session_id, timestamp: e.now, data: e.payload };
    return insertDelivery(q, {
      eventId: e.id,
      sessionRowId: session.id,
      userId: session.user_id,
      sessionId: session.session_id,
      type: e.type,
      url: session.webhook_url!,
      ...providerEventBody(webhookFormatOf(session.webhook_format), posted, envelope),
      now: e.now,
    });
  }

  /**
   * Stores the event unless it repeats one; true when it was new. Processing is scheduled after the
   * commit. `posted` is the body genfity-wa sent, relayed as it is in the `provider` format (SPEC §10).
   */
  async function record(
    session: events.InboundSession,
    event: ProviderEvent,
    route: events.EventRoute,
    posted: DeliveryBody,
  ): Promise<boolean> {
    const key = eventKey(event);
    const now = clock.now();
    const payload = { type: event.type, event: event.event, ...event.extras };
    const stored = await db.tx(async (q) => {
      await lockSession(q, session.id);
      if (await isRepeat(q, session.id, key, route, now)) return false;
      // jsonb refuses NUL and unpaired surrogates: the stored copy is cleaned, the customer's body keeps them (issue 11 §7).
      const id = await events.insertEvent(q, {
        sessionRowId: session.id,
        key: key.value,
        type: event.type,
        payload: toPgJson(payload),
        route,
        receivedAt: now,
      });
      if (!relays(session, event.type, now)) return true;
      // Every occurrence has its own public id: customers de-duplicate on it (issue 11 §5).
      await queueDelivery(q, session, { id: publicEventId(session.id, `${key.value}#${id}`), type: event.type, payload, now }, posted);
      return true;
    });
    deps.onRecorded?.(session.id, stored);
    if (!stored) return false;
    void deps.processing.schedule(session.id);
    // Counted once per occurrence, after the commit: a retried or twice-delivered message is one message.
    const received = receivedMessageType(event);
    if (received) deps.usage?.countReceived({ rowId: session.id, userId: session.user_id, sessionId: session.session_id }, received);
    return true;
  }

  return { record };
}
export type WebhookOccurrences = ReturnType<typeof createWebhookOccurrences>;
