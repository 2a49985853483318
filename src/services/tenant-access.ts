import { AppError, type ErrorCode } from '../errors.js';
import type { SubscriptionRow } from '../store/subscriptions.js';
import { subscriptionState } from './subscriptions.js';

type UsableSubscription = Pick<SubscriptionRow, 'status' | 'expires_at'>;

/**
 * Who is served (SPEC §3): a tenant whose user is active and whose subscription is usable at this
 * instant. Customer routes, the token gateway and the webhook relay all ask this one rule
 * (issue 11 §10). Returns null when the tenant is served, else the code it is refused with.
 */
export function tenantRefusal(userStatus: string | null, sub: UsableSubscription | null, now: Date): ErrorCode | null {
  if ((userStatus ?? 'active') !== 'active') return 'USER_INACTIVE';
  if (!sub) return 'SUBSCRIPTION_NOT_FOUND';
  const state = subscriptionState(sub, now);
  if (state === 'expired') return 'SUBSCRIPTION_EXPIRED';
  if (state === 'inactive') return 'SUBSCRIPTION_INACTIVE';
  return null;
}

/** Throws the 403 of `tenantRefusal`; returns the subscription when the tenant is served. */
export function requireTenantAccess<T extends UsableSubscription>(userStatus: string | null, sub: T | null, now: Date): T {
  const refusal = tenantRefusal(userStatus, sub, now);
  if (refusal) throw new AppError(refusal);
  return sub as T;
}
