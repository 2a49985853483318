import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../errors.js';
import type { PublicGuard } from '../http/rate-limit.js';
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
 * owner's standing already checked (inactive user, lapsed plan: 403). The public limits run around
 * the check (http/rate-limit.ts): they count the session's owner, or the address it failed from.
 */
export function createSessionTokenHook(tokens: Pick<SessionTokens, 'authenticate'>, guard: PublicGuard) {
  return async function sessionTokenHook(request: FastifyRequest, reply: FastifyReply) {
    const token = tokenFrom(request.headers);
    request.session = await guard(request, reply, {
      kind: 'session-token',
      value: token,
      authenticate: () => tokens.authenticate(token),
      userOf: (session) => session.user_id,
    });
  };
}

export function sessionPrincipal(request: FastifyRequest) {
  if (!request.session) throw new AppError('TOKEN_REQUIRED');
  return request.session;
}
