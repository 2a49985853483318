import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { errors } from '../schemas.js';

const Accepted = Type.Object({ status: Type.String(), duplicate: Type.Boolean() });
const RelayParams = Type.Object({ relay_id: Type.String({ minLength: 1, maxLength: 64, pattern: '^[^\\x00-\\x1f]+$' }) });

/**
 * genfity-wa → gateway (SPEC §6). The body is kept raw: the provider signs the exact bytes, in its
 * form or JSON format, and the signature is checked before anything is parsed or stored.
 */
export const providerWebhookRoutes: FastifyPluginAsyncTypebox<{ bodyLimit: number }> = async (app, options) => {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: options.bodyLimit }, (_req, body, done) => done(null, body));
  const { webhookInbound } = app.services;
  const accept = (relayId: string | null) => async (request: { headers: Record<string, unknown>; body: unknown }) => {
    const signature = request.headers['x-hmac-signature'];
    return {
      status: 'accepted',
      ...(await webhookInbound.accept({
        relayId,
        raw: Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0),
        contentType: String(request.headers['content-type'] ?? ''),
        signature: typeof signature === 'string' ? signature : undefined,
      })),
    };
  };
  const schema = { tags: ['webhooks'], response: { 200: Accepted, ...errors(400, 401, 404, 413) } };

  app.post('/wa', { schema: { ...schema, summary: "genfity-wa's global webhook (signed with WA_GLOBAL_HMAC_KEY)" } }, accept(null));
  app.post(
    '/wa/s/:relay_id',
    { schema: { ...schema, params: RelayParams, summary: 'A session webhook the gateway provisioned' } },
    async (request) => accept(request.params.relay_id)(request),
  );
};
