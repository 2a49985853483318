import { AppError, isAppError } from '../errors.js';
import type { ForwardResponse } from '../provider/forward.js';
import type { GatewayForwarder } from './gateway-forward.js';
import type { Exchange } from './gateway-request.js';
import type { Quota, QuotaSubscription } from './quota.js';
import type { SendStats } from './send-stats.js';
import type { SessionPrincipal } from './session-tokens.js';

/** Told what became of each send (metrics, SPEC §7); the service knows no metrics library. */
export interface GatewayObserver {
  /** `rejected`: the provider refused it (4xx); `failed`: provider 5xx, down or too slow. */
  sendFinished(type: string, outcome: 'sent' | 'rejected' | 'failed'): void;
  quotaRejected(type: string): void;
}

/** What the token gateway answers: genfity-wa's answer, and for a send the quota left after it (null: none, or no limit). */
export interface GatewayResult extends ForwardResponse {
  quota: { limit: number; remaining: number | null } | null;
}

const quotaSub = (row: SessionPrincipal): QuotaSubscription => ({
  id: row.sub_id ?? 0,
  max_messages: row.max_messages,
  period_started_at: row.period_started_at,
});

const unreachable = (error: unknown) => isAppError(error) && (error.code === 'PROVIDER_UNAVAILABLE' || error.code === 'PROVIDER_TIMEOUT');

/**
 * A message through the token gateway (SPEC §3): one message of the quota held, the provider's answer,
 * then the count. Only what genfity-wa accepted is counted; a message it did not accept goes back to
 * the quota. Holding is served from a lease in memory and counting is buffered (jobs/flush-counters.ts):
 * a send waits on a database write only when its subscription's lease is used up (one UPDATE claims
 * the next block, quota.ts).
 */
export function createGatewaySends(deps: {
  quota: Pick<Quota, 'reserve' | 'refund'>;
  stats: Pick<SendStats, 'record'>;
  forwarder: Pick<GatewayForwarder, 'forward'>;
  observer?: GatewayObserver;
}) {
  const { quota, stats } = deps;

  async function send(x: Exchange, type: string): Promise<GatewayResult> {
    const sub = quotaSub(x.session);
    const held = await quota.reserve(sub);
    if (!held.ok) {
      deps.observer?.quotaRejected(type);
      throw new AppError('QUOTA_EXCEEDED', undefined, { 'x-message-quota-limit': String(held.limit), 'x-message-quota-remaining': '0' });
    }
    let res: ForwardResponse;
    try {
      res = await deps.forwarder.forward(x, type);
    } catch (error) {
      // The provider down or too slow is a failed message; our own refusals are not messages.
      settle(x.session, sub, type, unreachable(error) ? 'failed' : 'refused');
      throw error;
    }
    // Only a provider 5xx is a failed message; a 4xx is a refused request, not a message (go-service-api B26).
    settle(x.session, sub, type, res.status >= 200 && res.status < 300 ? 'sent' : res.status >= 500 ? 'failed' : 'refused');
    return { ...res, quota: held.limit !== null ? { limit: held.limit, remaining: held.remaining } : null };
  }

  /** Counts a send; a message the provider did not accept goes back to the quota (SPEC §3). */
  function settle(row: SessionPrincipal, sub: QuotaSubscription, type: string, outcome: 'sent' | 'failed' | 'refused') {
    if (outcome !== 'sent') quota.refund(sub);
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

  return { send };
}
export type GatewaySends = ReturnType<typeof createGatewaySends>;
