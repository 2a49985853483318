import type { Clock } from '../lib/clock.js';
import type { OnError } from '../lib/logger.js';
import type { ProviderClient } from '../provider/client.js';
import type { Queryable } from '../store/index.js';
import { lockSession, type SessionRow } from '../store/sessions.js';
import * as events from '../store/webhook-events.js';
import { revealSession, type SealedStore } from './secret-codec.js';
import type { SessionStates } from './session-states.js';
import { DEFAULT_PROVIDER } from './subscriptions.js';
import { stateFromEvents } from './webhook-events.js';
import { relayRefusal } from './webhook-tenant.js';

const BATCH = 100;

type Deps = {
  store: SealedStore;
  clock: Clock;
  provider: Pick<ProviderClient, 'markRead'>;
  onError: OnError;
  /** Where connection events become stored state and health (SPEC §10). */
  states: Pick<SessionStates, 'apply' | 'announce'>;
};

interface MessageRead {
  ids: string[];
  chat: string;
  sender: string | undefined;
}
type PendingRead = { id: number; read: MessageRead };

/** The message an event carries, when it is one to mark read: incoming, not from me, not a status broadcast (SPEC §6). */
function readable(type: string, payload: Record<string, unknown>): MessageRead | null {
  if (type !== 'Message') return null;
  const info = (payload.event as { Info?: Record<string, unknown> } | null)?.Info;
  if (!info || info.IsFromMe === true || typeof info.ID !== 'string' || typeof info.Chat !== 'string') return null;
  if (info.Chat === 'status@broadcast') return null;
  return { ids: [info.ID], chat: info.Chat, sender: typeof info.Sender === 'string' ? info.Sender : undefined };
}

/**
 * What the gateway itself does with a provider event once it is stored: session state and auto-read
 * (SPEC §6). A session's events are worked in the order they arrived (issue 11 §5): under the
 * session's lock, oldest first, so Disconnected → Connected leaves the session connected whichever
 * instance works them. Auto-read (a provider call) runs after the lock is released; an event waiting
 * for it stays unprocessed, so a crash in between is recovered. A tenant who is not served gets no
 * auto-read, while its stored state still follows the provider (issue 11 §10).
 */
export function createWebhookProcessing(deps: Deps) {
  const { clock } = deps;
  const { db, codec } = deps.store;
  const runs = new Map<number, { again: boolean; done: Promise<void> }>();

  async function applyInOrder(q: Queryable, sessionRowId: number) {
    await lockSession(q, sessionRowId);
    const session = await events.findInboundSession(q, { rowId: sessionRowId }, DEFAULT_PROVIDER);
    const pending = await events.listUnprocessedEvents(q, sessionRowId, BATCH);
    const now = clock.now();
    const reads: PendingRead[] = [];
    const autoRead = session?.auto_read_enabled && session.session_token && relayRefusal(session, now) === null;
    const done: number[] = [];
    const state = session ? stateFromEvents({ loggedIn: session.logged_in === true }, pending) : {};
    for (const e of pending) {
      const read = autoRead ? readable(e.event_type, e.payload) : null;
      if (read) reads.push({ id: e.id, read });
      else done.push(e.id);
    }
    const change = Object.keys(state).length > 0 ? await deps.states.apply(q, sessionRowId, state, now) : null;
    if (done.length > 0) await events.markEventsProcessed(q, done, now);
    return { session, reads, count: pending.length, change };
  }

  /** One provider call per chat and sender for a burst of messages; one attempt each, answered or not, then done. */
  async function markRead(token: string, reads: PendingRead[]) {
    const groups = new Map<string, PendingRead[]>();
    for (const r of reads) {
      const key = `${r.read.chat}|${r.read.sender ?? ''}`;
      groups.set(key, [...(groups.get(key) ?? []), r]);
    }
    for (const group of groups.values()) {
      const first = group[0]!.read;
      await deps.provider
        .markRead(token, { ...first, ids: group.flatMap((g) => g.read.ids) })
        .catch((error: unknown) => deps.onError(error, 'auto-read: marking messages read failed'));
      await events.markEventsProcessed(
        db,
        group.map((g) => g.id),
        clock.now(),
      );
    }
  }

  async function drain(sessionRowId: number): Promise<void> {
    for (;;) {
      const { session, reads, count, change } = await db.tx((q) => applyInOrder(q, sessionRowId));
      deps.states.announce(change);
      if (reads.length > 0) await markRead(revealSession(codec, session as SessionRow).session_token!, reads);
      if (count < BATCH) return;
    }
  }

  async function loop(sessionRowId: number, run: { again: boolean }): Promise<void> {
    try {
      do {
        run.again = false;
        await drain(sessionRowId);
      } while (run.again);
    } catch (error) {
      deps.onError(error, 'webhook processing failed; the events are recovered later');
    } finally {
      runs.delete(sessionRowId);
    }
  }

  /** Works the session's stored events; one run per session at a time, and one more when asked meanwhile. */
  function schedule(sessionRowId: number): Promise<void> {
    const current = runs.get(sessionRowId);
    if (current) {
      current.again = true;
      return current.done;
    }
    const run = { again: false, done: Promise.resolve() };
    runs.set(sessionRowId, run);
    run.done = loop(sessionRowId, run);
    return run.done;
  }

  /** Works the sessions whose events a crash left unprocessed; returns how many sessions. */
  async function recover(olderThanMs: number): Promise<number> {
    const ids = await events.listSessionsWithUnprocessedEvents(db, new Date(clock.now().getTime() - olderThanMs), 100);
    for (const id of ids) await schedule(id);
    return ids.length;
  }

  /** Resolves when no run is in progress (shutdown). */
  async function settled(): Promise<void> {
    while (runs.size > 0) await Promise.all([...runs.values()].map((r) => r.done));
  }

  return { schedule, recover, settled };
}
export type WebhookProcessing = ReturnType<typeof createWebhookProcessing>;
