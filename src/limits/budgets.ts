import type { Clock } from '../lib/clock.js';
import { createTtlCache } from '../lib/lru.js';
import { createCounter, type CounterResult, type CounterStore } from './counter.js';
import { decide, refusal, refuse, type LimitDecision, type LimitRefusal } from './decision.js';

/** The four settings of the Go limiter, and of each of the two budgets here. */
export interface BudgetSettings {
  windowSeconds: number;
  maxRequests: number;
  spamMaxPer10s: number;
  /** Seconds an address is blocked past the spam limit (0: no block). */
  blockSeconds: number;
}

/** Fixed in the Go service, not a setting. */
export const SPAM_WINDOW_SECONDS = 10;
/**
 * Credential lookups a blocked address may still make per spam window, for a tenant behind it that no
 * instance has seen yet: half a store query a second per blocked address at most, however hard it floods.
 */
export const LOOKUPS_WHILE_BLOCKED = 5;
/** Users one instance remembers as refused (bounded; an entry lasts one window at most). */
const MAX_REFUSED_USERS = 10_000;

/**
 * Per client address, for requests no credential let in: the Go limiter (go-service-api §5). A
 * blocked address is refused without touching the request counter; otherwise both counters count.
 */
export function createAddressBudget(s: BudgetSettings, store: CounterStore) {
  const spam = createCounter(
    { name: 'spam', points: s.spamMaxPer10s, windowSeconds: SPAM_WINDOW_SECONDS, blockSeconds: s.blockSeconds },
    store,
  );
  const rate = createCounter({ name: 'rate', points: s.maxRequests, windowSeconds: s.windowSeconds, blockSeconds: 0 }, store);
  const lookups = createCounter(
    { name: 'lookup', points: LOOKUPS_WHILE_BLOCKED, windowSeconds: SPAM_WINDOW_SECONDS, blockSeconds: 0 },
    store,
  );

  /**
   * The spam key becomes the block when the count first exceeds the limit, so `limit + 1` is the
   * request that starts the block ("spam detected") and anything above it arrived during the block.
   */
  const isBlocked = (count: CounterResult) => s.blockSeconds > 0 && count.over && count.consumed > s.spamMaxPer10s + 1;

  return {
    async consume(ip: string): Promise<LimitDecision> {
      const spamCount = await spam.consume(ip);
      if (isBlocked(spamCount)) return refuse('blocked', spamCount, s.maxRequests);
      return decide(spamCount, await rate.consume(ip), s.maxRequests);
    },
    async block(ip: string): Promise<LimitRefusal | null> {
      const count = await spam.peek(ip);
      return count?.over ? refuse(s.blockSeconds > 0 ? 'blocked' : 'spam', count, s.maxRequests) : null;
    },
    lookupWhileBlocked: async (ip: string) => !(await lookups.consume(ip)).over,
    counters: [spam, rate, lookups],
  };
}

/**
 * Per user, for requests a credential let in (issue 12 §2): the same windows, but past the spam limit
 * the user is refused for the rest of the 10 s window and never blocked. A refusal is also kept in
 * memory until it ends, so that a tenant looping over its budget is answered before its credential is
 * even checked: no store query and no Redis call per refused request.
 */
export function createUserBudget(s: BudgetSettings, store: CounterStore, clock: Clock) {
  const spam = createCounter({ name: 'user-spam', points: s.spamMaxPer10s, windowSeconds: SPAM_WINDOW_SECONDS, blockSeconds: 0 }, store);
  const rate = createCounter({ name: 'user-rate', points: s.maxRequests, windowSeconds: s.windowSeconds, blockSeconds: 0 }, store);
  const now = () => clock.now().getTime();
  const longestMs = Math.max(s.windowSeconds, SPAM_WINDOW_SECONDS) * 1000;
  const refused = createTtlCache<string, { reason: LimitRefusal['reason']; until: number }>({
    max: MAX_REFUSED_USERS,
    ttlMs: longestMs,
    now,
  });

  return {
    // Both counters always count, as in Go, so they go to the store side by side: one round trip.
    async consume(userId: string): Promise<LimitDecision> {
      const [spamCount, rateCount] = await Promise.all([spam.consume(userId), rate.consume(userId)]);
      const decision = decide(spamCount, rateCount, s.maxRequests);
      if (!decision.allowed) refused.set(userId, { reason: decision.reason, until: now() + decision.resetMs });
      return decision;
    },
    refusal(userId: string): LimitRefusal | null {
      const entry = refused.get(userId);
      const left = entry ? entry.until - now() : 0;
      return entry && left > 0 ? refusal(entry.reason, left, s.maxRequests) : null;
    },
    counters: [spam, rate],
  };
}
