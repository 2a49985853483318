import type { RouteOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../../src/app.js';
import { applySubscriptionPolicy } from '../../../src/auth/customer-key.js';
import { customer, internal } from '../../helpers/app.js';
import { seedUser } from '../../helpers/seed.js';
import { createAppWithSimulator } from '../../helpers/sim.js';
import { CUSTOMER_ROUTES, tenantIsolation } from '../../helpers/tenant-isolation.js';

// `/v1/wa/*` is the token gateway: its own scope, credential (a session token) and tests (test/routes/gateway).
const OTHER_SCOPES = ['/v1/wa'];

/** Every route of the running app as `METHOD /pattern`, read from Fastify's own route tree (hidden ones too). */
function appRoutes(app: App): string[] {
  const stack: string[] = [];
  const routes: string[] = [];
  for (const line of app.printRoutes({ commonPrefix: false }).split('\n')) {
    const match = /^((?:│ {3}| {4})*)[├└]── (.*?)(?: \(([A-Z, ]+)\))?$/.exec(line);
    if (!match) continue;
    const depth = match[1]!.length / 4;
    stack.splice(depth, stack.length, match[2]!);
    // HEAD answers as the GET beside it, through the same hooks; OPTIONS is CORS preflight only.
    const methods = (match[3] ?? '').split(', ').filter((m) => m && m !== 'HEAD' && m !== 'OPTIONS');
    routes.push(...methods.map((m) => `${m} ${stack.join('')}`));
  }
  return routes;
}

/** The policy the running app applies to a route, as its OpenAPI operation states it. */
function policyOf(app: App, route: string): unknown {
  const [method, pattern] = route.split(' ') as [string, string];
  const path = pattern.replace(/:(\w+)/g, '{$1}');
  const doc = app.swagger() as unknown as { paths: Record<string, Record<string, Record<string, unknown>>> };
  return doc.paths[path]?.[method.toLowerCase()]?.['x-subscription'];
}

let t: Awaited<ReturnType<typeof createAppWithSimulator>>;
let v1: string[];
beforeAll(async () => {
  t = await createAppWithSimulator({ env: { WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true' } });
  v1 = appRoutes(t.app).filter((r) => / \/v1(\/|$)/.test(r) && !OTHER_SCOPES.some((scope) => r.split(' ')[1]!.startsWith(scope)));
});
afterAll(async () => {
  await t.close();
});

// Issue 14 §1: one subscription gate where the principal is established, and no `/v1` route outside it.
describe('every /v1 route is covered by the tenant checks and the subscription policy', () => {
  it('the routes of the app are exactly the routes the tenant-isolation table checks', () => {
    expect(v1.length).toBeGreaterThan(10);
    expect([...v1].sort()).toEqual(Object.keys(CUSTOMER_ROUTES).sort());
  });

  it('each route states a policy, and only GET /v1/sessions serves a lapsed subscription (go-service-api §8.10)', () => {
    const policies = Object.fromEntries(v1.map((route) => [route, policyOf(t.app, route)]));
    for (const route of v1) {
      expect(policies[route], route).toBe(CUSTOMER_ROUTES[route]!.expiredAllowed ? 'not-required' : 'required');
    }
    expect(Object.keys(policies).filter((r) => policies[r] === 'not-required')).toEqual(['GET /v1/sessions']);
  });

  it.each(Object.entries(CUSTOMER_ROUTES))('%s', async (_name, route) => {
    const owner = await seedUser(t.app);
    const created = await t.app.inject({
      method: 'POST',
      url: '/v1/sessions',
      headers: customer(owner.apiKey),
      payload: { session_name: 'mine', webhook_url: 'http://127.0.0.1:9/hook' },
    });
    const other = await seedUser(t.app);
    const sessionId = created.json().session.session_id as string;
    await tenantIsolation({ app: t.app, sim: t.sim, sessionId, otherKey: other.apiKey, now: t.clock.now() }, route);
    if (!route.expiredAllowed) return;
    await t.app.inject({
      method: 'PUT',
      url: `/internal/users/${owner.userId}`,
      headers: internal(),
      payload: { expires_at: new Date(t.clock.now().getTime() - 1000).toISOString() },
    });
    const lapsed = await t.app.inject({ method: route.method, url: route.url(sessionId), headers: customer(owner.apiKey) });
    expect(lapsed.statusCode).toBe(200);
  });

  it('an unknown policy stops start-up instead of serving the route', () => {
    const route = { method: 'GET', url: '/x', handler: async () => ({}), config: { subscription: 'optional' } };
    expect(() => applySubscriptionPolicy(route as unknown as RouteOptions)).toThrow(/unknown subscription policy "optional"/);
  });
});
