import { AppError } from '../errors.js';
import type { Clock } from '../lib/clock.js';
import { sha256Hex } from '../lib/secrets.js';
import type { Db } from '../store/index.js';
import type { SubscriptionRow } from '../store/subscriptions.js';
import { findCustomerByKeyHash, type UserRow } from '../store/users.js';
import { keyAccepted } from './api-keys.js';
import type { KeyUsage } from './key-usage.js';
import type { Quota } from './quota.js';
import { DEFAULT_PROVIDER, describeQuota } from './subscriptions.js';
import { tenantRefusal } from './tenant-access.js';

/** The authenticated customer, as the `/v1` routes see it, with its subscription as loaded. */
export type Customer = Pick<UserRow, 'id' | 'source_service' | 'created_by' | 'status' | 'created_at' | 'updated_at'> & {
  subscription: SubscriptionRow | null;
};

/**
 * Whether a `/v1` route serves a customer whose subscription is not usable now. `required` for every
 * route but `GET /v1/sessions`, which the Go service served on a lapsed subscription (go-service-api
 * §8.10). An inactive user is refused either way (SPEC §3).
 */
export type SubscriptionPolicy = 'required' | 'not-required';

/**
 * The subscription of a customer let in under the `required` policy: the `/v1` hook has checked it
 * is usable at this instant, so a service only reads it here.
 */
export function servedSubscription(customer: Customer): SubscriptionRow {
  if (!customer.subscription) throw new AppError('SUBSCRIPTION_NOT_FOUND');
  return customer.subscription;
}

export function createCustomerService(deps: { db: Db; clock: Clock; quota: Pick<Quota, 'held'>; keyUsage: Pick<KeyUsage, 'mark'> }) {
  const { db, clock } = deps;

  /**
   * `x-api-key` → the customer (go-service-api §4.2), let in by the one tenant rule
   * (services/tenant-access.ts) under the route's policy, checked on every request. The key may be
   * the one a rotation replaced, until its grace ends (api-keys.ts). Its use is noted in memory only.
   */
  async function authenticate(apiKey: string | undefined, policy: SubscriptionPolicy): Promise<Customer> {
    const key = apiKey?.trim();
    if (!key) throw new AppError('API_KEY_REQUIRED');
    const hash = sha256Hex(key);
    const user = await findCustomerByKeyHash(db, hash, DEFAULT_PROVIDER);
    const now = clock.now();
    if (!user || !keyAccepted(user, now)) throw new AppError('API_KEY_INVALID');
    deps.keyUsage.mark(hash, now);
    const refusal = tenantRefusal(user.status, user.subscription, now);
    if (refusal && (policy === 'required' || refusal === 'USER_INACTIVE')) throw new AppError(refusal);
    return user;
  }

  /** GET /v1/me: user, subscription and quota; never the key hash (go-service-api B17). */
  function getMe(customer: Customer) {
    const sub = servedSubscription(customer);
    const { subscription: _omit, ...user } = customer;
    return {
      user: { ...user, status: user.status ?? 'active', created_by: user.created_by ?? '' },
      subscription: { ...sub, status: 'active' },
      quota: describeQuota(sub, deps.quota.held(sub.id)),
    };
  }

  return { authenticate, getMe };
}
export type CustomerService = ReturnType<typeof createCustomerService>;
