import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError, type ErrorCode } from '../errors.js';
import type { TrustProxy } from '../lib/client-ip.js';
import { createClientIpResolver } from '../lib/client-ip.js';
import { limitHeaders } from '../limits/headers.js';
import type { LimitDecision, PublicLimiter } from '../limits/limiter.js';

const CODES: Record<Exclude<LimitDecision, { allowed: true }>['reason'], ErrorCode> = {
  blocked: 'IP_BLOCKED',
  spam: 'SPAM_DETECTED',
  rate: 'RATE_LIMITED',
};

/**
 * Per-client-IP limits on the public routes (SPEC §7, go-service-api §5): one budget shared by
 * `/v1`, `/wa` and `/v1/wa`, counted before any credential is looked at, as the Go service did.
 * The client is the socket peer unless that peer is a trusted proxy (TRUST_PROXY).
 */
export function createRateLimitHook(limiter: PublicLimiter, trust: TrustProxy, onRefused?: (reason: string) => void) {
  const clientIp = createClientIpResolver(trust);
  return async function rateLimitHook(request: FastifyRequest, reply: FastifyReply) {
    const forwarded = request.headers['x-forwarded-for'];
    const ip = clientIp(request.socket.remoteAddress ?? '', Array.isArray(forwarded) ? forwarded.join(',') : forwarded);
    const decision = await limiter.consume(ip);
    const headers = limitHeaders(decision);
    if (decision.allowed) {
      reply.headers(headers);
      return;
    }
    onRefused?.(decision.reason);
    throw new AppError(CODES[decision.reason], decision.message, headers);
  };
}
