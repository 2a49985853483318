import { AppError } from '../errors.js';
import type { Clock } from '../lib/clock.js';
import { sha256Hex } from '../lib/secrets.js';
import type { Db } from '../store/index.js';
import type { SubscriptionRow } from '../store/subscriptions.js';
import { findCustomerByKeyHash, type UserRow } from '../store/users.js';
import type { Quota } from './quota.js';
import { DEFAULT_PROVIDER, describeQuota } from './subscriptions.js';
import { requireActiveSubscription } from './tenant-access.js';

/** The authenticated customer, as the `/v1` routes see it, with its subscription as loaded. */
export type Customer = Pick<UserRow, 'id' | 'source_service' | 'created_by' | 'status' | 'created_at' | 'updated_at'> & {
  subscription: SubscriptionRow | null;
};

export function createCustomerService(deps: { db: Db; clock: Clock; quota: Pick<Quota, 'held'> }) {
  const { db, clock } = deps;

  /** `x-api-key` → user (go-service-api §4.2); a user that is not active is refused (SPEC §3). */
  async function authenticate(apiKey: string | undefined): Promise<Customer> {
    const key = apiKey?.trim();
    if (!key) throw new AppError('API_KEY_REQUIRED');
    const user = await findCustomerByKeyHash(db, sha256Hex(key), DEFAULT_PROVIDER);
    if (!user) throw new AppError('API_KEY_INVALID');
    if ((user.status ?? 'active') !== 'active') throw new AppError('USER_INACTIVE');
    return user;
  }

  /** The customer's subscription, refused unless usable at this instant (checked on every request). */
  const activeSubscription = (customer: Customer) => requireActiveSubscription(customer.subscription, clock.now());

  /** GET /v1/me: user, subscription and quota; never the key hash (go-service-api B17). */
  function getMe(customer: Customer) {
    const sub = activeSubscription(customer);
    const { subscription: _omit, ...user } = customer;
    return {
      user: { ...user, status: user.status ?? 'active', created_by: user.created_by ?? '' },
      subscription: { ...sub, status: 'active' },
      quota: describeQuota(sub, deps.quota.held(sub.id)),
    };
  }

  return { authenticate, activeSubscription, getMe };
}
export type CustomerService = ReturnType<typeof createCustomerService>;
