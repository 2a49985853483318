import { AppError } from '../errors.js';
import type { Counter } from '../limits/counter.js';

/**
 * Failed provider-webhook signatures, counted per client address and per webhook route (the global
 * one, or one session's relay address): past WEBHOOK_AUTH_FAILURE_LIMIT a minute, that address is
 * refused there for WEBHOOK_AUTH_BLOCK_MINUTES without its body being read (issue 11 §2). Counting per
 * route keeps genfity-wa's own address, which posts every event, from being refused for one session
 * whose key it lacks; an unknown relay id costs no body and is not counted, as genfity-wa still posts
 * for sessions the gateway has forgotten.
 */
export function createWebhookAuthGuard(deps: { failures: Pick<Counter, 'consume' | 'peek'> }) {
  const key = (route: string, client: string) => `${route}|${client}`;

  async function refuseIfBlocked(route: string, client: string): Promise<void> {
    const seen = await deps.failures.peek(key(route, client));
    if (!seen?.over) return;
    throw new AppError('WEBHOOK_AUTH_BLOCKED', undefined, { 'retry-after': String(Math.max(1, Math.ceil(seen.msBeforeNext / 1000))) });
  }

  async function failed(route: string, client: string): Promise<never> {
    await deps.failures.consume(key(route, client));
    throw new AppError('WEBHOOK_SIGNATURE_INVALID');
  }

  return { refuseIfBlocked, failed };
}
export type WebhookAuthGuard = ReturnType<typeof createWebhookAuthGuard>;
