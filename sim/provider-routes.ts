import type { IncomingMessage, ServerResponse } from 'node:http';
import { goMarshal } from './go-json.js';
import { notFound, readBody, requestId, respondError, send, sleep } from './http-util.js';
import { matchRoute } from './router.js';
import type { Route, RouteContext, SimCore } from './router.js';
import type { Faults, StreamRule } from './faults.js';
import type { LifecycleGuard } from './lifecycle-guard.js';
import { adminRoutes } from './admin-routes.js';
import { sessionRoutes } from './session-routes.js';
import { webhookRoutes } from './webhook-routes.js';
import { settingsRoutes } from './settings-routes.js';
import { sendRoutes } from './send-routes.js';
import { chatRoutes } from './chat-routes.js';
import { healthRoute } from './health-route.js';
import type { RecordedRequest } from './types.js';

/** The route table of routes.go. /chat/send/template is commented out there, so it is not here either. */
export function providerRoutes(core: SimCore): Route[] {
  return [
    healthRoute(core),
    ...adminRoutes(core),
    ...webhookRoutes(),
    ...sessionRoutes(core),
    ...settingsRoutes(),
    ...sendRoutes(core),
    ...chatRoutes(core),
  ];
}

interface DispatchDeps {
  core: SimCore;
  routes: Route[];
  faults: Faults;
  requests: RecordedRequest[];
  lifecycle: LifecycleGuard;
}

/** Records the call, applies injected faults, then routes it the way the provider would. */
export async function dispatchProvider(deps: DispatchDeps, req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
  const body = await readBody(req);
  const recorded = record(req, url, body);
  deps.requests.push(recorded);
  res.once('close', () => {
    recorded.answeredAt = Date.now();
  });
  if (!deps.lifecycle.enter(req, res, url.pathname)) return;
  const delay = deps.faults.latencyFor(url.pathname);
  if (delay > 0) await sleep(delay);
  const failure = deps.faults.takeFailure(url.pathname);
  if (failure) return sendFailure(res, failure.status, failure.body);
  if (deps.faults.takeGarbage(url.pathname)) {
    // Claims JSON but is not: exercises a client that trusts Content-Type.
    return send(res, 200, 'application/json', '<html><body>502 Bad Gateway</body></html>\u0000{"code":');
  }
  const stream = deps.faults.takeStream(url.pathname);
  if (stream) return streamForever(res, stream);
  const match = matchRoute(deps.routes, req.method ?? 'GET', url.pathname);
  if (!match) return staticFallback(res, url);
  const ctx: RouteContext = { req, res, body, url, params: match.params };
  const { route } = match;
  if (route.auth === 'none') return void (await route.handler(ctx));
  if (route.auth === 'admin') {
    // authadmin compares the raw header byte for byte: "Bearer <token>" is refused (contract §1).
    if (req.headers.authorization !== deps.core.config.adminToken) return respondError(res, 401, 'unauthorized');
    return void (await route.handler(ctx));
  }
  const user = deps.core.store.authenticate(sessionToken(req, url));
  if (!user) return respondError(res, 401, 'unauthorized');
  res.setHeader('Request-Id', requestId());
  await route.handler({ ...ctx, user });
}

/** authalice: the `token` header, else every `?token=` value joined; Authorization is never read (§1). */
function sessionToken(req: IncomingMessage, url: URL): string {
  const header = req.headers['token'];
  const value = Array.isArray(header) ? header[0] : header;
  return value || url.searchParams.getAll('token').join('');
}

function record(req: IncomingMessage, url: URL, body: string): RecordedRequest {
  const query: Record<string, string | string[]> = {};
  for (const key of new Set(url.searchParams.keys())) {
    const values = url.searchParams.getAll(key);
    query[key] = values.length === 1 ? (values[0] ?? '') : values;
  }
  return { method: req.method ?? 'GET', path: url.pathname, query, headers: { ...req.headers }, body, at: Date.now() };
}

function sendFailure(res: ServerResponse, status: number, body: unknown): void {
  if (typeof body === 'string') return send(res, status, 'text/plain; charset=utf-8', body);
  const payload = body ?? { code: status, error: 'simulated failure', success: false };
  send(res, status, 'application/json', `${goMarshal(payload)}\n`);
}

/** The static folder behind the catch-all: the dashboard at "/", Go's text 404 for everything else. */
function staticFallback(res: ServerResponse, url: URL): void {
  if (url.pathname !== '/') return notFound(res);
  send(res, 200, 'text/html; charset=utf-8', '<!doctype html><title>genfity-wa</title><h1>genfity-wa (simulator)</h1>\n');
}

const CONTACT_CHUNK = Buffer.from(
  Array.from(
    { length: 512 },
    (_, i) => `"62811${String(i).padStart(7, '0')}@s.whatsapp.net":{"Found":true,"FullName":"Endless ${i}"},`,
  ).join(''),
);

/**
 * A provider answer that never finishes (a hostile or broken genfity-wa): the client has to give up
 * by itself. Both stop once the client closes the connection.
 */
function streamForever(res: ServerResponse, rule: StreamRule): void {
  res.writeHead(200, { 'Content-Type': 'application/json' });
  if (rule.mode === 'trickle') {
    const timer = setInterval(() => res.write(' '), rule.intervalMs ?? 100);
    res.on('close', () => clearInterval(timer));
    res.write('{');
    return;
  }
  res.write('{"code":200,"success":true,"data":{');
  const pump = () => {
    while (!res.destroyed && res.write(CONTACT_CHUNK));
  };
  res.on('drain', pump);
  pump();
}
