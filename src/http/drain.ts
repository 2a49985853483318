import type { FastifyInstance } from 'fastify';

/**
 * Drain (SPEC §7). Once `close()` has begun, every answer carries `Connection: close` and sockets
 * that fall idle are ended, so the server stops as soon as the last request in flight is answered
 * instead of waiting for keep-alive sockets to time out, and no client is left holding a socket
 * that is about to be cut. Added on the root instance before the routes.
 */
export function closeConnectionsWhileDraining(app: FastifyInstance): void {
  let draining = false;
  app.addHook('preClose', async () => {
    draining = true;
  });
  // Callback hooks, not async ones: they run on every answer, and do something only while draining.
  app.addHook('onSend', (_request, reply, payload, done) => {
    if (draining) reply.header('connection', 'close');
    done(null, payload);
  });
  // An answer whose headers went out before the drain began (a long download) leaves its socket idle.
  app.addHook('onResponse', (_request, _reply, done) => {
    if (draining) setImmediate(() => app.server.closeIdleConnections());
    done();
  });
}
