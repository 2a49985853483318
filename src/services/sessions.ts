import { AppError, ERRORS, ProviderHttpError } from '../errors.js';
import type { Clock } from '../lib/clock.js';
import type { WebhookFormat } from '../lib/webhook-format-names.js';
import type { ProviderClient } from '../provider/client.js';
import * as store from '../store/sessions.js';
import { recordChanges, type ChangeOrigin } from './audit-trail.js';
import type { Customer } from './customers.js';
import { providerEvents } from './relay-mode.js';
import { eventList } from './session-events.js';
import type { SessionTokens } from './session-tokens.js';
import { revealSession, type SealedStore, sealOptional } from './secret-codec.js';
import { deletedSessionChanges, sessionChanges } from './session-audit.js';
import { toSessionView } from './session-view.js';
import { checkWebhookUrl, type WebhookRouting } from './webhook-policy.js';

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

type Deps = {
  store: SealedStore;
  provider: Pick<ProviderClient, 'updateUser' | 'clearWebhook' | 'deleteUserFull'>;
  clock: Clock;
  tokens: Pick<SessionTokens, 'forgetToken'>;
  policy: WebhookRouting;
  /** Told once a session is gone, so its live event streams end (SPEC §10). */
  onDeleted?: (sessionRowId: number) => void;
};

/** A customer's sessions once they exist: read, change, delete (creating one: session-provisioning.ts). */
export function createSessionService(deps: Deps) {
  const { provider, clock, policy } = deps;
  const { db, codec } = deps.store;

  async function requireSession(customer: Customer, sessionId: string) {
    const row = await store.findSessionForUser(db, customer.id, sessionId);
    if (!row) throw new AppError('SESSION_NOT_FOUND');
    return revealSession(codec, row);
  }

  const list = async (customer: Customer) => ({
    sessions: (await store.listSessionsForUser(db, customer.id)).map((row) => toSessionView(revealSession(codec, row))),
  });

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
    if (input.webhook_url) checkWebhookUrl(policy.webhooks, input.webhook_url);
    const events = input.events === undefined ? undefined : eventList(input.events).join(',');
    // In relay mode the provider's webhook is the gateway's and stays so: the customer URL is ours to
    // keep. A session not re-pointed yet is pointed at the relay by the re-pointing job (relay-repoint.ts).
    const direct = !policy.relay.publicUrl;
    const changes = {
      ...(input.session_name ? { name: input.session_name } : {}),
      ...(direct && input.webhook_url ? { webhook: input.webhook_url } : {}),
      ...(events ? { events: providerEvents(eventList(events), policy.relay).join(',') } : {}),
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
    deps.onDeleted?.(row.id);
    if (res.status !== 404) return res;
    const { status, message } = ERRORS.SESSION_DELETED;
    return { status, body: JSON.stringify({ message, code: 'SESSION_DELETED' }), contentType: 'application/json; charset=utf-8' };
  }

  return { list, update, remove, requireSession };
}
export type SessionService = ReturnType<typeof createSessionService>;
