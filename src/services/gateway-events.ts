import { gatewayEventBody } from '../lib/webhook-format.js';
import { webhookFormatOf } from '../lib/webhook-format-names.js';
import { publicEventId } from '../lib/webhook-payload.js';
import type { Queryable } from '../store/index.js';
import type { SessionRow } from '../store/sessions.js';
import { insertDelivery, type DeliveryRecord } from '../store/webhooks.js';

export type GatewayEventTarget = Pick<SessionRow, 'id' | 'user_id' | 'session_id' | 'session_name' | 'webhook_format'> & {
  webhook_url: string;
};

export interface NewGatewayEvent {
  type: string;
  event: unknown;
  /** Names this occurrence within the session: the event's public id is made from it. */
  key: string;
}

/**
 * The one way an event the gateway makes itself reaches a customer (the test ping; `SessionHealth`,
 * issue 16): in the session's format — genfity-wa's JSON shape in `provider` format (SPEC §10) — and
 * through the same outbox, signatures and retries as the provider's events.
 */
export function queueGatewayEvent(q: Queryable, session: GatewayEventTarget, e: NewGatewayEvent, now: Date): Promise<DeliveryRecord> {
  const eventId = publicEventId(session.id, `${e.type}:${e.key}`);
  const body = gatewayEventBody(webhookFormatOf(session.webhook_format), {
    id: eventId,
    type: e.type,
    event: e.event,
    sessionId: session.session_id,
    instanceName: session.session_name ?? '',
    timestamp: now,
  });
  return insertDelivery(q, {
    eventId,
    sessionRowId: session.id,
    userId: session.user_id,
    sessionId: session.session_id,
    type: e.type,
    url: session.webhook_url,
    ...body,
    now,
  });
}
