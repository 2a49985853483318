import type { FastifyPluginAsync } from 'fastify';
import { createCustomerKeyHook } from '../../auth/customer-key.js';
import { meRoutes } from './me.js';

/** `/v1/*`: customers with their `x-api-key`. */
export const customerRoutes: FastifyPluginAsync = async (app) => {
  app.decorateRequest('customer', null);
  app.addHook('onRequest', createCustomerKeyHook(app.services.customers));
  await app.register(meRoutes);
};
