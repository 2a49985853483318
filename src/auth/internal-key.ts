import type { FastifyRequest } from 'fastify';
import { AppError } from '../errors.js';
import { matchInternalKey, type InternalKey } from '../lib/internal-keys.js';

/**
 * `/internal/*` credential (SPEC §1): `x-internal-api-key`, else `Authorization: Bearer <key>`.
 * As in the Go service, a wrong `x-internal-api-key` is not rescued by an Authorization header.
 */
export function createInternalKeyHook(keys: readonly InternalKey[]) {
  return async function internalKeyHook(request: FastifyRequest) {
    const header = request.headers['x-internal-api-key'];
    let presented = (typeof header === 'string' ? header : '').trim();
    if (!presented)
      presented = (request.headers.authorization ?? '')
        .trim()
        .replace(/^Bearer\s+/i, '')
        .trim();
    if (!presented) throw new AppError('INTERNAL_KEY_REQUIRED');
    const principal = matchInternalKey(keys, presented);
    if (!principal) throw new AppError('INTERNAL_KEY_INVALID');
    request.internal = principal;
  };
}

export function internalPrincipal(request: FastifyRequest) {
  if (!request.internal) throw new AppError('INTERNAL_KEY_REQUIRED');
  return request.internal;
}
