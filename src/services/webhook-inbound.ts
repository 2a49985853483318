import { AppError } from '../errors.js';
import type { Clock } from '../lib/clock.js';
import { eventKey, parseProviderEvent, publicEventId, type ProviderEvent } from '../lib/webhook-payload.js';
import { verifyProviderSignature } from '../lib/webhook-signature.js';
import type { ProviderClient } from '../provider/client.js';
import type { Db } from '../store/index.js';
import * as sessions from '../store/sessions.js';
import * as webhooks from '../store/webhooks.js';
import type { RelayConfig } from './relay.js';
import { wantsEvent } from './relay.js';
import { revealSession, type SecretCodec } from './secret-codec.js';
import { stateFromEvent } from './webhook-events.js';

export interface InboundPost {
  relayId: string | null;
  contentType: string;
  raw: Buffer;
  signature: string | undefined;
}

type Deps = {
  db: Db;
  clock: Clock;
  provider: Pick<ProviderClient, 'markRead'>;
  relay: RelayConfig;
  globalHmacKey: string | null;
  codec: SecretCodec;
  onError: (error: unknown) => void;
};

/**
 * Events genfity-wa posts to the gateway (SPEC §6). A post is checked, stored once (with the
 * customer delivery, in one transaction) and answered; auto-read and state sync run after the
 * answer, and again from the store if the process died in between.
 */
export function createWebhookInbound(deps: Deps) {
  const { db, clock } = deps;

  async function sessionFor(post: InboundPost, event: ProviderEvent | null) {
    if (post.relayId !== null) {
      const row = revealSession(deps.codec, await sessions.findSessionByRelayId(db, post.relayId));
      if (!row?.relay_hmac_key) throw new AppError('WEBHOOK_SESSION_UNKNOWN');
      if (!verifyProviderSignature(row.relay_hmac_key, post.raw, post.signature)) throw new AppError('WEBHOOK_SIGNATURE_INVALID');
      return row;
    }
    if (!deps.globalHmacKey) throw new AppError('ROUTE_NOT_FOUND');
    if (!verifyProviderSignature(deps.globalHmacKey, post.raw, post.signature)) throw new AppError('WEBHOOK_SIGNATURE_INVALID');
    const row = event?.userId ? revealSession(deps.codec, await sessions.findSessionByProviderId(db, event.userId)) : null;
    if (!row) throw new AppError('WEBHOOK_SESSION_UNKNOWN');
    return row;
  }

  /** Verifies, de-duplicates and stores; returns what to process after answering, or null for a repeat. */
  async function receive(post: InboundPost) {
    const parsed = parseProviderEvent(post.contentType, post.raw.toString('utf8'));
    const row = await sessionFor(post, parsed);
    if (!parsed) throw new AppError('WEBHOOK_PAYLOAD_INVALID');
    if (post.relayId !== null && parsed.userId && parsed.userId !== row.session_id) throw new AppError('WEBHOOK_SESSION_UNKNOWN');
    const key = eventKey(parsed);
    const now = clock.now();
    const payload = { type: parsed.type, event: parsed.event, ...parsed.extras };
    const stored = await db.tx(async (q) => {
      const id = await webhooks.insertEventOnce(q, { sessionRowId: row.id, key, type: parsed.type, payload, receivedAt: now });
      if (id === null) return null;
      if (deps.relay.publicUrl && row.webhook_url && wantsEvent(row.events, parsed.type)) {
        const eventId = publicEventId(row.id, key);
        const body = JSON.stringify({
          id: eventId,
          type: parsed.type,
          session_id: row.session_id,
          timestamp: now.toISOString(),
          data: payload,
        });
        await webhooks.insertDelivery(q, {
          eventId,
          sessionRowId: row.id,
          userId: row.user_id,
          sessionId: row.session_id,
          type: parsed.type,
          url: row.webhook_url,
          body,
          now,
        });
      }
      return id;
    });
    return stored === null ? null : { eventRowId: stored, sessionRowId: row.id, type: parsed.type, payload };
  }

  /** Auto-read and state sync for one stored event; marks it processed. */
  async function process(job: { eventRowId: number; sessionRowId: number; type: string; payload: Record<string, unknown> }) {
    const row = revealSession(deps.codec, await sessions.findSessionByRowId(db, job.sessionRowId));
    if (row) {
      await autoRead(row, job.type, job.payload);
      const state = stateFromEvent(job.type, job.payload.event);
      if (state) await sessions.mergeSessionState(db, row.id, state, clock.now());
    }
    await webhooks.markEventProcessed(db, job.eventRowId, clock.now());
  }

  /** SPEC §6: an incoming message — not from me, not a status broadcast — is marked read. */
  async function autoRead(row: sessions.SessionRow, type: string, payload: Record<string, unknown>) {
    if (type !== 'Message' || !row.auto_read_enabled || !row.session_token) return;
    const info = (payload.event as { Info?: Record<string, unknown> } | null)?.Info;
    if (!info || info.IsFromMe === true || typeof info.ID !== 'string' || typeof info.Chat !== 'string') return;
    if (info.Chat === 'status@broadcast') return;
    await deps.provider.markRead(row.session_token, {
      ids: [info.ID],
      chat: info.Chat,
      sender: typeof info.Sender === 'string' ? info.Sender : undefined,
    });
  }

  /** Re-runs processing for events a crash left unprocessed. */
  async function recover(olderThanMs: number) {
    const rows = await webhooks.listUnprocessedEvents(db, new Date(clock.now().getTime() - olderThanMs), 100);
    for (const r of rows)
      await process({ eventRowId: r.id, sessionRowId: r.session_row_id, type: r.event_type, payload: r.payload }).catch(deps.onError);
    return rows.length;
  }

  /** The route's entry: store, answer, then process without holding the provider's request. */
  async function accept(post: InboundPost): Promise<{ duplicate: boolean }> {
    const job = await receive(post);
    if (job) setImmediate(() => void process(job).catch(deps.onError));
    return { duplicate: job === null };
  }

  return { accept, recover, process };
}
export type WebhookInbound = ReturnType<typeof createWebhookInbound>;
