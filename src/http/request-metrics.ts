import type { FastifyInstance } from 'fastify';
import type { Metrics } from '../lib/metrics.js';

// Requests that matched no route share one label: raw URLs would make the series unbounded.
const UNMATCHED = 'unmatched';

/**
 * Counts every answered request by method, route pattern and status, with its latency (SPEC §7).
 * Added on the root instance before the routes, so it sees every route scope.
 */
export function observeRequests(app: FastifyInstance, metrics: Pick<Metrics, 'httpRequest'>): void {
  app.addHook('onResponse', async (request, reply) => {
    metrics.httpRequest({
      method: request.method,
      route: request.is404 ? UNMATCHED : (request.routeOptions.url ?? UNMATCHED),
      status: reply.statusCode,
      seconds: reply.elapsedTime / 1000,
    });
  });
}
