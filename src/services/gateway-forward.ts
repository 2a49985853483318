import type { Sleep } from '../lib/clock.js';
import { goField } from '../lib/json.js';
import { typingDelayMs } from '../lib/typing.js';
import type { ProviderClient } from '../provider/client.js';
import { type ForwardResponse, forward } from '../provider/forward.js';
import type { Exchange, GatewayRequest, Target } from './gateway-request.js';
import type { RelayGateway } from './relay-gateway.js';
import type { SessionStateRefresh } from './session-state.js';

/** PROVIDER_TIMEOUT_MS and PROVIDER_LONG_TIMEOUT_MS, as the gateway applies them. */
export interface ForwardLimits {
  timeoutMs: number;
  longTimeoutMs: number;
}

type Deps = {
  provider: Pick<ProviderClient, 'http' | 'lifecycle' | 'presence'>;
  relay: Pick<RelayGateway, 'intercept'>;
  state: Pick<SessionStateRefresh, 'refresh'>;
  limits: ForwardLimits;
  /** The typing delay waits on it (SPEC §3). */
  sleep: Sleep;
};

/**
 * One exchange of the token gateway with genfity-wa (SPEC §4): what relay mode answers itself or
 * rewrites, "composing" before a text, the deadline the route calls for, the lifecycle lane for
 * connect and its kin, then the stored state refreshed from `/session/*` answers.
 */
export function createGatewayForwarder(deps: Deps) {
  const { provider, limits } = deps;

  /** `send` is the message type of a send (its typing), null for any other call. */
  async function forwardExchange(x: Exchange, send: string | null): Promise<ForwardResponse> {
    const { session, req, target } = x;
    const relayed = await deps.relay.intercept(session.row_id, target.path, req.method, x.body);
    if (relayed && 'answer' in relayed) return relayed.answer;
    const typing = send === 'text' && session.typing_enabled ? readTyping(x.body) : null;
    const timeoutMs = target.route.slow ? limits.longTimeoutMs : limits.timeoutMs;
    const run = () =>
      forward(provider.http, {
        // The provider routes GET only; a HEAD is a GET whose body Node leaves out of the answer.
        method: req.method === 'HEAD' ? 'GET' : req.method,
        path: target.encodedPath,
        query: req.rawQuery,
        token: session.session_token,
        headers: forwardedHeaders(req, target),
        body: relayed ? relayed.body : x.body,
        timeoutMs,
        // An answer only streamed through may take as long as the provider's own 120 s write deadline.
        deadlineMs: x.readsAnswer ? timeoutMs : limits.longTimeoutMs,
      });
    if (typing?.phone) await showTyping(session.session_token, typing.phone, typing.text);
    const res = await (target.route.lifecycle ? provider.lifecycle(run, req.signal) : run());
    if (typing?.phone) void provider.presence(session.session_token, typing.phone, 'paused').catch(() => undefined);
    return deps.state.refresh(session.row_id, target.path, res);
  }

  /** SPEC §3: "composing" for a short, length-dependent, capped delay before the text goes out. */
  async function showTyping(token: string, phone: string, message: string) {
    await provider.presence(token, phone, 'composing').catch(() => undefined);
    await deps.sleep(typingDelayMs(message));
  }

  return { forward: forwardExchange };
}
export type GatewayForwarder = ReturnType<typeof createGatewayForwarder>;

/** A text send's body says whom the "composing" presence is for. */
function readTyping(body: Buffer | null): { phone: string | null; text: string } {
  try {
    const parsed = JSON.parse(body ? body.toString('utf8') : '') as Record<string, unknown>;
    const phone = goField(parsed, 'phone');
    const message = goField(parsed, 'body');
    return { phone: typeof phone === 'string' ? phone : null, text: typeof message === 'string' ? message : '' };
  } catch {
    return { phone: null, text: '' };
  }
}

/** The client's headers as the provider gets them; `/session/*` answers are read here, so asked for uncompressed. */
function forwardedHeaders(req: GatewayRequest, target: Target): GatewayRequest['headers'] {
  if (!target.path.startsWith('/session/')) return req.headers;
  const headers = { ...req.headers };
  delete headers['accept-encoding'];
  return headers;
}
