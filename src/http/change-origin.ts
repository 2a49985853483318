import type { FastifyRequest } from 'fastify';
import { createClientIpResolver, type TrustProxy } from '../lib/client-ip.js';
import type { Actor, ChangeOrigin } from '../services/audit-trail.js';

/**
 * Who a request acts as in the audit trail (SPEC §10), and from where: the principal its scope's
 * auth hook set (an internal key by its source, or "global"; a customer by its user id), the
 * request id, and the client address as the public limits see it (TRUST_PROXY, lib/client-ip.ts).
 */
export function createChangeOrigin(trustProxy: TrustProxy) {
  const clientIp = createClientIpResolver(trustProxy);
  return function changeOrigin(request: FastifyRequest): ChangeOrigin {
    let actor: Actor;
    if (request.internal) actor = { type: 'internal', name: request.internal.source ?? 'global' };
    else if (request.customer) actor = { type: 'customer', name: request.customer.id };
    else throw new Error('changeOrigin: no principal on this request');
    const forwarded = request.headers['x-forwarded-for'];
    const ip = clientIp(request.socket.remoteAddress ?? '', Array.isArray(forwarded) ? forwarded.join(',') : forwarded);
    return { actor, requestId: request.id, ip };
  };
}
export type ChangeOriginOf = ReturnType<typeof createChangeOrigin>;
