import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { internalPrincipal } from '../../auth/internal-key.js';
import { SECURITY } from '../schemas.js';
import * as S from './audit.schemas.js';

export const auditRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { audit } = app.services;

  app.get(
    '/audit',
    {
      schema: {
        tags: ['internal'],
        security: SECURITY.internal,
        summary: 'Who changed what: the audit trail, newest first (scoped keys: their source only)',
        querystring: S.AuditQuery,
        response: { 200: S.AuditPage, ...S.auditErrors },
      },
    },
    async (request) => audit.list(internalPrincipal(request), { ...request.query, limit: Math.min(request.query.limit, 100) }),
  );
};
