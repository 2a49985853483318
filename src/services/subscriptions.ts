import type { SubscriptionRow } from '../store/subscriptions.js';

/** The provider this gateway speaks to; subscriptions of other providers do not grant access to it. */
export const DEFAULT_PROVIDER = 'genfity-wa';

/**
 * The session cap a subscription grants: `max_sessions` ≤ 0 or absent means the default of one, as
 * the Go service read it (go-service-api §8.5). Every writer stores, and every reader applies, this.
 */
export function effectiveMaxSessions(maxSessions: number | null | undefined): number {
  return maxSessions === null || maxSessions === undefined || maxSessions <= 0 ? 1 : maxSessions;
}

export type SubscriptionState = 'active' | 'expired' | 'inactive';

/**
 * Expiry is an instant checked on every request (SPEC §3), not only when the sweep job has run:
 * a row still marked active but past `expires_at` is expired now.
 */
export function subscriptionState(sub: Pick<SubscriptionRow, 'status' | 'expires_at'>, now: Date): SubscriptionState {
  if (sub.status === 'inactive') return 'inactive';
  if (sub.status === 'expired' || sub.expires_at.getTime() <= now.getTime()) return 'expired';
  return 'active';
}

/** What a customer is shown of their message quota (`GET /v1/me`); the quota's leases are services/quota.ts. */
export interface QuotaUsage {
  max_messages: number;
  used: number;
  remaining: number | null;
  period_started_at: Date | null;
}

/**
 * `max_messages` 0 means unlimited (SPEC §3): remaining is then null. `held` is what this instance
 * has claimed for sends but not used yet: counted in the row, not yet sent.
 */
export function describeQuota(sub: Pick<SubscriptionRow, 'max_messages' | 'messages_used' | 'period_started_at'>, held = 0): QuotaUsage {
  const max = sub.max_messages ?? 0;
  const used = Math.max(0, sub.messages_used - held);
  return { max_messages: max, used, remaining: max > 0 ? Math.max(0, max - used) : null, period_started_at: sub.period_started_at };
}
