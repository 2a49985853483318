import { randomBytes } from 'node:crypto';
import { AppError, ProviderHttpError } from '../errors.js';
import type { Clock } from '../lib/clock.js';
import { generateSecret, type Random } from '../lib/ids.js';
import type { WebhookFormat } from '../lib/webhook-format.js';
import type { ProviderClient } from '../provider/client.js';
import type { Db } from '../store/index.js';
import * as store from '../store/sessions.js';
import { recordChanges, type ChangeOrigin } from './audit-trail.js';
import { servedSubscription, type Customer } from './customers.js';
import { newRelay, providerEvents, relayUrl, type RelayConfig } from './relay.js';
import { DEFAULT_EVENTS, eventList } from './session-events.js';
import { DEFAULT_PROVIDER, effectiveMaxSessions } from './subscriptions.js';
import type { SessionTokens } from './session-tokens.js';
import { revealSession, sealOptional, type SecretCodec } from './secret-codec.js';
import { createdSessionChanges, deletedSessionChanges, sessionChanges } from './session-audit.js';
import { toSessionView } from './session-view.js';
import { checkWebhookUrl, type WebhookPolicy } from './webhook-policy.js';

export interface CreateSessionInput {
  session_name: string;
  webhook_url?: string;
  webhook_secret?: string;
  events?: string;
  expiration_sec?: number;
  history?: number;
  auto_connect?: boolean;
  auto_read_enabled?: boolean;
  typing_enabled?: boolean;
  webhook_format?: WebhookFormat;
}
export type UpdateSessionInput = Partial<Omit<CreateSessionInput, 'auto_connect'>>;

// A placeholder older than this belongs to a create that died half-way; it no longer holds a slot.
const STALE_PLACEHOLDER_MS = 5 * 60_000;

type Deps = {
  db: Db;
  provider: ProviderClient;
  clock: Clock;
  random: Random;
  webhooks: WebhookPolicy;
  tokens: Pick<SessionTokens, 'forgetToken'>;
  relay: RelayConfig;
  codec: SecretCodec;
};

export function createSessionService(deps: Deps) {
  const { db, provider, clock, random, codec } = deps;

  async function requireSession(customer: Customer, sessionId: string) {
    const row = await store.findSessionForUser(db, customer.id, sessionId);
    if (!row) throw new AppError('SESSION_NOT_FOUND');
    return revealSession(codec, row);
  }

  const list = async (customer: Customer) => ({
    sessions: (await store.listSessionsForUser(db, customer.id)).map((row) => toSessionView(revealSession(codec, row))),
  });

  /** Holds one slot under `max_sessions` before the provider is asked, so the cap is exact under races. */
  async function reserveSlot(customer: Customer, input: CreateSessionInput, token: string, events: string) {
    const sub = servedSubscription(customer);
    const now = clock.now();
    return db.tx(async (q) => {
      const count = await store.countSessionsForUserLocked(q, customer.id, new Date(now.getTime() - STALE_PLACEHOLDER_MS));
      if (count >= effectiveMaxSessions(sub.max_sessions)) throw new AppError('SESSION_LIMIT_EXCEEDED');
      return store.insertPlaceholder(q, {
        userId: customer.id,
        placeholderId: `pending-${randomBytes(8).toString('hex')}`,
        provider: sub.provider ?? DEFAULT_PROVIDER,
        name: input.session_name,
        token: codec.seal(token),
        tokenHash: codec.lookup(token),
        webhookUrl: input.webhook_url ?? '',
        events,
        now,
      });
    });
  }

  /** Undoes a provider-side user whose local half failed; a create that timed out is found by token. */
  async function undoProviderUser(id: string | null, token: string) {
    const found = id ?? (await provider.findUserIdByToken(token).catch(() => null));
    if (found) await provider.deleteUserFull(found).catch(() => undefined);
  }

  /** In relay mode the provider posts to the gateway at a per-session address, signed with a key the gateway chose. */
  function relayFor() {
    if (!deps.relay.publicUrl) return null;
    const relay = newRelay(random);
    return { ...relay, url: relayUrl(deps.relay, relay.id) };
  }

  /**
   * POST /v1/sessions: slot → provider user (→ its webhook key) → local row → optional connect. A
   * failure at any step leaves nothing behind on either side (go-service-api B12).
   */
  async function create(customer: Customer, input: CreateSessionInput, origin: ChangeOrigin) {
    if (input.webhook_url) checkWebhookUrl(deps.webhooks, input.webhook_url);
    const token = generateSecret(random, 'wat');
    const events = eventList(input.events || DEFAULT_EVENTS);
    const sent = providerEvents(events, deps.relay);
    const relay = relayFor();
    const rowId = await reserveSlot(customer, input, token, events.join(','));
    let providerId: string | null = null;
    try {
      const created = await provider.createUser({
        name: input.session_name,
        token,
        webhook: relay?.url ?? input.webhook_url ?? '',
        events: sent.join(','),
        ...(relay ? { hmacKey: relay.key } : {}),
        ...(input.expiration_sec !== undefined ? { expiration: input.expiration_sec } : {}),
        ...(input.history !== undefined ? { history: input.history } : {}),
      });
      providerId = created.id;
      if (relay) await provider.setHmacKey(token, relay.key);
      await db.tx(async (q) => {
        const now = clock.now();
        await store.completePlaceholder(q, rowId, created.id, input.webhook_url ?? '', now);
        if (relay) await store.setRelay(q, rowId, relay.id, codec.seal(relay.key), relay.url);
        const row = await store.updateSessionFields(
          q,
          rowId,
          {
            auto_read_enabled: input.auto_read_enabled ?? false,
            typing_enabled: input.typing_enabled ?? false,
            webhook_secret: sealOptional(codec, input.webhook_secret) || null,
            webhook_format: input.webhook_format,
          },
          now,
        );
        const changes = createdSessionChanges(revealSession(codec, row));
        await recordChanges(q, origin, [{ action: 'session.create', userId: customer.id, sessionId: created.id, changes }], now);
      });
    } catch (error) {
      await store.deleteSessionRow(db, rowId).catch(() => undefined);
      if (!(error instanceof ProviderHttpError) || providerId) await undoProviderUser(providerId, token);
      throw error;
    }
    // Auto-connect never fails the create (the Go service ignored its result too); state syncs later.
    if (input.auto_connect) await provider.connect(token, sent).catch(() => undefined);
    const row = await store.findSessionForUser(db, customer.id, providerId);
    return { session: toSessionView(revealSession(codec, row!)) };
  }

  /**
   * The row's new values and their audit record in one transaction. The row is locked first, so the
   * record's "before" is what this change replaced, also under concurrent updates.
   */
  async function storeChanges(
    customer: Customer,
    sessionId: string,
    fields: store.SessionChanges,
    audit: { origin: ChangeOrigin; action: 'session.update' | 'session.settings' },
  ) {
    return db.tx(async (q) => {
      const now = clock.now();
      const before = revealSession(codec, await store.findSessionForUser(q, customer.id, sessionId, true));
      if (!before) throw new AppError('SESSION_NOT_FOUND');
      const after = await store.updateSessionFields(q, before.id, fields, now);
      const changes = sessionChanges(before, revealSession(codec, after));
      await recordChanges(q, audit.origin, [{ action: audit.action, userId: customer.id, sessionId, changes }], now);
      return after;
    });
  }

  /** PUT /v1/sessions/:id: the provider first, then the row, so the two never disagree (B9, B10). */
  async function update(
    customer: Customer,
    sessionId: string,
    input: UpdateSessionInput,
    origin: ChangeOrigin,
    action: 'session.update' | 'session.settings' = 'session.update',
  ) {
    const row = await requireSession(customer, sessionId);
    if (input.webhook_url) checkWebhookUrl(deps.webhooks, input.webhook_url);
    const events = input.events === undefined ? undefined : eventList(input.events).join(',');
    // In relay mode the provider's webhook is the gateway's and stays so: the customer URL is ours to
    // keep. A session not re-pointed yet is pointed at the relay by the re-pointing job (relay-repoint.ts).
    const direct = !deps.relay.publicUrl;
    const changes = {
      ...(input.session_name ? { name: input.session_name } : {}),
      ...(direct && input.webhook_url ? { webhook: input.webhook_url } : {}),
      ...(events ? { events: providerEvents(eventList(events), deps.relay).join(',') } : {}),
      ...(input.expiration_sec ? { expiration: input.expiration_sec } : {}),
      ...(input.history ? { history: input.history } : {}),
    };
    if (Object.keys(changes).length > 0) await provider.updateUser(row.session_id, changes);
    if (direct && input.webhook_url === '' && row.session_token) await provider.clearWebhook(row.session_token);
    const updated = await storeChanges(
      customer,
      sessionId,
      {
        session_name: input.session_name || undefined,
        webhook_url: input.webhook_url,
        events: events || undefined,
        auto_read_enabled: input.auto_read_enabled,
        typing_enabled: input.typing_enabled,
        webhook_secret: input.webhook_secret === undefined ? undefined : sealOptional(codec, input.webhook_secret) || null,
        webhook_format: input.webhook_format,
      },
      { origin, action },
    );
    if (row.session_token) deps.tokens.forgetToken(row.session_token);
    return { session: toSessionView(revealSession(codec, updated)) };
  }

  /**
   * DELETE: the provider's full delete, then the row with its contacts and stats (B11). A session
   * the provider no longer knows (404) is still removed here, so it can always be cleaned up.
   */
  async function remove(customer: Customer, sessionId: string, origin: ChangeOrigin) {
    const row = await requireSession(customer, sessionId);
    const res = await provider.deleteUserFull(row.session_id);
    if (res.status !== 404 && (res.status < 200 || res.status > 299)) throw new ProviderHttpError(res.status, res.body, res.contentType);
    await db.tx(async (q) => {
      // A delete that found the row already gone (a concurrent one) changed nothing, so records nothing.
      if (!(await store.deleteSessionCascade(q, customer.id, row.session_id))) return;
      const changes = deletedSessionChanges(row);
      await recordChanges(q, origin, [{ action: 'session.delete', userId: customer.id, sessionId: row.session_id, changes }], clock.now());
    });
    if (row.session_token) deps.tokens.forgetToken(row.session_token);
    if (res.status === 404)
      return {
        status: 200,
        body: JSON.stringify({ message: 'session deleted', code: 'SESSION_DELETED' }),
        contentType: 'application/json; charset=utf-8',
      };
    return res;
  }

  return { list, create, update, remove, requireSession };
}
export type SessionService = ReturnType<typeof createSessionService>;
