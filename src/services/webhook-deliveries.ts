import { AppError } from '../errors.js';
import type { Clock } from '../lib/clock.js';
import type { Random } from '../lib/random.js';
import type { Db } from '../store/index.js';
import * as webhooks from '../store/webhooks.js';
import type { Customer } from './customers.js';
import { queueGatewayEvent } from './gateway-events.js';
import type { SessionService } from './sessions.js';

const view = (d: webhooks.DeliveryRecord) => ({
  id: d.id,
  event_id: d.event_id,
  event_type: d.event_type,
  url: d.url,
  status: d.status,
  attempts: d.attempts,
  last_status_code: d.last_status_code,
  last_error: d.last_error,
  next_attempt_at: d.status === 'pending' ? d.next_attempt_at : null,
  created_at: d.created_at,
  delivered_at: d.delivered_at,
});

/** The customer's view of their webhook deliveries (issue 5 §7): list, redeliver, test ping. */
export function createWebhookDeliveries(deps: {
  db: Db;
  clock: Clock;
  random: Random;
  sessions: Pick<SessionService, 'requireSession'>;
  onQueued: () => void;
}) {
  const { db, clock, sessions } = deps;

  async function list(customer: Customer, sessionId: string, limit: number) {
    const row = await sessions.requireSession(customer, sessionId);
    return { deliveries: (await webhooks.listDeliveries(db, customer.id, row.session_id, limit)).map(view) };
  }

  async function redeliver(customer: Customer, sessionId: string, deliveryId: number) {
    const row = await sessions.requireSession(customer, sessionId);
    const delivery = await webhooks.requeueDelivery(db, customer.id, row.session_id, deliveryId, clock.now());
    if (!delivery) throw new AppError('DELIVERY_NOT_FOUND');
    deps.onQueued();
    return { delivery: view(delivery) };
  }

  /** A signed sample event to the session's URL, in its format, through the same outbox as real events. */
  async function test(customer: Customer, sessionId: string) {
    const row = await sessions.requireSession(customer, sessionId);
    if (!row.webhook_url) throw new AppError('WEBHOOK_URL_MISSING');
    const event = {
      type: 'Test',
      event: { message: 'test event from the WA Support Gateway' },
      key: deps.random.bytes(12).toString('hex'),
    };
    const delivery = await queueGatewayEvent(db, { ...row, webhook_url: row.webhook_url }, event, clock.now());
    deps.onQueued();
    return { delivery: view(delivery) };
  }

  return { list, redeliver, test };
}
export type WebhookDeliveries = ReturnType<typeof createWebhookDeliveries>;
