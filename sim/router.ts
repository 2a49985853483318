import type { IncomingMessage, ServerResponse } from 'node:http';
import { createStore } from './state.js';
import { createWebhookDispatcher } from './webhooks.js';
import { createQrFlow } from './qr.js';
import type { SimUser, SimulatorConfig } from './types.js';

/** Everything the provider routes share: config, the users table + token cache, webhooks, QR flow. */
export function createCore(config: SimulatorConfig) {
  const store = createStore();
  const dispatcher = createWebhookDispatcher({ config, store });
  const qr = createQrFlow({ config, dispatcher });
  return { config, store, dispatcher, qr, startedAt: Date.now() };
}

export type SimCore = ReturnType<typeof createCore>;

export interface RouteContext {
  req: IncomingMessage;
  res: ServerResponse;
  body: string;
  url: URL;
  params: Record<string, string>;
}

export interface UserContext extends RouteContext {
  user: SimUser;
}

export type Route =
  | { method: string[]; path: string; auth: 'admin' | 'none'; handler: (ctx: RouteContext) => unknown }
  | { method: string[]; path: string; auth: 'user'; handler: (ctx: UserContext) => unknown };

/**
 * gorilla/mux semantics as the provider wires them: a path pattern with `{var}` single segments, and a
 * method mismatch is not a 405: the request falls through to the static catch-all (contract §8).
 */
export function matchRoute(routes: Route[], method: string, path: string): { route: Route; params: Record<string, string> } | null {
  for (const route of routes) {
    if (!route.method.includes(method)) continue;
    const params = matchPath(route.path, path);
    if (params) return { route, params };
  }
  return null;
}

function matchPath(pattern: string, path: string): Record<string, string> | null {
  const want = pattern.split('/');
  const got = path.split('/');
  if (want.length !== got.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i += 1) {
    const w = want[i] ?? '';
    const g = got[i] ?? '';
    if (w.startsWith('{')) {
      if (g === '') return null;
      params[w.slice(1, -1)] = decodeURIComponent(g);
    } else if (w !== g) return null;
  }
  return params;
}
