import type {} from '@fastify/swagger';
import type { InternalPrincipal } from '../lib/internal-keys.js';
import type { Services } from '../deps.js';
import type { Customer } from '../services/customers.js';
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
}
