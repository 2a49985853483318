import type { FastifyPluginAsync } from 'fastify';
import { createInternalKeyHook } from '../../auth/internal-key.js';
import type { InternalKey } from '../../lib/internal-keys.js';
import { usageRoutes } from './usage.js';
import { userRoutes } from './users.js';

/** `/internal/*`: service-to-service, behind INTERNAL_API_KEYS; no rate limit (go-service-api §2). */
export const internalRoutes: FastifyPluginAsync<{ keys: readonly InternalKey[] }> = async (app, options) => {
  app.decorateRequest('internal', null);
  app.addHook('onRequest', createInternalKeyHook(options.keys));
  await app.register(userRoutes);
  await app.register(usageRoutes);
};
