import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { customerPrincipal } from '../../auth/customer-key.js';
import { SECURITY } from '../schemas.js';
import { SessionParams, sessionErrors } from './sessions.schemas.js';
import { DeliveryList, DeliveryListQuery, DeliveryParams, DeliveryReply } from './webhook-deliveries.schemas.js';

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
        querystring: DeliveryListQuery,
        response: { 200: DeliveryList, ...sessionErrors },
      },
    },
    async (request) => webhookDeliveries.list(customerPrincipal(request), request.params.session_id, request.query.limit),
  );

  app.post(
    '/sessions/:session_id/webhook-deliveries/:delivery_id/redeliver',
    { schema: { tags, security, summary: 'Deliver again', params: DeliveryParams, response: { 202: DeliveryReply, ...sessionErrors } } },
    async (request, reply) =>
      reply
        .status(202)
        .send(await webhookDeliveries.redeliver(customerPrincipal(request), request.params.session_id, request.params.delivery_id)),
  );

  app.post(
    '/sessions/:session_id/webhook-deliveries/test',
    {
      schema: {
        tags,
        security,
        summary: 'Send a signed test event',
        params: SessionParams,
        response: { 202: DeliveryReply, ...sessionErrors },
      },
    },
    async (request, reply) => reply.status(202).send(await webhookDeliveries.test(customerPrincipal(request), request.params.session_id)),
  );
};
