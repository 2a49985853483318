import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { AppError, isAppError } from '../errors.js';
import type { Clock } from '../lib/clock.js';
import { goField } from '../lib/json.js';
import { typingDelayMs } from '../lib/typing.js';
import { forward, type ForwardResponse } from '../provider/forward.js';
import type { ProviderClient } from '../provider/client.js';
import type { Db } from '../store/index.js';
import type { TokenRow } from '../store/gateway.js';
import { mergeSessionState } from '../store/sessions.js';
import { capBody, resolveTarget, tokenFrom, type GatewayRequest, type Target } from './gateway-request.js';
import type { Idempotency } from './idempotency.js';
import type { Quota, QuotaSubscription } from './quota.js';
import type { RelayGateway } from './relay-gateway.js';
import type { SendStats } from './send-stats.js';
import { stateFromSessionAnswer } from './session-state.js';
import type { SessionTokens } from './session-tokens.js';

export interface GatewayLimits {
  maxBodyBytes: number;
  timeoutMs: number;
  longTimeoutMs: number;
}
export interface GatewayResult extends ForwardResponse {
  quota: { limit: number; remaining: number | null } | null;
}

/** Told what became of each send (metrics, SPEC §7); the service knows no metrics library. */
export interface GatewayObserver {
  /** `rejected`: the provider refused it (4xx); `failed`: provider 5xx, down or too slow. */
  sendFinished(type: string, outcome: 'sent' | 'rejected' | 'failed'): void;
  quotaRejected(type: string): void;
}

type Deps = {
  db: Db;
  provider: ProviderClient;
  clock: Clock;
  tokens: SessionTokens;
  quota: Quota;
  stats: SendStats;
  idempotency: Idempotency;
  limits: GatewayLimits;
  relay: Pick<RelayGateway, 'intercept'>;
  sleep?: (ms: number) => Promise<void>;
  observer?: GatewayObserver;
};

const quotaSub = (row: TokenRow): QuotaSubscription => ({
  id: row.sub_id ?? 0,
  max_messages: row.max_messages,
  period_started_at: row.period_started_at,
});

/**
 * The client's headers as the provider gets them. `/session/*` answers are read here to refresh the
 * session state, so they are asked for uncompressed; a rewritten body gets its own length.
 */
function forwardedHeaders(req: GatewayRequest, target: Target, rewrittenLength: number | null): GatewayRequest['headers'] {
  const headers = { ...req.headers };
  if (target.path.startsWith('/session/')) delete headers['accept-encoding'];
  if (rewrittenLength !== null) headers['content-length'] = String(rewrittenLength);
  return headers;
}

/**
 * The token gateway (SPEC §4): authenticate, decide on the normalised path, hold a message of the
 * quota for sends, stream to genfity-wa and back, then count. Nothing here waits on a database write.
 */
export function createGateway(deps: Deps) {
  const { provider, tokens, quota, stats, limits, clock } = deps;
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));

  async function handle(req: GatewayRequest): Promise<GatewayResult> {
    const row = await tokens.authenticate(tokenFrom(req.headers));
    const target = resolveTarget(req);
    const send = target.route.send && req.method === 'POST' ? target.route.send : null;
    const held = send ? await quota.reserve(quotaSub(row)) : null;
    if (send && held && !held.ok) {
      deps.observer?.quotaRejected(send);
      throw new AppError('QUOTA_EXCEEDED', undefined, { 'x-message-quota-limit': String(held.limit), 'x-message-quota-remaining': '0' });
    }
    let res: ForwardResponse;
    try {
      const key = send ? req.headers['idempotency-key'] : undefined;
      res =
        typeof key === 'string' && key
          ? await deps.idempotency.once(`${row.row_id}:${key}`, () => call(row, req, target, send))
          : await call(row, req, target, send);
    } catch (error) {
      // The provider down or too slow is a failed message; a client that went away mid-body and our own
      // refusals (a body too large…) are not messages.
      const clientGone = req.body?.readableAborted === true;
      const unreachable = !clientGone && isAppError(error) && (error.code === 'PROVIDER_UNAVAILABLE' || error.code === 'PROVIDER_TIMEOUT');
      if (send) settle(row, send, unreachable ? 'failed' : 'refused');
      throw error;
    }
    // Only a provider 5xx is a failed message; a 4xx is a refused request, not a message (go-service-api B26).
    // A replayed Idempotency-Key answer sent nothing: its hold goes back, and nothing is counted twice.
    if (send && res.headers['idempotent-replayed'] === 'true') quota.refund(quotaSub(row));
    else if (send) settle(row, send, res.status >= 200 && res.status < 300 ? 'sent' : res.status >= 500 ? 'failed' : 'refused');
    if (target.path.startsWith('/session/')) res = await syncState(row, target.path, res);
    return { ...res, quota: held?.ok && held.limit !== null ? { limit: held.limit, remaining: held.remaining } : null };
  }

  /** Counts a send; a message the provider did not accept goes back to the quota (SPEC §3). */
  function settle(row: TokenRow, type: string, outcome: 'sent' | 'failed' | 'refused') {
    if (outcome !== 'sent') quota.refund(quotaSub(row));
    deps.observer?.sendFinished(type, outcome === 'refused' ? 'rejected' : outcome);
    if (outcome === 'refused') return;
    const unlimited = (row.max_messages ?? 0) <= 0 && row.sub_id !== null ? row.sub_id : null;
    stats.record({
      userId: row.user_id,
      sessionId: row.session_id,
      rowId: row.row_id,
      messageType: type,
      outcome,
      unlimitedSubId: unlimited,
    });
  }

  async function call(row: TokenRow, req: GatewayRequest, target: Target, send: string | null): Promise<ForwardResponse> {
    const capped = capBody(req, limits.maxBodyBytes);
    const relayed = await deps.relay.intercept(row.row_id, target.path, req.method, capped.body);
    if (relayed && 'answer' in relayed) return relayed.answer;
    const typing = send === 'text' && row.typing_enabled ? await readTyping(capped.body) : null;
    const body = relayed ? Readable.from([relayed.body]) : typing ? Readable.from([typing.raw]) : capped.body;
    // The provider routes GET only; a HEAD is a GET whose body Node leaves out of the answer.
    const method = req.method === 'HEAD' ? 'GET' : req.method;
    const headers = forwardedHeaders(req, target, relayed ? relayed.body.length : null);
    const run = () =>
      forward(provider.http, {
        method,
        path: target.encodedPath,
        query: req.rawQuery,
        token: row.session_token,
        headers,
        body,
        timeoutMs: target.route.slow ? limits.longTimeoutMs : limits.timeoutMs,
      });
    try {
      if (typing?.phone) await showTyping(row.session_token, typing.phone, typing.text);
      const res = await (target.route.lifecycle ? provider.lifecycle(run) : run());
      if (typing?.phone) void provider.presence(row.session_token, typing.phone, 'paused').catch(() => undefined);
      return res;
    } catch (error) {
      if (capped.exceeded()) throw new AppError('BODY_TOO_LARGE');
      throw error;
    }
  }

  /** A text send's body is small: read it to know whom the "composing" presence is for. */
  async function readTyping(body: Readable | null) {
    const raw = body ? Buffer.from(await text(body)) : Buffer.alloc(0);
    try {
      const parsed = JSON.parse(raw.toString('utf8')) as Record<string, unknown>;
      const phone = goField(parsed, 'phone');
      const message = goField(parsed, 'body');
      return { raw, phone: typeof phone === 'string' ? phone : null, text: typeof message === 'string' ? message : '' };
    } catch {
      return { raw, phone: null, text: '' };
    }
  }

  /** SPEC §3: "composing" for a short, length-dependent, capped delay before the text goes out. */
  async function showTyping(token: string, phone: string, message: string) {
    await provider.presence(token, phone, 'composing').catch(() => undefined);
    await sleep(typingDelayMs(message));
  }

  /** `/session/*` answers are small: read them, refresh the stored state, hand the same bytes on. */
  async function syncState(row: TokenRow, path: string, res: ForwardResponse): Promise<ForwardResponse> {
    const answer = await text(res.body);
    const state = stateFromSessionAnswer(path, res.status, answer);
    if (state) await mergeSessionState(deps.db, row.row_id, state, clock.now());
    return { ...res, body: Readable.from([Buffer.from(answer)]) };
  }

  return { handle };
}
export type Gateway = ReturnType<typeof createGateway>;
