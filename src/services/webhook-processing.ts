import type { Clock } from '../lib/clock.js';
import type { ProviderClient } from '../provider/client.js';
import type { Db, Queryable } from '../store/index.js';
import { lockSession, mergeSessionState, type SessionRow } from '../store/sessions.js';
import * as events from '../store/webhook-events.js';
import { revealSession, type SecretCodec } from './secret-codec.js';
import { DEFAULT_PROVIDER } from './subscriptions.js';
import { stateFromEvent } from './webhook-events.js';
import { relayRefusal } from './webhook-tenant.js';

const BATCH = 100;

type Deps = {
  db: Db;
  clock: Clock;
  provider: Pick<ProviderClient, 'markRead'>;
  codec: SecretCodec;
  onError: (error: unknown) => void;
};

/** The message an event carries, when it is one to mark read: incoming, not from me, not a status broadcast (SPEC §6). */
function readable(type: string, payload: Record<string, unknown>) {
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
  const { db, clock } = deps;
  const runs = new Map<number, { again: boolean; done: Promise<void> }>();

  async function applyInOrder(q: Queryable, sessionRowId: number) {
    await lockSession(q, sessionRowId);
    const session = await events.findInboundSession(q, { rowId: sessionRowId }, DEFAULT_PROVIDER);
    const pending = await events.listUnprocessedEvents(q, sessionRowId, BATCH);
    const now = clock.now();
    const reads: Array<{ id: number; read: NonNullable<ReturnType<typeof readable>> }> = [];
    const autoRead = session?.auto_read_enabled && session.session_token && relayRefusal(session, now) === null;
    for (const e of pending) {
      const state = session ? stateFromEvent(e.event_type, e.payload.event) : null;
      if (state) await mergeSessionState(q, sessionRowId, state, now);
      const read = autoRead ? readable(e.event_type, e.payload) : null;
      if (read) reads.push({ id: e.id, read });
      else await events.markEventProcessed(q, e.id, now);
    }
    return { session, reads, count: pending.length };
  }

  async function drain(sessionRowId: number): Promise<void> {
    for (;;) {
      const { session, reads, count } = await db.tx((q) => applyInOrder(q, sessionRowId));
      const token = reads.length > 0 ? revealSession(deps.codec, session as SessionRow).session_token : null;
      for (const { id, read } of reads) {
        // One attempt: the provider answered or was unreachable; either way the event is done.
        await deps.provider.markRead(token!, read).catch(deps.onError);
        await events.markEventProcessed(db, id, clock.now());
      }
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
      deps.onError(error);
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
