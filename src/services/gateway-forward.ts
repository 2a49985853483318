import type { ProviderClient } from '../provider/client.js';
import { type ForwardResponse, forward } from '../provider/forward.js';
import type { Exchange, GatewayRequest, Target } from './gateway-request.js';
import type { TypingPresence } from './gateway-typing.js';
import type { RelayIntercept } from './relay-intercept.js';
import type { SessionStateRefresh } from './session-state.js';

/** PROVIDER_TIMEOUT_MS and PROVIDER_LONG_TIMEOUT_MS, as the gateway applies them. */
export interface ForwardLimits {
  timeoutMs: number;
  longTimeoutMs: number;
}

type Deps = {
  provider: Pick<ProviderClient, 'http' | 'lifecycle'>;
  relay: Pick<RelayIntercept, 'intercept'>;
  typing: Pick<TypingPresence, 'compose'>;
  state: Pick<SessionStateRefresh, 'refresh'>;
  limits: ForwardLimits;
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
    const intercepted = deps.relay.intercept(session.row_id, target.path, req.method, x.body);
    const relayed = intercepted && (await intercepted);
    if (relayed && 'answer' in relayed) return relayed.answer;
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
    const typed = await deps.typing.compose(session, send, x.body);
    const res = await (target.route.lifecycle ? provider.lifecycle(run, req.signal) : run());
    typed();
    return deps.state.refresh(session.row_id, target.path, res);
  }

  return { forward: forwardExchange };
}
export type GatewayForwarder = ReturnType<typeof createGatewayForwarder>;

/** The client's headers as the provider gets them; `/session/*` answers are read here, so asked for uncompressed. */
function forwardedHeaders(req: GatewayRequest, target: Target): GatewayRequest['headers'] {
  if (!target.path.startsWith('/session/')) return req.headers;
  const headers = { ...req.headers };
  delete headers['accept-encoding'];
  return headers;
}
