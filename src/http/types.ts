import type {} from '@fastify/swagger';
import type { InternalPrincipal } from '../lib/internal-keys.js';
import type { Services } from '../deps.js';
import type { Customer, SubscriptionPolicy } from '../services/customers.js';
import type { SessionPrincipal } from '../services/session-tokens.js';

// The single `services` decorator and the principals the auth hooks set (STYLE: DI rule).
declare module 'fastify' {
  interface FastifyInstance {
    services: Services;
  }
  interface FastifyRequest {
    internal: InternalPrincipal | null;
    customer: Customer | null;
    session: SessionPrincipal | null;
  }
  /** Per-route options (`config`): `/v1` routes may state their subscription policy (auth/customer-key.ts). */
  interface FastifyContextConfig {
    subscription?: SubscriptionPolicy;
  }
}
