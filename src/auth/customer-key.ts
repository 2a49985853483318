import type { FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import { AppError } from '../errors.js';
import type { PublicGuard } from '../http/rate-limit.js';
import type { CustomerService, SubscriptionPolicy } from '../services/customers.js';

const POLICIES: ReadonlySet<string> = new Set<SubscriptionPolicy>(['required', 'not-required']);

/**
 * `/v1/*` credential: `x-api-key` only, as the Go service (go-service-api §4.2). The customer is let
 * in under the route's subscription policy before its body is read, as the Go service checked it
 * first (go-service-api §8.11): the one place where `/v1` applies the tenant rule. The public limits
 * run around the check (http/rate-limit.ts), so they count the customer, or the address it failed from.
 */
export function createCustomerKeyHook(customers: Pick<CustomerService, 'authenticate'>, guard: PublicGuard) {
  return async function customerKeyHook(request: FastifyRequest, reply: FastifyReply) {
    const header = request.headers['x-api-key'];
    const key = typeof header === 'string' ? header.trim() || null : null;
    const policy = request.routeOptions.config.subscription ?? 'required';
    request.customer = await guard(request, reply, {
      kind: 'customer-key',
      value: key,
      authenticate: () => customers.authenticate(key ?? undefined, policy),
      userOf: (customer) => customer.id,
    });
  };
}

/**
 * At registration, for every `/v1` route: the subscription policy is `required` unless the route says
 * otherwise (so a new route cannot forget it), an unknown value stops start-up, and the OpenAPI
 * document shows it as `x-subscription`.
 */
export function applySubscriptionPolicy(route: RouteOptions): void {
  const policy = route.config?.subscription ?? 'required';
  if (!POLICIES.has(policy)) throw new Error(`${String(route.method)} ${route.url}: unknown subscription policy "${policy}"`);
  route.config = { ...route.config, subscription: policy };
  route.schema = { ...route.schema, 'x-subscription': policy } as RouteOptions['schema'];
}

export function customerPrincipal(request: FastifyRequest) {
  if (!request.customer) throw new AppError('API_KEY_REQUIRED');
  return request.customer;
}
