import type { ForwardResponse } from '../provider/forward.js';
import type { BodyReader } from './gateway-body.js';
import type { GatewayForwarder } from './gateway-forward.js';
import { type Exchange, type GatewayRequest, resolveTarget } from './gateway-request.js';
import type { GatewayResult, GatewaySends } from './gateway-sends.js';
import { type Idempotency, idempotencyKeyOf, requestFingerprint } from './idempotency.js';
import { checkProviderUrls } from './provider-urls.js';
import type { SessionPrincipal } from './session-tokens.js';
import type { WebhookPolicy } from './webhook-policy.js';

export type { GatewayResult } from './gateway-sends.js';

type Deps = {
  bodies: Pick<BodyReader, 'read'>;
  idempotency: Pick<Idempotency, 'once'>;
  forwarder: Pick<GatewayForwarder, 'forward'>;
  sends: Pick<GatewaySends, 'send'>;
  webhooks: WebhookPolicy;
};

/**
 * The token gateway (SPEC §4): decide on the normalised path, read the body whole, then forward it to
 * genfity-wa — a send through the quota and the count (gateway-sends.ts), once per Idempotency-Key —
 * and stream its answer back. The session is already authenticated (auth/session-token.ts). What a
 * request may wait on besides genfity-wa: a quota block claim when a lease runs out, an
 * Idempotency-Key's claim and answer in the store, and the session state written after `/session/*`.
 */
export function createGateway(deps: Deps) {
  async function handle(session: SessionPrincipal, req: GatewayRequest): Promise<GatewayResult> {
    const target = resolveTarget(req);
    const send = target.route.send && req.method === 'POST' ? target.route.send : null;
    const key = send ? idempotencyKeyOf(req.idempotencyKey) : null;
    // Nothing is taken from anyone (a provider connection, the lifecycle lane, the quota) before this.
    const held = await deps.bodies.read(session.user_id, req);
    try {
      if (target.route.urls) checkProviderUrls(deps.webhooks, target.route.urls, held.bytes);
      const x: Exchange = { session, req, target, body: held.bytes, readsAnswer: key !== null || target.path.startsWith('/session/') };
      if (!send) return { ...(await deps.forwarder.forward(x, null)), quota: null };
      if (!key) return await deps.sends.send(x, send);
      const replayable: GatewayResult | ForwardResponse = await deps.idempotency.once(
        `${session.row_id}:${key}`,
        requestFingerprint(req.method, target.path, held.bytes),
        () => deps.sends.send(x, send),
      );
      return 'quota' in replayable ? replayable : { ...replayable, quota: null };
    } finally {
      held.release();
    }
  }

  return { handle };
}
export type Gateway = ReturnType<typeof createGateway>;
