import type { FastifyPluginAsync } from 'fastify';
import { createInternalKeyHook } from '../../auth/internal-key.js';
import type { ChangeOriginOf } from '../../http/change-origin.js';
import type { InternalKey } from '../../lib/internal-keys.js';
import { usageRoutes } from './usage.js';
import { auditRoutes } from './audit.js';
import { userRoutes } from './users.js';

/** `/internal/*`: service-to-service, behind INTERNAL_API_KEYS; no rate limit (go-service-api §2). */
export const internalRoutes: FastifyPluginAsync<{ keys: readonly InternalKey[]; origin: ChangeOriginOf }> = async (app, options) => {
  app.decorateRequest('internal', null);
  app.addHook('onRequest', createInternalKeyHook(options.keys));
  await app.register(userRoutes, { origin: options.origin });
  await app.register(usageRoutes);
  await app.register(auditRoutes);
};
