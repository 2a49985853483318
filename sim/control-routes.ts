import type { IncomingMessage, ServerResponse } from 'node:http';
import { readBody, send } from './http-util.js';
import { SessionNotFoundError } from './sim-actions.js';
import type { ProviderSimulator } from './provider-simulator.js';

type Body = Record<string, unknown>;
type ControlHandler = (sim: ProviderSimulator, body: Body, url: URL) => unknown;

class BadControlRequest extends Error {}

function need<T>(body: Body, key: string, type: 'string' | 'number' | 'boolean' | 'object'): T {
  const value = body[key];
  if (typeof value !== type || value === null) throw new BadControlRequest(`${key} (${type}) is required`);
  return value as T;
}

const optional = <T>(body: Body, key: string): T | undefined => (body[key] ?? undefined) as T | undefined;

/**
 * The /_sim control API: JSON in and out, so demos, browser tests and benchmarks in other processes
 * can drive the simulator. The real provider never serves /_sim, so nothing here can shadow it.
 */
const CONTROL: Record<string, ControlHandler> = {
  'POST /_sim/pair': (sim, b) => ({
    user: sim.pair(need(b, 'sessionId', 'string'), {
      phone: optional(b, 'phone'),
      jid: optional(b, 'jid'),
      pushName: optional(b, 'pushName'),
    }),
  }),
  'POST /_sim/users': (sim, b) => {
    if (sim.findUserById(need(b, 'id', 'string'))) throw new BadControlRequest('a user with this id exists');
    return {
      user: sim.addUser({
        id: need(b, 'id', 'string'),
        token: need(b, 'token', 'string'),
        name: optional(b, 'name'),
        webhook: optional(b, 'webhook'),
        events: optional(b, 'events'),
        hmacKey: optional(b, 'hmacKey'),
      }),
    };
  },
  'POST /_sim/inject/message': (sim, b) => ({ event: sim.injectMessage(need(b, 'sessionId', 'string'), b) }),
  'POST /_sim/inject/event': (sim, b) => ({
    event: sim.injectEvent(need(b, 'sessionId', 'string'), need(b, 'type', 'string'), b['event'] ?? {}, optional(b, 'extras')),
  }),
  'POST /_sim/contacts': (sim, b) => sim.setContacts(need(b, 'sessionId', 'string'), need(b, 'contacts', 'object')),
  'POST /_sim/qr/rotate': (sim, b) => sim.rotateQr(need(b, 'sessionId', 'string')),
  'POST /_sim/latency': (sim, b) => sim.setLatency(need(b, 'ms', 'number'), optional(b, 'pathPrefix')),
  'POST /_sim/fail': (sim, b) =>
    sim.failNext(need(b, 'pathPrefix', 'string'), {
      status: need(b, 'status', 'number'),
      body: b['body'],
      count: optional(b, 'count'),
    }),
  'POST /_sim/garbage': (sim, b) => sim.setGarbage(need(b, 'pathPrefix', 'string'), optional(b, 'count')),
  'POST /_sim/stream': (sim, b) => {
    const mode = need<string>(b, 'mode', 'string');
    if (mode !== 'trickle' && mode !== 'endless') throw new BadControlRequest('mode must be trickle or endless');
    sim.setStream(need(b, 'pathPrefix', 'string'), { mode, intervalMs: optional(b, 'intervalMs'), count: optional(b, 'count') });
  },
  'POST /_sim/down': (sim, b) => sim.setDown(need(b, 'down', 'boolean')),
  'POST /_sim/silence': (sim, b) => sim.setSilent(need(b, 'sessionId', 'string'), need(b, 'silent', 'boolean')),
  'POST /_sim/status': (sim, b) => {
    const mode = need<string>(b, 'mode', 'string');
    if (!['normal', 'garbage', 'disconnected', 'slow'].includes(mode))
      throw new BadControlRequest('mode must be normal, garbage, disconnected or slow');
    const delayMs = optional<number>(b, 'delayMs');
    const fault =
      mode === 'normal' ? null : { mode: mode as 'garbage' | 'disconnected' | 'slow', ...(delayMs === undefined ? {} : { delayMs }) };
    sim.setStatusFault(need(b, 'sessionId', 'string'), fault);
  },
  'POST /_sim/drop': (sim, b) => ({ user: sim.drop(need(b, 'sessionId', 'string'), optional<boolean>(b, 'notify') ?? false) }),
  'POST /_sim/config': (sim, b) => ({ config: sim.configure(b) }),
  'POST /_sim/reset': (sim) => sim.reset(),
  'GET /_sim/requests': (sim) => ({ requests: sim.requests }),
  'DELETE /_sim/requests': (sim) => sim.clearRequests(),
  'GET /_sim/lifecycle': (sim) => ({ lifecycle: sim.lifecycle }),
  'GET /_sim/deliveries': (sim) => ({ deliveries: sim.deliveries }),
  'DELETE /_sim/deliveries': (sim) => sim.clearDeliveries(),
  'GET /_sim/users': (sim) => ({ users: sim.listUsers() }),
};

function reply(res: ServerResponse, status: number, payload: unknown): void {
  send(res, status, 'application/json', JSON.stringify(payload));
}

export async function handleControl(sim: ProviderSimulator, req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
  const user = /^\/_sim\/users\/([^/]+)$/.exec(url.pathname);
  if (req.method === 'GET' && user) {
    const found = sim.findUserById(decodeURIComponent(user[1] ?? ''));
    return found ? reply(res, 200, { user: found }) : reply(res, 404, { error: 'unknown session' });
  }
  const handler = CONTROL[`${req.method ?? 'GET'} ${url.pathname}`];
  if (!handler) return reply(res, 404, { error: `unknown control route: ${req.method} ${url.pathname}` });
  try {
    const text = await readBody(req);
    const body = (text.trim() ? JSON.parse(text) : {}) as Body;
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new BadControlRequest('body must be a JSON object');
    const result = await handler(sim, body, url);
    reply(res, 200, { ok: true, ...(result && typeof result === 'object' ? result : {}) });
  } catch (error) {
    if (error instanceof SessionNotFoundError) return reply(res, 404, { error: error.message });
    const bad = error instanceof BadControlRequest || error instanceof SyntaxError;
    reply(res, bad ? 400 : 500, { error: error instanceof Error ? error.message : String(error) });
  }
}
