import { Readable } from 'node:stream';
import { AppError, isAppError } from '../errors.js';
import type { Clock } from '../lib/clock.js';
import { goField } from '../lib/json.js';
import { typingDelayMs } from '../lib/typing.js';
import { readAnswer } from '../provider/answer.js';
import type { ProviderClient } from '../provider/client.js';
import { type ForwardResponse, forward } from '../provider/forward.js';
import type { Db } from '../store/index.js';
import type { BodyReader } from './gateway-body.js';
import { type GatewayRequest, resolveTarget, type Target } from './gateway-request.js';
import { type Idempotency, idempotencyKeyOf, requestFingerprint } from './idempotency.js';
import { checkProviderUrls } from './provider-urls.js';
import type { Quota, QuotaSubscription } from './quota.js';
import type { RelayGateway } from './relay-gateway.js';
import type { SendStats } from './send-stats.js';
import type { SessionActivity } from './session-activity.js';
import type { SessionStates } from './session-states.js';
import type { SessionPrincipal } from './session-tokens.js';
import { stateFromSessionAnswer } from './session-state.js';
import type { WebhookPolicy } from './webhook-policy.js';

export interface GatewayLimits {
  timeoutMs: number;
  longTimeoutMs: number;
  /** Largest provider answer the gateway reads whole (`/session/*`, answers kept for Idempotency-Key). */
  maxAnswerBytes: number;
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
  quota: Quota;
  stats: SendStats;
  idempotency: Idempotency;
  bodies: Pick<BodyReader, 'read'>;
  limits: GatewayLimits;
  relay: Pick<RelayGateway, 'intercept'>;
  webhooks: WebhookPolicy;
  sleep?: (ms: number) => Promise<void>;
  observer?: GatewayObserver;
  /** Session health (SPEC §10): `/session/*` answers become stored state; other successful calls are hearing from the provider. */
  health: { states: Pick<SessionStates, 'apply' | 'announce'>; activity: Pick<SessionActivity, 'heard'> };
};

/** One request on its way to the provider: its principal, target and the body, read whole. */
interface Exchange {
  session: SessionPrincipal;
  req: GatewayRequest;
  target: Target;
  body: Buffer | null;
  /** The gateway reads the answer whole (to refresh state, or to keep it for a retry): it gets the short deadline. */
  readsAnswer: boolean;
}

const quotaSub = (row: SessionPrincipal): QuotaSubscription => ({
  id: row.sub_id ?? 0,
  max_messages: row.max_messages,
  period_started_at: row.period_started_at,
});

const unreachable = (error: unknown) => isAppError(error) && (error.code === 'PROVIDER_UNAVAILABLE' || error.code === 'PROVIDER_TIMEOUT');

/**
 * The token gateway (SPEC §4): decide on the normalised path, read the body whole, then hold a message
 * of the quota for sends, send to genfity-wa, stream its answer back and count. The session is already
 * authenticated (auth/session-token.ts). A send waits on no database write.
 */
export function createGateway(deps: Deps) {
  const { provider, quota, stats, limits, clock } = deps;
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));

  async function handle(session: SessionPrincipal, req: GatewayRequest): Promise<GatewayResult> {
    const target = resolveTarget(req);
    const send = target.route.send && req.method === 'POST' ? target.route.send : null;
    const key = send ? idempotencyKeyOf(req.idempotencyKey) : null;
    // Nothing is taken from anyone (a provider connection, the lifecycle lane, the quota) before this.
    const held = await deps.bodies.read(session.user_id, req);
    try {
      if (target.route.urls) checkProviderUrls(deps.webhooks, target.route.urls, held.bytes);
      const x: Exchange = { session, req, target, body: held.bytes, readsAnswer: key !== null || target.path.startsWith('/session/') };
      if (!send) return { ...(await refreshState(x, await call(x, null))), quota: null };
      if (!key) return await sendOnce(x, send);
      const replayable = await deps.idempotency.once(
        `${session.row_id}:${key}`,
        requestFingerprint(req.method, target.path, held.bytes),
        () => sendOnce(x, send),
      );
      return 'quota' in replayable ? replayable : { ...replayable, quota: null };
    } finally {
      held.release();
    }
  }

  /** One message: a quota hold, the provider's answer, then the count (SPEC §3). */
  async function sendOnce(x: Exchange, send: string): Promise<GatewayResult> {
    const held = await quota.reserve(quotaSub(x.session));
    if (!held.ok) {
      deps.observer?.quotaRejected(send);
      throw new AppError('QUOTA_EXCEEDED', undefined, { 'x-message-quota-limit': String(held.limit), 'x-message-quota-remaining': '0' });
    }
    let res: ForwardResponse;
    try {
      res = await call(x, send);
    } catch (error) {
      // The provider down or too slow is a failed message; our own refusals are not messages.
      settle(x.session, send, unreachable(error) ? 'failed' : 'refused');
      throw error;
    }
    // Only a provider 5xx is a failed message; a 4xx is a refused request, not a message (go-service-api B26).
    settle(x.session, send, res.status >= 200 && res.status < 300 ? 'sent' : res.status >= 500 ? 'failed' : 'refused');
    return { ...res, quota: held.limit !== null ? { limit: held.limit, remaining: held.remaining } : null };
  }

  /** Counts a send; a message the provider did not accept goes back to the quota (SPEC §3). */
  function settle(row: SessionPrincipal, type: string, outcome: 'sent' | 'failed' | 'refused') {
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

  async function call(x: Exchange, send: string | null): Promise<ForwardResponse> {
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
    // A call WhatsApp answered shows the session works; `/session/*` only reads the provider's own flags.
    if (res.status >= 200 && res.status < 300 && !target.path.startsWith('/session/')) deps.health.activity.heard(session.row_id);
    return res;
  }

  /** `/session/*` answers are small: read them (bounded), refresh the stored state, hand the same bytes on. */
  async function refreshState(x: Exchange, res: ForwardResponse): Promise<ForwardResponse> {
    if (!x.target.path.startsWith('/session/')) return res;
    const answer = await readAnswer(res.body, limits.maxAnswerBytes);
    const state = stateFromSessionAnswer(x.target.path, res.status, answer.toString('utf8'));
    if (state) {
      const { states } = deps.health;
      states.announce(await deps.db.tx((q) => states.apply(q, x.session.row_id, state, clock.now())));
    }
    return { ...res, body: Readable.from([answer]) };
  }

  /** SPEC §3: "composing" for a short, length-dependent, capped delay before the text goes out. */
  async function showTyping(token: string, phone: string, message: string) {
    await provider.presence(token, phone, 'composing').catch(() => undefined);
    await sleep(typingDelayMs(message));
  }

  return { handle };
}
export type Gateway = ReturnType<typeof createGateway>;

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
