import type { LimitDecision } from './limiter.js';

/**
 * Response headers for a decision: `RateLimit-Limit`, `RateLimit-Remaining`, `RateLimit-Reset`
 * (seconds from now, as in the IETF RateLimit header fields draft and @fastify/rate-limit's
 * draft mode) and, on a refusal, `Retry-After` in seconds (the Go service sent none).
 */
export function limitHeaders(decision: LimitDecision): Record<string, string> {
  const headers: Record<string, string> = {
    'ratelimit-limit': String(decision.limit),
    'ratelimit-remaining': String(decision.remaining),
    'ratelimit-reset': String(Math.ceil(decision.resetMs / 1000)),
  };
  if (!decision.allowed) headers['retry-after'] = String(decision.retryAfterSeconds);
  return headers;
}
