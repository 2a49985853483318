import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { customerPrincipal } from '../../auth/customer-key.js';
import { DateTime, Nullable, SECURITY } from '../schemas.js';
import { SessionParams, sessionErrors } from './sessions.schemas.js';

const Delivery = Type.Object({
  id: Type.Integer(),
  event_id: Type.String(),
  event_type: Type.String(),
  url: Type.String(),
  status: Type.Union([Type.Literal('pending'), Type.Literal('delivered'), Type.Literal('failed')]),
  attempts: Type.Integer(),
  last_status_code: Nullable(Type.Integer()),
  last_error: Nullable(Type.String()),
  next_attempt_at: Nullable(DateTime),
  created_at: DateTime,
  delivered_at: Nullable(DateTime),
});
const One = Type.Object({ delivery: Delivery });
const DeliveryParams = Type.Object({
  session_id: Type.String({ minLength: 1, maxLength: 128 }),
  delivery_id: Type.Integer({ minimum: 1 }),
});

const tags = ['customer'];
const security = SECURITY.customer;

/** Recent deliveries of a session's events to its webhook_url, with redeliver and a test ping (issue 5). */
export const webhookDeliveryRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { webhookDeliveries } = app.services;

  app.get(
    '/sessions/:session_id/webhook-deliveries',
    {
      schema: {
        tags,
        security,
        summary: 'Recent webhook deliveries',
        params: SessionParams,
        querystring: Type.Object({ limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }) }),
        response: { 200: Type.Object({ deliveries: Type.Array(Delivery) }), ...sessionErrors },
      },
    },
    async (request) => webhookDeliveries.list(customerPrincipal(request), request.params.session_id, request.query.limit),
  );

  app.post(
    '/sessions/:session_id/webhook-deliveries/:delivery_id/redeliver',
    { schema: { tags, security, summary: 'Deliver again', params: DeliveryParams, response: { 202: One, ...sessionErrors } } },
    async (request, reply) =>
      reply
        .status(202)
        .send(await webhookDeliveries.redeliver(customerPrincipal(request), request.params.session_id, request.params.delivery_id)),
  );

  app.post(
    '/sessions/:session_id/webhook-deliveries/test',
    { schema: { tags, security, summary: 'Send a signed test event', params: SessionParams, response: { 202: One, ...sessionErrors } } },
    async (request, reply) => reply.status(202).send(await webhookDeliveries.test(customerPrincipal(request), request.params.session_id)),
  );
};
