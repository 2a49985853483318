import type { FastifyPluginAsync } from 'fastify';
import { applySubscriptionPolicy, createCustomerKeyHook } from '../../auth/customer-key.js';
import type { ChangeOriginOf } from '../../http/change-origin.js';
import type { PublicGuard } from '../../http/rate-limit.js';
import { contactRoutes } from './contacts.js';
import { meRoutes } from './me.js';
import { sessionEventRoutes } from './session-events.js';
import { sessionRoutes } from './sessions.js';
import { settingsRoutes } from './settings.js';
import { usageRoutes } from './usage.js';
import { webhookDeliveryRoutes } from './webhook-deliveries.js';

/**
 * `/v1/*`: customers with their `x-api-key`, each let in under its route's subscription policy
 * (`config: { subscription }`, `required` unless a route says otherwise) and the public limits.
 */
export const customerRoutes: FastifyPluginAsync<{ guard: PublicGuard; eventStreamBufferBytes: number; origin: ChangeOriginOf }> = async (
  app,
  options,
) => {
  app.decorateRequest('customer', null);
  app.addHook('onRoute', applySubscriptionPolicy);
  app.addHook('onRequest', createCustomerKeyHook(app.services.customers, options.guard));
  await app.register(meRoutes);
  await app.register(sessionRoutes, { origin: options.origin });
  await app.register(settingsRoutes, { origin: options.origin });
  await app.register(contactRoutes);
  await app.register(webhookDeliveryRoutes);
  await app.register(usageRoutes);
  await app.register(sessionEventRoutes, { bufferBytes: options.eventStreamBufferBytes });
};
