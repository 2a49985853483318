import { expect } from 'vitest';
import type { App } from '../../src/app.js';
import type { ProviderSimulator } from '../../sim/provider-simulator.js';
import { internal } from './app.js';
import { seedUser } from './seed.js';

export interface TenantRoute {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** The route for a session id (for routes without one, ignore the argument). */
  url: (sessionId: string) => string;
  payload?: object;
  /** True for routes that work on a lapsed subscription (GET /v1/sessions, as the Go service). */
  expiredAllowed?: boolean;
  /** False for routes that name no session (no other-tenant check). */
  sessionScoped?: boolean;
}

export interface TenantContext {
  app: App;
  sim: ProviderSimulator;
  /** A session that belongs to someone other than `otherKey`'s user. */
  sessionId: string;
  otherKey: string;
  /** The instant "now" of the app's clock, to make an already-expired subscription. */
  now: Date;
}

async function expectRefused(
  app: App,
  sim: ProviderSimulator,
  route: TenantRoute,
  headers: Record<string, string>,
  sessionId: string,
  status: number,
  code: string,
) {
  sim.clearRequests();
  const res = await app.inject({
    method: route.method,
    url: route.url(sessionId),
    headers,
    ...(route.payload ? { payload: route.payload } : {}),
  });
  expect(res.statusCode, `${route.method} ${route.url(sessionId)} ${code}`).toBe(status);
  expect(res.json(), `${route.method} ${route.url(sessionId)}`).toMatchObject({ message: expect.any(String), code });
  expect(sim.requests, 'the provider saw nothing').toEqual([]);
  return res.json() as { message: string; code: string };
}

/**
 * Every `/v1` route, by Fastify's method and pattern, with how `tenantIsolation` calls it.
 * `test/routes/customer/route-coverage.test.ts` compares it with the routes of the running app and
 * runs the checks on each: a route added to the app and not here fails the suite.
 */
export const CUSTOMER_ROUTES: Record<string, TenantRoute> = {
  'GET /v1/me': { method: 'GET', url: () => '/v1/me', sessionScoped: false },
  'GET /v1/sessions': { method: 'GET', url: () => '/v1/sessions', expiredAllowed: true, sessionScoped: false },
  'POST /v1/sessions': { method: 'POST', url: () => '/v1/sessions', payload: { session_name: 'x' }, sessionScoped: false },
  'PUT /v1/sessions/:session_id': { method: 'PUT', url: (id) => `/v1/sessions/${id}`, payload: { session_name: 'hijack' } },
  'DELETE /v1/sessions/:session_id': { method: 'DELETE', url: (id) => `/v1/sessions/${id}` },
  'GET /v1/sessions/:session_id/settings': { method: 'GET', url: (id) => `/v1/sessions/${id}/settings` },
  'PUT /v1/sessions/:session_id/settings': {
    method: 'PUT',
    url: (id) => `/v1/sessions/${id}/settings`,
    payload: { webhook_url: 'https://evil.example.com/' },
  },
  'GET /v1/sessions/:session_id/contacts': { method: 'GET', url: (id) => `/v1/sessions/${id}/contacts` },
  'POST /v1/sessions/:session_id/contacts/sync': { method: 'POST', url: (id) => `/v1/sessions/${id}/contacts/sync` },
  'GET /v1/sessions/:session_id/webhook-deliveries': { method: 'GET', url: (id) => `/v1/sessions/${id}/webhook-deliveries` },
  'POST /v1/sessions/:session_id/webhook-deliveries/test': { method: 'POST', url: (id) => `/v1/sessions/${id}/webhook-deliveries/test` },
  // Issue 17: a session id of another tenant is the same 404 as a missing one.
  'GET /v1/usage': { method: 'GET', url: (id) => `/v1/usage?session_id=${encodeURIComponent(id)}` },
  // Refused before a byte of the stream is written (issue 16 §4).
  'GET /v1/sessions/:session_id/events': { method: 'GET', url: (id) => `/v1/sessions/${id}/events` },
  'POST /v1/sessions/:session_id/webhook-deliveries/:delivery_id/redeliver': {
    method: 'POST',
    url: (id) => `/v1/sessions/${id}/webhook-deliveries/1/redeliver`,
  },
};

/**
 * STYLE: every tenant-owned route is checked for no key, a wrong key, an inactive user, an expired
 * subscription, no subscription for the provider and another tenant's session id, which must look
 * exactly like a missing one (SPEC §5).
 */
export async function tenantIsolation(ctx: TenantContext, route: TenantRoute): Promise<void> {
  const { app, sim, sessionId } = ctx;
  await expectRefused(app, sim, route, {}, sessionId, 401, 'API_KEY_REQUIRED');
  await expectRefused(app, sim, route, { 'x-api-key': 'gwa_wrong' }, sessionId, 401, 'API_KEY_INVALID');
  const inactive = await seedUser(app);
  await app.inject({ method: 'PUT', url: `/internal/users/${inactive.userId}`, headers: internal(), payload: { status: 'inactive' } });
  await expectRefused(app, sim, route, { 'x-api-key': inactive.apiKey }, sessionId, 403, 'USER_INACTIVE');
  if (!route.expiredAllowed) {
    const expired = await seedUser(app, { expires_at: new Date(ctx.now.getTime() - 1000).toISOString() });
    await expectRefused(app, sim, route, { 'x-api-key': expired.apiKey }, sessionId, 403, 'SUBSCRIPTION_EXPIRED');
    const elsewhere = await seedUser(app, { provider: 'another-provider' });
    await expectRefused(app, sim, route, { 'x-api-key': elsewhere.apiKey }, sessionId, 403, 'SUBSCRIPTION_NOT_FOUND');
  }
  if (route.sessionScoped === false) return;
  const foreign = await expectRefused(app, sim, route, { 'x-api-key': ctx.otherKey }, sessionId, 404, 'SESSION_NOT_FOUND');
  const missing = await expectRefused(app, sim, route, { 'x-api-key': ctx.otherKey }, 'no-such-session', 404, 'SESSION_NOT_FOUND');
  expect(foreign).toEqual(missing);
}
