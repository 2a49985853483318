import { AppError } from '../errors.js';
import { postedContentType } from '../lib/webhook-format.js';
import { parseProviderEvent } from '../lib/webhook-payload.js';
import { verifyProviderSignature } from '../lib/webhook-signature.js';
import { findInboundSession, type InboundSession } from '../store/webhook-events.js';
import { revealSession, type SealedStore } from './secret-codec.js';
import { DEFAULT_PROVIDER } from './subscriptions.js';
import type { WebhookAuthGuard } from './webhook-auth-guard.js';
import type { WebhookOccurrences } from './webhook-occurrences.js';

/** One post of genfity-wa, as the route sees it before anything of its body has been read. */
export interface InboundPost {
  /** The relay id of `/webhook/wa/s/:relay_id`, or null for the global webhook. */
  relayId: string | null;
  /** The client's address (TRUST_PROXY applied). */
  client: string;
  contentType: string;
  /** Content-Length as declared, or null (chunked). */
  declaredLength: number | null;
  signature: string | undefined;
  /** The raw body as it arrived, at most `maxBytes`, within the body deadline; throws BODY_TOO_LARGE or REQUEST_TIMEOUT. */
  readBody(maxBytes: number): Promise<Buffer[]>;
}

export interface InboundSettings {
  /** WA_GLOBAL_HMAC_KEY: `/webhook/wa` exists only with it. */
  globalHmacKey: string | null;
  /** GATEWAY_MAX_BODY_BYTES: events with media inline can be many megabytes. */
  maxBodyBytes: number;
}

// genfity-wa's x-hmac-signature: lower-case hex HMAC-SHA256 (contract §7). Anything else cannot match.
const SIGNATURE = /^\s*[0-9a-fA-F]{64}\s*$/;

type Deps = {
  store: SealedStore;
  settings: InboundSettings;
  guard: Pick<WebhookAuthGuard, 'refuseIfBlocked' | 'failed'>;
  occurrences: Pick<WebhookOccurrences, 'record'>;
};

/**
 * Events genfity-wa posts to the gateway (SPEC §6), checked in order of cost (issue 11 §2): the
 * address's recent failures, the session of a relay address, the signature header and the declared
 * length, all before a byte of the body is read; then the raw body (bounded, with a deadline) and its
 * HMAC; only a body whose signature holds is parsed. Then it is stored once per occurrence.
 */
export function createWebhookInbound(deps: Deps) {
  const { settings } = deps;
  const { db, codec } = deps.store;

  async function relaySession(relayId: string): Promise<InboundSession> {
    const found = await findInboundSession(db, { relayId }, DEFAULT_PROVIDER);
    const row = found && revealSession(codec, found);
    if (!row?.relay_hmac_key) throw new AppError('WEBHOOK_SESSION_UNKNOWN');
    return row;
  }

  /** The route's entry; `duplicate` when the event repeats an occurrence already stored. */
  async function accept(post: InboundPost): Promise<{ duplicate: boolean }> {
    const route = post.relayId === null ? 'global' : `relay:${post.relayId}`;
    await deps.guard.refuseIfBlocked(route, post.client);
    const session = post.relayId === null ? null : await relaySession(post.relayId);
    const key = session ? session.relay_hmac_key! : settings.globalHmacKey;
    if (key === null) throw new AppError('ROUTE_NOT_FOUND');
    if (!post.signature || !SIGNATURE.test(post.signature)) return deps.guard.failed(route, post.client);
    if (post.declaredLength !== null && !(post.declaredLength <= settings.maxBodyBytes)) throw new AppError('BODY_TOO_LARGE');
    const raw = await post.readBody(settings.maxBodyBytes);
    if (!verifyProviderSignature(key, raw, post.signature)) return deps.guard.failed(route, post.client);
    const body = Buffer.concat(raw);
    const event = parseProviderEvent(post.contentType, body.toString('utf8'));
    if (!event) throw new AppError('WEBHOOK_PAYLOAD_INVALID');
    if (session && event.userId && event.userId !== session.session_id) throw new AppError('WEBHOOK_SESSION_UNKNOWN');
    const target = session ?? (event.userId ? await findInboundSession(db, { providerId: event.userId }, DEFAULT_PROVIDER) : null);
    if (!target) throw new AppError('WEBHOOK_SESSION_UNKNOWN');
    const posted = { body, contentType: postedContentType(post.contentType) };
    const stored = await deps.occurrences.record(target, event, session ? 'session' : 'global', posted);
    return { duplicate: !stored };
  }

  return { accept };
}
export type WebhookInbound = ReturnType<typeof createWebhookInbound>;
