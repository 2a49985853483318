import { AppError } from '../errors.js';
import type { Clock } from '../lib/clock.js';
import type { Random } from '../lib/random.js';
import * as store from '../store/sessions.js';
import { recordChanges, type ChangeOrigin } from './audit-trail.js';
import { servedSubscription, type Customer } from './customers.js';
import { revealSession, type SealedStore, sealOptional } from './secret-codec.js';
import { createdSessionChanges } from './session-audit.js';
import type { CreateSessionInput } from './sessions.js';
import { toSessionView } from './session-view.js';
import { DEFAULT_PROVIDER, effectiveMaxSessions } from './subscriptions.js';

// A placeholder older than this belongs to a create that died half-way; it no longer holds a slot.
const STALE_PLACEHOLDER_MS = 5 * 60_000;

/** What becomes of a slot once genfity-wa has the session's user. */
export interface FilledSlot {
  providerId: string;
  input: CreateSessionInput;
  /** The relay address and key of the session (relay mode), or null. */
  relay: { id: string; key: string; url: string } | null;
  /** Who asked for the session: its audit record is written in the same transaction. */
  origin: ChangeOrigin;
}

/**
 * The session cap (SPEC §5, `max_sessions`; ≤ 0 means one: subscriptions.ts): a new session holds a
 * slot — a placeholder row, counted under a lock of the owner's rows — before genfity-wa is asked, so
 * the cap is exact under concurrent creates. The slot is filled once the provider user exists, or
 * freed when creating failed.
 */
export function createSessionSlots(deps: { store: SealedStore; clock: Clock; random: Random }) {
  const { clock, random } = deps;
  const { db, codec } = deps.store;

  /** Holds one slot for `token`'s session, or refuses with SESSION_LIMIT_EXCEEDED; resolves with its row id. */
  async function reserve(customer: Customer, slot: { name: string; token: string; webhookUrl: string; events: string }) {
    const sub = servedSubscription(customer);
    const now = clock.now();
    return db.tx(async (q) => {
      const count = await store.countSessionsForUserLocked(q, customer.id, new Date(now.getTime() - STALE_PLACEHOLDER_MS));
      if (count >= effectiveMaxSessions(sub.max_sessions)) throw new AppError('SESSION_LIMIT_EXCEEDED');
      return store.insertPlaceholder(q, {
        userId: customer.id,
        placeholderId: `pending-${random.bytes(8).toString('hex')}`,
        provider: sub.provider ?? DEFAULT_PROVIDER,
        name: slot.name,
        token: codec.seal(slot.token),
        tokenHash: codec.lookup(slot.token),
        webhookUrl: slot.webhookUrl,
        events: slot.events,
        now,
      });
    });
  }

  /** The placeholder becomes the session: its provider id, relay, settings and audit record, in one transaction. */
  async function fill(customer: Customer, rowId: number, filled: FilledSlot): Promise<void> {
    const { input, relay } = filled;
    await db.tx(async (q) => {
      const now = clock.now();
      await store.completePlaceholder(q, rowId, filled.providerId, input.webhook_url ?? '', now);
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
      const entry = { action: 'session.create' as const, userId: customer.id, sessionId: filled.providerId, changes };
      await recordChanges(q, filled.origin, [entry], now);
    });
  }

  /** Gives a slot back after a failed create. */
  const free = (rowId: number) => store.deleteSessionRow(db, rowId);

  /** The new session as its owner sees it. */
  async function view(customer: Customer, providerId: string) {
    const row = await store.findSessionForUser(db, customer.id, providerId);
    return toSessionView(revealSession(codec, row!));
  }

  return { reserve, fill, free, view };
}
export type SessionSlots = ReturnType<typeof createSessionSlots>;
