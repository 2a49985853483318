import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { customerPrincipal } from '../../auth/customer-key.js';
import { SECURITY, errors } from '../schemas.js';
import { MeReply } from './me.schemas.js';

export const meRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/me',
    {
      schema: {
        tags: ['customer'],
        security: SECURITY.customer,
        summary: 'The caller, its subscription and quota',
        response: { 200: MeReply, ...errors(401, 403) },
      },
    },
    async (request) => app.services.customers.getMe(customerPrincipal(request)),
  );
};
