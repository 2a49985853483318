import type { CounterResult } from './counter.js';

/**
 * `limit`/`remaining` describe the request window (`maxRequests` per `windowSeconds`).
 * `resetMs` is relative: milliseconds until that window ends, or, when refused for spam, until the block ends.
 */
export type LimitDecision = { allowed: true; limit: number; remaining: number; resetMs: number } | LimitRefusal;
export interface LimitRefusal {
  allowed: false;
  reason: 'blocked' | 'spam' | 'rate';
  message: string;
  retryAfterSeconds: number;
  limit: number;
  remaining: 0;
  resetMs: number;
}

/** The Go service's answers, word for word (go-service-api §5): clients show them. */
export const LIMIT_MESSAGES = {
  blocked: 'ip blocked due to spam',
  spam: 'spam detected',
  rate: 'rate limit exceeded',
} as const;

/** Both counters counted this request; the spam check comes before the rate check, as in Go. */
export function decide(spamCount: CounterResult, rateCount: CounterResult, limit: number): LimitDecision {
  if (spamCount.over) return refuse('spam', spamCount, limit);
  if (rateCount.over) return refuse('rate', rateCount, limit);
  return { allowed: true, limit, remaining: rateCount.remaining, resetMs: Math.max(0, rateCount.msBeforeNext) };
}

export function refuse(reason: LimitRefusal['reason'], count: CounterResult, limit: number): LimitRefusal {
  return refusal(reason, count.msBeforeNext, limit);
}

export function refusal(reason: LimitRefusal['reason'], msBeforeNext: number, limit: number): LimitRefusal {
  const resetMs = Math.max(0, msBeforeNext);
  // Retry-After of 0 would invite an immediate retry into the same refusal.
  const retryAfterSeconds = Math.max(1, Math.ceil(resetMs / 1000));
  return { allowed: false, reason, message: LIMIT_MESSAGES[reason], retryAfterSeconds, limit, remaining: 0, resetMs };
}
