import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { customerPrincipal } from '../../auth/customer-key.js';
import { SECURITY, errors } from '../schemas.js';
import { UsageQuery, UsageReport } from '../usage.schemas.js';

export const usageRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/usage',
    {
      schema: {
        tags: ['customer'],
        security: SECURITY.customer,
        summary: 'Messages per Asia/Jakarta day: sent, failed, received (SPEC §10)',
        querystring: UsageQuery,
        response: { 200: UsageReport, ...errors(400, 401, 403, 404) },
      },
    },
    async (request) => app.services.usage.userReport(customerPrincipal(request).id, request.query),
  );
};
