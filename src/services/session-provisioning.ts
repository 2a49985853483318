import { ProviderHttpError } from '../errors.js';
import { generateSecret } from '../lib/ids.js';
import type { Random } from '../lib/random.js';
import type { OnError } from '../lib/logger.js';
import type { ProviderClient } from '../provider/client.js';
import type { ChangeOrigin } from './audit-trail.js';
import type { Customer } from './customers.js';
import { newRelay, providerEvents, relayUrl } from './relay-mode.js';
import { DEFAULT_EVENTS, eventList } from './session-events.js';
import type { SessionSlots } from './session-slots.js';
import type { CreateSessionInput } from './sessions.js';
import { checkWebhookUrl, type WebhookRouting } from './webhook-policy.js';

type Deps = {
  slots: Pick<SessionSlots, 'reserve' | 'fill' | 'free' | 'view'>;
  provider: Pick<ProviderClient, 'createUser' | 'setHmacKey' | 'connect' | 'findUserIdByToken' | 'deleteUserFull'>;
  /** The session token and the relay key. */
  random: Random;
  policy: WebhookRouting;
  /** Clean-ups that failed after a failed create, and an auto-connect that failed: the log says what is left. */
  onError: OnError;
};

/**
 * POST /v1/sessions (SPEC §5): a slot under the plan's session cap, then the provider user (and, in
 * relay mode, its webhook key), then the local row, then an optional connect. A failure at any step
 * leaves nothing behind on either side (go-service-api B12), or says in the log what could not be undone.
 */
export function createSessionProvisioning(deps: Deps) {
  const { slots, provider, random, policy } = deps;

  /** Undoes a provider-side user whose local half failed; a create that timed out is found by token. */
  async function undoProviderUser(id: string | null, token: string) {
    const found =
      id ??
      (await provider.findUserIdByToken(token).catch((error: unknown) => {
        deps.onError(error, 'failed session create: its genfity-wa user could not be looked up, and may be left there');
        return null;
      }));
    if (!found) return;
    await provider
      .deleteUserFull(found)
      .catch((error: unknown) =>
        deps.onError(error, `failed session create: genfity-wa user ${found} could not be deleted, and is left there`),
      );
  }

  /** In relay mode the provider posts to the gateway at a per-session address, signed with a key the gateway chose. */
  function relayFor() {
    if (!policy.relay.publicUrl) return null;
    const relay = newRelay(random);
    return { ...relay, url: relayUrl(policy.relay, relay.id) };
  }

  /** The new session, as its owner sees it. */
  async function create(customer: Customer, input: CreateSessionInput, origin: ChangeOrigin) {
    if (input.webhook_url) checkWebhookUrl(policy.webhooks, input.webhook_url);
    const token = generateSecret(random, 'wat');
    const events = eventList(input.events || DEFAULT_EVENTS);
    const sent = providerEvents(events, policy.relay);
    const relay = relayFor();
    const rowId = await slots.reserve(customer, {
      name: input.session_name,
      token,
      webhookUrl: input.webhook_url ?? '',
      events: events.join(','),
    });
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
      await slots.fill(customer, rowId, { providerId: created.id, input, relay, origin });
    } catch (error) {
      // A placeholder left behind stops holding a slot after a few minutes (session-slots.ts).
      await slots.free(rowId).catch((e: unknown) => deps.onError(e, 'failed session create: its placeholder row could not be removed'));
      if (!(error instanceof ProviderHttpError) || providerId) await undoProviderUser(providerId, token);
      throw error;
    }
    // Auto-connect never fails the create (the Go service ignored its result too); state syncs later.
    if (input.auto_connect)
      await provider
        .connect(token, sent)
        .catch((error: unknown) => deps.onError(error, `auto-connect of new session ${providerId} failed`));
    return { session: await slots.view(customer, providerId) };
  }

  return { create };
}
export type SessionProvisioning = ReturnType<typeof createSessionProvisioning>;
