import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError, type ErrorCode, isAppError } from '../errors.js';
import { createAddressMatcher, createClientIpResolver, type TrustProxy } from '../lib/client-ip.js';
import { limitHeaders } from '../limits/headers.js';
import type { LimitDecision, LimitRefusal, PublicLimiter } from '../limits/limiter.js';

const CODES: Record<LimitRefusal['reason'], ErrorCode> = {
  blocked: 'IP_BLOCKED',
  spam: 'SPAM_DETECTED',
  rate: 'RATE_LIMITED',
};

/** One scope's credential, as its auth hook reads it (auth/customer-key.ts, auth/session-token.ts). */
export interface ScopeCredential<P> {
  /** Keeps credential spaces apart in the memory of known credentials. */
  kind: 'customer-key' | 'session-token';
  /** The presented credential, or null when the request carries none. */
  value: string | null;
  /** The scope's own check; refuses with a 401/403 AppError. */
  authenticate(): Promise<P>;
  userOf(principal: P): string;
}

/** Authenticates a public request under the limits of SPEC §10; what the auth hooks of `/v1`, `/wa` and `/v1/wa` call. */
export type PublicGuard = <P>(request: FastifyRequest, reply: FastifyReply, credential: ScopeCredential<P>) => Promise<P>;

export interface PublicGuardDeps {
  limiter: PublicLimiter;
  trustProxy: TrustProxy;
  /** RATE_LIMIT_EXEMPT_IPS. */
  exemptIps: readonly string[];
  onRefused?: (reason: string) => void;
}

/**
 * The one place where the public limits meet authentication (SPEC §10, issue 12 §2), before any body
 * is read: check the address's block → authenticate → count the user, or count the address's failure.
 * - A credential that authenticates counts against its user (one budget across `/v1`, `/wa` and
 *   `/v1/wa`, as the Go budget was one per address across them); a user is refused, never blocked.
 * - No credential, or one refused (401/403), counts against the address, which is blocked past the
 *   spam limit as in Go. A blocked address is answered without a store query, except for credentials
 *   some instance saw authenticate within the last day and `LOOKUPS_WHILE_BLOCKED` lookups per 10 s
 *   for the others: its tenants keep working, a key-guesser costs the store next to nothing.
 * - A credential this instance knows is checked without asking Redis whether its address is blocked,
 *   and a user this instance refused is refused again from memory until its window ends: an
 *   authenticated request costs no more store queries or awaits than before.
 * The client is the socket peer unless that peer is a trusted proxy (TRUST_PROXY); an address in
 * RATE_LIMIT_EXEMPT_IPS is never counted nor refused.
 */
export function createPublicGuard(deps: PublicGuardDeps): PublicGuard {
  const { limiter, onRefused } = deps;
  const clientIp = createClientIpResolver(deps.trustProxy);
  const exempt = createAddressMatcher(deps.exemptIps, 'RATE_LIMIT_EXEMPT_IPS');

  function refuse(refusal: LimitRefusal, reason: string): never {
    onRefused?.(reason);
    throw new AppError(CODES[refusal.reason], refusal.message, limitHeaders(refusal));
  }

  /** Counts a request no credential let in against its address; the credential's own refusal stands unless the address is over. */
  async function failed(ip: string, reply: FastifyReply, error: unknown): Promise<never> {
    const decision = await limiter.consumeAddress(ip);
    if (!decision.allowed) refuse(decision, decision.reason);
    reply.headers(limitHeaders(decision));
    throw error;
  }

  async function admitted<P>(userId: string, principal: P, reply: FastifyReply): Promise<P> {
    const decision: LimitDecision = await limiter.consumeUser(userId);
    if (!decision.allowed) refuse(decision, `user_${decision.reason}`);
    reply.headers(limitHeaders(decision));
    return principal;
  }

  return async function guard<P>(request: FastifyRequest, reply: FastifyReply, credential: ScopeCredential<P>): Promise<P> {
    const forwarded = request.headers['x-forwarded-for'];
    const ip = clientIp(request.socket.remoteAddress ?? '', Array.isArray(forwarded) ? forwarded.join(',') : forwarded);
    if (exempt(ip)) return credential.authenticate();
    if (credential.value === null) return credential.authenticate().catch((error: unknown) => failed(ip, reply, error));
    const id = limiter.credentials.idOf(credential.kind, credential.value);
    const knownUser = limiter.credentials.recall(id);
    const refusedUser = knownUser === undefined ? null : limiter.userRefusal(knownUser);
    if (refusedUser) refuse(refusedUser, `user_${refusedUser.reason}`);
    const block = knownUser === undefined ? await blockFor(ip, id) : null;
    let principal: P;
    try {
      principal = await credential.authenticate();
    } catch (error) {
      if (!isCredentialRefusal(error)) throw error;
      if (knownUser !== undefined || block) limiter.credentials.forget(id);
      return block ? refuse(block, block.reason) : failed(ip, reply, error);
    }
    const userId = credential.userOf(principal);
    limiter.credentials.remember(id, userId);
    return admitted(userId, principal, reply);
  };

  /**
   * Null while the address is not blocked. A blocked address refuses the request here, unread, unless
   * its credential may still be looked up: some instance saw it authenticate, or the address has
   * lookups left in this window. Then the block is returned, to answer with if the credential fails.
   */
  async function blockFor(ip: string, id: string): Promise<LimitRefusal | null> {
    const block = await limiter.addressBlock(ip);
    if (!block) return null;
    if ((await limiter.credentials.knownElsewhere(id)) || (await limiter.lookupWhileBlocked(ip))) return block;
    refuse(block, block.reason);
  }
}

/** What the auth hooks answer for a missing, unknown or refused credential (never a store failure). */
function isCredentialRefusal(error: unknown): boolean {
  return isAppError(error) && (error.status === 401 || error.status === 403);
}
