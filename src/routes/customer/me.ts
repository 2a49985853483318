import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { customerPrincipal } from '../../auth/customer-key.js';
import { DateTime, Nullable, SECURITY, errors } from '../schemas.js';

// Allow-lists: what is not named here is never sent, which is what keeps the key hash out (B17).
const User = Type.Object({
  id: Type.String(),
  source_service: Type.String(),
  created_by: Type.String(),
  status: Type.String(),
  created_at: Nullable(DateTime),
  updated_at: Nullable(DateTime),
});
const Subscription = Type.Object({
  id: Type.Integer(),
  user_id: Type.String(),
  provider: Nullable(Type.String()),
  max_sessions: Nullable(Type.Integer()),
  max_messages: Nullable(Type.Integer()),
  expires_at: DateTime,
  status: Type.String(),
  created_at: Nullable(DateTime),
  updated_at: Nullable(DateTime),
});
const QuotaUsage = Type.Object({
  max_messages: Type.Integer(),
  used: Type.Integer(),
  remaining: Nullable(Type.Integer()),
  period_started_at: Nullable(DateTime),
});
const MeReply = Type.Object({ user: User, subscription: Subscription, quota: QuotaUsage });

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
