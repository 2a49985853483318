import type { FastifyPluginAsync } from 'fastify';
import { Type } from 'typebox';
import { createMetricsTokenHook } from '../../auth/metrics-token.js';
import type { Metrics } from '../../lib/metrics.js';
import { ErrorBody } from '../schemas.js';

export interface MetricsRouteOptions {
  metrics: Pick<Metrics, 'render' | 'contentType'>;
  /** METRICS_TOKEN: when set, scrapes must carry it as a bearer token. */
  token: string | undefined;
}

const Exposition = Type.String({ description: 'Prometheus text exposition format' });

/** `GET /metrics` for Prometheus (SPEC §7); open unless METRICS_TOKEN is set. */
export const metricsRoutes: FastifyPluginAsync<MetricsRouteOptions> = async (app, options) => {
  if (options.token) app.addHook('onRequest', createMetricsTokenHook(options.token));
  app.get(
    '/metrics',
    {
      schema: {
        tags: ['ops'],
        summary: 'Prometheus metrics',
        security: options.token ? [{ metricsToken: [] }] : [],
        response: { 200: { content: { 'text/plain': { schema: Exposition } } }, 401: ErrorBody },
      },
    },
    async (_request, reply) => reply.type(options.metrics.contentType).send(await options.metrics.render()),
  );
};
