import { AppError, ProviderHttpError } from '../errors.js';
import type { Clock } from '../lib/clock.js';
import { generateSecret, type Random } from '../lib/ids.js';
import type { ProviderClient } from '../provider/client.js';
import * as store from '../store/sessions.js';
import { servedSubscription, type Customer } from './customers.js';
import { newRelay, providerEvents, relayUrl } from './relay.js';
import { revealSession, type SealedStore, sealOptional } from './secret-codec.js';
import { DEFAULT_EVENTS, eventList } from './session-events.js';
import type { CreateSessionInput } from './sessions.js';
import { toSessionView } from './session-view.js';
import { DEFAULT_PROVIDER, effectiveMaxSessions } from './subscriptions.js';
import { checkWebhookUrl, type WebhookRouting } from './webhook-policy.js';

// A placeholder older than this belongs to a create that died half-way; it no longer holds a slot.
const STALE_PLACEHOLDER_MS = 5 * 60_000;

type Deps = {
  store: SealedStore;
  provider: Pick<ProviderClient, 'createUser' | 'setHmacKey' | 'connect' | 'findUserIdByToken' | 'deleteUserFull'>;
  clock: Clock;
  random: Random;
  policy: WebhookRouting;
};

/**
 * POST /v1/sessions (SPEC §5): a slot under the plan's session cap, then the provider user (and, in
 * relay mode, its webhook key), then the local row, then an optional connect. A failure at any step
 * leaves nothing behind on either side (go-service-api B12).
 */
export function createSessionProvisioning(deps: Deps) {
  const { provider, clock, random, policy } = deps;
  const { db, codec } = deps.store;

  /** Holds one slot under `max_sessions` before the provider is asked, so the cap is exact under races. */
  async function reserveSlot(customer: Customer, input: CreateSessionInput, token: string, events: string) {
    const sub = servedSubscription(customer);
    const now = clock.now();
    return db.tx(async (q) => {
      const count = await store.countSessionsForUserLocked(q, customer.id, new Date(now.getTime() - STALE_PLACEHOLDER_MS));
      if (count >= effectiveMaxSessions(sub.max_sessions)) throw new AppError('SESSION_LIMIT_EXCEEDED');
      return store.insertPlaceholder(q, {
        userId: customer.id,
        placeholderId: `pending-${random.bytes(8).toString('hex')}`,
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
    if (!policy.relay.publicUrl) return null;
    const relay = newRelay(random);
    return { ...relay, url: relayUrl(policy.relay, relay.id) };
  }

  /** The new session, as its owner sees it. */
  async function create(customer: Customer, input: CreateSessionInput) {
    if (input.webhook_url) checkWebhookUrl(policy.webhooks, input.webhook_url);
    const token = generateSecret(random, 'wat');
    const events = eventList(input.events || DEFAULT_EVENTS);
    const sent = providerEvents(events, policy.relay);
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
        await store.completePlaceholder(q, rowId, created.id, input.webhook_url ?? '', clock.now());
        if (relay) await store.setRelay(q, rowId, relay.id, codec.seal(relay.key), relay.url);
        await store.updateSessionFields(
          q,
          rowId,
          {
            auto_read_enabled: input.auto_read_enabled ?? false,
            typing_enabled: input.typing_enabled ?? false,
            webhook_secret: sealOptional(codec, input.webhook_secret) || null,
            webhook_format: input.webhook_format,
          },
          clock.now(),
        );
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

  return { create };
}
export type SessionProvisioning = ReturnType<typeof createSessionProvisioning>;
