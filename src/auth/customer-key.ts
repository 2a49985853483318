import type { FastifyRequest } from 'fastify';
import { AppError } from '../errors.js';
import type { CustomerService } from '../services/customers.js';

/** `/v1/*` credential: `x-api-key` only, as the Go service (go-service-api §4.2). */
export function createCustomerKeyHook(customers: Pick<CustomerService, 'authenticate'>) {
  return async function customerKeyHook(request: FastifyRequest) {
    const header = request.headers['x-api-key'];
    request.customer = await customers.authenticate(typeof header === 'string' ? header : undefined);
  };
}

export function customerPrincipal(request: FastifyRequest) {
  if (!request.customer) throw new AppError('API_KEY_REQUIRED');
  return request.customer;
}
