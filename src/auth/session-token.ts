import type { FastifyRequest } from 'fastify';
import { AppError } from '../errors.js';
import type { SessionTokens } from '../services/session-tokens.js';

/** `token`, else `Authorization: Bearer <t>`, else a raw `Authorization: <t>` (go-service-api §4.3). */
export function tokenFrom(headers: FastifyRequest['headers']): string | null {
  const token = headers.token;
  if (typeof token === 'string' && token.trim()) return token.trim();
  const auth = headers.authorization;
  if (typeof auth !== 'string' || !auth.trim()) return null;
  return (
    auth
      .trim()
      .replace(/^Bearer\s+/i, '')
      .trim() || null
  );
}

/**
 * `/wa/*` and `/v1/wa/*` credential (SPEC §4): the session token. Runs before the body is read, so a
 * request without a usable token costs no more than its headers. Sets the session principal, with its
 * owner's standing already checked (inactive user, lapsed plan: 403).
 */
export function createSessionTokenHook(tokens: Pick<SessionTokens, 'authenticate'>) {
  return async function sessionTokenHook(request: FastifyRequest) {
    request.session = await tokens.authenticate(tokenFrom(request.headers));
  };
}

export function sessionPrincipal(request: FastifyRequest) {
  if (!request.session) throw new AppError('TOKEN_REQUIRED');
  return request.session;
}
