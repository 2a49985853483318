import type { FastifyInstance, onResponseHookHandler } from 'fastify';
import type { Metrics } from '../lib/metrics.js';

// Requests that matched no route share one label: raw URLs would make the series unbounded.
const UNMATCHED = 'unmatched';

/**
 * Counts every answered request by method, route pattern and status, with its latency (SPEC §7).
 * Added on the root instance before the routes, so it sees every route scope. Each route gets its own
 * recorder when it is added, so an answer costs no route lookup (`request.routeOptions` builds a new
 * object on every read) and no promise (issue 15); requests no route matched are counted at the root.
 */
export function observeRequests(app: FastifyInstance, metrics: Pick<Metrics, 'httpRoute'>): void {
  app.addHook('onRoute', (route) => {
    const record = metrics.httpRoute(route.url);
    const observe: onResponseHookHandler = (request, reply, done) => {
      record(request.method, reply.statusCode, reply.elapsedTime / 1000);
      done();
    };
    route.onResponse = [...(route.onResponse ? [route.onResponse].flat() : []), observe];
  });
  const unmatched = metrics.httpRoute(UNMATCHED);
  app.addHook('onResponse', (request, reply, done) => {
    if (request.is404) unmatched(request.method, reply.statusCode, reply.elapsedTime / 1000);
    done();
  });
}
