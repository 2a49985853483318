import type { FastifyRequest } from 'fastify';
import { AppError } from '../errors.js';
import { safeEqual } from '../lib/secrets.js';

/** `/metrics` credential when METRICS_TOKEN is set: `Authorization: Bearer <token>`, compared in constant time (SPEC §8). */
export function createMetricsTokenHook(token: string) {
  return async function metricsTokenHook(request: FastifyRequest) {
    const presented = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '')?.[1] ?? '';
    if (!safeEqual(presented, token)) throw new AppError('METRICS_TOKEN_INVALID');
  };
}
