import type { FastifyPluginAsync, FastifyReply, FastifyRequest, FastifySchema, onRequestHookHandler } from 'fastify';
import type { GatewayResult } from '../../services/gateway.js';
import { SECURITY } from '../schemas.js';

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH'] as const;

function send(reply: FastifyReply, result: GatewayResult) {
  reply.status(result.status).headers(result.headers);
  if (result.quota) {
    reply.header('x-message-quota-limit', String(result.quota.limit));
    if (result.quota.remaining !== null) reply.header('x-message-quota-remaining', String(result.quota.remaining));
  }
  return reply.send(result.body);
}

/**
 * `ANY /wa/*` and `ANY /v1/wa/*` (SPEC §4): the session-token gateway. Bodies are not parsed here:
 * they stream to the provider as they arrive, and the answer streams back.
 */
export const gatewayRoutes: FastifyPluginAsync<{ prefix: string; rateLimit: onRequestHookHandler }> = async (app, options) => {
  app.addHook('onRequest', options.rateLimit);
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_request, _payload, done) => done(null));
  const { gateway } = app.services;
  const handler = async (request: FastifyRequest, reply: FastifyReply) => {
    const [path = '', query = ''] = (request.raw.url ?? '').slice(options.prefix.length).split(/\?(.*)/s);
    try {
      return send(
        reply,
        await gateway.handle({ method: request.method, rawPath: path, rawQuery: query, headers: request.headers, body: request.raw }),
      );
    } catch (error) {
      // A body cut off half-read (too large, provider gone) leaves the connection unusable.
      if (!request.raw.complete) reply.header('connection', 'close');
      throw error;
    }
  };
  const schema: FastifySchema = {
    tags: ['gateway'],
    security: SECURITY.token,
    summary: 'Proxied to genfity-wa with the session token (user routes only)',
  };
  app.route({ method: [...METHODS], url: '/', schema, handler });
  app.route({ method: [...METHODS], url: '/*', schema, handler });
};
