import type { ServerResponse } from 'node:http';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest, FastifySchema } from 'fastify';
import { createSessionTokenHook, sessionPrincipal } from '../../auth/session-token.js';
import { handleError } from '../../http/error-handler.js';
import type { PublicGuard } from '../../http/rate-limit.js';
import type { GatewayResult } from '../../services/gateway.js';
import { SECURITY } from '../schemas.js';

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH'] as const;

function send(request: FastifyRequest, reply: FastifyReply, result: GatewayResult) {
  closeIfUnread(request, reply);
  reply.status(result.status).headers(result.headers);
  if (result.quota) {
    reply.header('x-message-quota-limit', String(result.quota.limit));
    if (result.quota.remaining !== null) reply.header('x-message-quota-remaining', String(result.quota.remaining));
  }
  return reply.send(result.body);
}

/** A body left unread (a refusal before it was read whole, a GET that carried one): the connection cannot be reused. */
function closeIfUnread(request: FastifyRequest, reply: FastifyReply) {
  if (!request.raw.complete) reply.header('connection', 'close');
}

/** Aborts when the client's connection closes before its answer was sent. */
function goneSignal(res: ServerResponse): AbortSignal {
  const controller = new AbortController();
  if (res.destroyed) controller.abort();
  else res.once('close', () => res.writableFinished || controller.abort());
  return controller.signal;
}

/**
 * `ANY /wa/*` and `ANY /v1/wa/*` (SPEC §4): the session-token gateway. The token under the public
 * limits (auth/session-token.ts), before a byte of the body is read; the gateway service reads the body
 * itself, whole and bounded, once it knows the request goes to the provider. The answer streams back.
 */
export const gatewayRoutes: FastifyPluginAsync<{ prefix: string; guard: PublicGuard }> = async (app, options) => {
  app.decorateRequest('session', null);
  app.addHook('onRequest', createSessionTokenHook(app.services.sessionTokens, options.guard));
  // Refusals (the token hook's included) pass here: checked on the way out, not in a hook on every answer.
  app.setErrorHandler((error: Error, request, reply) => {
    closeIfUnread(request, reply);
    return handleError(error, request, reply);
  });
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_request, _payload, done) => done(null));
  const { gateway } = app.services;
  const handler = async (request: FastifyRequest, reply: FastifyReply) => {
    const url = request.raw.url ?? '';
    const mark = url.indexOf('?');
    const path = url.slice(options.prefix.length, mark === -1 ? url.length : mark);
    const query = mark === -1 ? '' : url.slice(mark + 1);
    const key = request.headers['idempotency-key'];
    let gone: AbortSignal | undefined;
    return send(
      request,
      reply,
      await gateway.handle(sessionPrincipal(request), {
        method: request.method,
        rawPath: path,
        rawQuery: query,
        headers: request.headers,
        idempotencyKey: typeof key === 'string' ? key : undefined,
        body: request.raw,
        // Made only when asked (a lifecycle call waiting its turn): sends pay nothing for it.
        get signal() {
          gone ??= goneSignal(reply.raw);
          return gone;
        },
      }),
    );
  };
  const schema: FastifySchema = {
    tags: ['gateway'],
    security: SECURITY.token,
    summary: 'Proxied to genfity-wa with the session token (user routes only)',
  };
  app.route({ method: [...METHODS], url: '/', schema, handler });
  app.route({ method: [...METHODS], url: '/*', schema, handler });
};
