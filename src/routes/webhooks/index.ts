import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Readable } from 'node:stream';
import { Type } from 'typebox';
import { createRawBody } from '../../http/raw-body.js';
import { createClientIpResolver, type TrustProxy } from '../../lib/client-ip.js';
import { errors } from '../schemas.js';

const Accepted = Type.Object({ status: Type.String(), duplicate: Type.Boolean() });
const RelayParams = Type.Object({ relay_id: Type.String({ minLength: 1, maxLength: 64, pattern: '^[^\\x00-\\x1f]+$' }) });

export interface ProviderWebhookOptions {
  trustProxy: TrustProxy;
  /** REQUEST_BODY_TIMEOUT_MS: the whole body must have arrived by then. */
  bodyTimeoutMs: number;
}

/**
 * genfity-wa → gateway (SPEC §6). Nothing is parsed here: the body stays unread while the service
 * checks what needs no body (the session, the signature header, the declared length, the address's
 * failures), then it is read raw, its signature checked, and only then parsed (issue 11 §2).
 */
export const providerWebhookRoutes: FastifyPluginAsyncTypebox<ProviderWebhookOptions> = async (app, options) => {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_request, payload, done) => done(null, payload));
  const { webhookInbound } = app.services;
  const clientIp = createClientIpResolver(options.trustProxy);

  const accept = async (relayId: string | null, request: FastifyRequest, reply: FastifyReply) => {
    const body = createRawBody(request.body instanceof Readable ? request.body : request.raw, options.bodyTimeoutMs);
    const { headers } = request;
    const forwarded = headers['x-forwarded-for'];
    try {
      const result = await webhookInbound.accept({
        relayId,
        client: clientIp(request.socket.remoteAddress ?? '', Array.isArray(forwarded) ? forwarded.join(',') : forwarded),
        contentType: String(headers['content-type'] ?? ''),
        declaredLength: headers['content-length'] === undefined ? null : Number(headers['content-length']),
        signature: typeof headers['x-hmac-signature'] === 'string' ? headers['x-hmac-signature'] : undefined,
        readBody: body.read,
      });
      return { status: 'accepted', ...result };
    } catch (error) {
      // Refused before its body was read (or while it was): answer and hang up instead of draining it.
      if (!body.complete()) reply.header('connection', 'close');
      throw error;
    }
  };
  const schema = { tags: ['webhooks'], response: { 200: Accepted, ...errors(400, 401, 404, 408, 413, 429) } };

  app.post('/wa', { schema: { ...schema, summary: "genfity-wa's global webhook (signed with WA_GLOBAL_HMAC_KEY)" } }, (request, reply) =>
    accept(null, request, reply),
  );
  app.post(
    '/wa/s/:relay_id',
    { schema: { ...schema, params: RelayParams, summary: 'A session webhook the gateway provisioned' } },
    (request, reply) => accept(request.params.relay_id, request, reply),
  );
};
