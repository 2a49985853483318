import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';

const Home = Type.Object({ mode: Type.String(), service: Type.String(), status: Type.String() });
const Health = Type.Object({ status: Type.String() });

/** Liveness only: cheap, no store or provider call (readiness is separate, SPEC §7). HEAD comes with GET. */
export const healthRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/', { schema: { tags: ['ops'], summary: 'Service banner', response: { 200: Home } } }, async () => ({
    mode: 'subscription-gateway',
    service: 'genfity-wa-support',
    status: 'running',
  }));
  app.get('/health', { schema: { tags: ['ops'], summary: 'Liveness', response: { 200: Health } } }, async () => ({ status: 'healthy' }));
};
