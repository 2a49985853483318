import type { ClusterBus } from '../cluster/bus.js';
import { AppError } from '../errors.js';
import type { Clock, Every } from '../lib/clock.js';
import { sseRetry } from '../lib/sse.js';
import { publicEventId } from '../lib/webhook-payload.js';
import type { Db } from '../store/index.js';
import { latestEventIds, listEventsAfter, listRecentEventKeys } from '../store/live-events.js';
import { findSessionForUser, type SessionRow } from '../store/sessions.js';
import { findInboundSessions } from '../store/webhook-events.js';
import type { Customer } from './customers.js';
import { createLiveFeed, type DropReason, type LiveFeed, type LiveStream, type StreamSink } from './live-feed.js';
import { LIVE_CHANNEL, liveState, parseLiveMessage } from './live-publisher.js';
import { stateOfRow } from './session-health.js';
import { REVOCATION_CHANNEL } from './session-tokens.js';
import { DEFAULT_PROVIDER } from './subscriptions.js';
import { relayRefusal } from './webhook-tenant.js';

export interface LivePolicy {
  /** EVENT_STREAMS_PER_USER and EVENT_STREAMS_MAX, on this instance. */
  perUser: number;
  max: number;
  /** Relay mode: provider events reach the gateway and are streamed; otherwise only `state`. */
  relay: boolean;
  /** SPEC §10: a heartbeat comment every 15 s; the same beat checks what a lost bus message may have missed. */
  heartbeatMs: number;
  /** How far back a `Last-Event-ID` is looked for among the session's retained events. */
  resumeWindow: number;
}

export interface LiveObserver {
  setEventStreams(n: number): void;
  eventStreamDropped(reason: DropReason): void;
}

/** A stream that passed every check and holds its slot; `attach` starts it, `cancel` gives the slot back. */
export interface PendingStream {
  attach(sink: StreamSink): () => void;
  cancel(): void;
}

const stateOfSession = (row: SessionRow) => liveState(row.session_id, stateOfRow(row), row.health, row.last_event_at, row.last_checked_at);

/**
 * Live events of a session over Server-Sent Events (SPEC §10, issue 16 §4), on this instance: the
 * streams, their caps, and what feeds them — state changes and stored provider events announced on
 * the cluster bus by whichever instance saw them, a heartbeat every 15 s, and at each heartbeat one
 * catch-up read for all sessions streamed here (what a lost bus message missed, deleted sessions,
 * owners no longer served). Streams end when the session is deleted or its owner is no longer served,
 * when the reader falls too far behind, and at shutdown (clients reconnect with `Last-Event-ID`).
 */
export function createLiveEvents(deps: {
  db: Db;
  clock: Clock;
  bus: Pick<ClusterBus, 'subscribe'>;
  policy: LivePolicy;
  hooks: { every: Every; observer?: LiveObserver; onError: (error: unknown) => void };
}) {
  const { db, clock, policy, hooks } = deps;
  const feeds = new Map<number, LiveFeed>();
  const perUser = new Map<string, number>();
  let total = 0;
  let stop: (() => void) | null = null;
  let sweeping = false;

  const count = (userId: string, delta: number) => {
    const n = (perUser.get(userId) ?? 0) + delta;
    if (n > 0) perUser.set(userId, n);
    else perUser.delete(userId);
    total += delta;
    hooks.observer?.setEventStreams(total);
  };

  function drop(feed: LiveFeed, stream: LiveStream, reason: DropReason): void {
    if (!feed.remove(stream)) return;
    if (feed.streams.size === 0 && feeds.get(feed.rowId) === feed) feeds.delete(feed.rowId);
    count(stream.userId, -1);
    hooks.observer?.eventStreamDropped(reason);
    if (reason === 'slow_reader') stream.sink.abort();
    else stream.sink.end();
  }

  const endFeed = (feed: LiveFeed, reason: DropReason) => {
    for (const stream of [...feed.streams]) drop(feed, stream, reason);
  };

  /** Where a resumed stream starts: the retained event `lastEventId` names, else the newest (live from now). */
  async function cursorFor(rowId: number, lastEventId: string | null): Promise<number> {
    if (lastEventId) {
      for (const e of await listRecentEventKeys(db, rowId, policy.resumeWindow))
        if (publicEventId(rowId, `${e.event_key}#${e.id}`) === lastEventId) return e.id;
    }
    return (await latestEventIds(db, [rowId])).get(rowId) ?? 0;
  }

  /** The heartbeat, then one catch-up read for every session streamed here. */
  async function sweep(): Promise<void> {
    for (const feed of [...feeds.values()]) feed.beat();
    if (sweeping || feeds.size === 0) return;
    sweeping = true;
    try {
      await recheck([...feeds.keys()]);
      if (!policy.relay || feeds.size === 0) return;
      for (const [rowId, last] of await latestEventIds(db, [...feeds.keys()])) {
        const feed = feeds.get(rowId);
        if (feed && last > feed.cursor()) void feed.pull();
      }
    } catch (error) {
      hooks.onError(error);
    } finally {
      sweeping = false;
    }
  }

  /** Ends the streams of deleted sessions and of owners no longer served; sends a state they may have missed. */
  async function recheck(rowIds: number[]): Promise<void> {
    const rows = new Map((await findInboundSessions(db, rowIds, DEFAULT_PROVIDER)).map((r) => [r.id, r]));
    for (const rowId of rowIds) {
      const feed = feeds.get(rowId);
      const row = rows.get(rowId);
      if (!feed) continue;
      if (!row) endFeed(feed, 'session_deleted');
      else if (relayRefusal(row, clock.now()) !== null) endFeed(feed, 'subscription');
      else {
        feed.setEvents(row.events);
        feed.sendState(stateOfSession(row));
      }
    }
  }

  function onMessage(payload: string): void {
    const m = parseLiveMessage(payload);
    if (m?.k === 'e') for (const rowId of m.r) void feeds.get(rowId)?.pull();
    if (m?.k === 's') feeds.get(m.r)?.sendState(m.d);
    if (m?.k === 'd') {
      const feed = feeds.get(m.r);
      if (feed) endFeed(feed, 'session_deleted');
    }
  }

  /** A user changed (deactivated, plan changed: the token revocations of the bus): their streams are checked now. */
  function onRevocation(payload: string): void {
    let user: unknown;
    try {
      user = (JSON.parse(payload) as { user?: unknown }).user;
    } catch {
      return;
    }
    const rowIds = [...feeds.values()].filter((f) => [...f.streams].some((s) => s.userId === user)).map((f) => f.rowId);
    if (rowIds.length > 0) recheck(rowIds).catch(hooks.onError);
  }

  function start(): void {
    if (stop) return;
    const unsubscribe = [deps.bus.subscribe(LIVE_CHANNEL, onMessage), deps.bus.subscribe(REVOCATION_CHANNEL, onRevocation)];
    const beat = hooks.every(policy.heartbeatMs, () => void sweep());
    stop = () => {
      beat();
      for (const u of unsubscribe) u();
    };
  }

  function newFeed(row: SessionRow): LiveFeed {
    const feed: LiveFeed = createLiveFeed({
      rowId: row.id,
      sessionId: row.session_id,
      sessionName: row.session_name ?? '',
      events: row.events,
      readAfter: (afterId, limit) => listEventsAfter(db, row.id, afterId, limit),
      drop: (stream, reason) => drop(feed, stream, reason),
      onError: hooks.onError,
    });
    feeds.set(row.id, feed);
    return feed;
  }

  function attachTo(row: SessionRow, userId: string, cursor: number, sink: StreamSink): () => void {
    start();
    const feed = feeds.get(row.id) ?? newFeed(row);
    const stream: LiveStream = { userId, sink, cursor, waiting: false, stalled: false, stateDue: null };
    sink.write(sseRetry(2_000));
    feed.add(stream, stateOfSession(row));
    if (policy.relay) void feed.pull();
    const own = feed;
    return () => {
      if (!own.remove(stream)) return;
      if (own.streams.size === 0 && feeds.get(own.rowId) === own) feeds.delete(own.rowId);
      count(userId, -1);
    };
  }

  /**
   * Checks everything before a byte of the stream is written (issue 16: another tenant's session is a
   * 404, a full cap a 429/503): the session, the caps. The customer hook has refused an inactive user
   * or a lapsed subscription (403) already.
   */
  async function open(customer: Customer, sessionId: string, lastEventId: string | null): Promise<PendingStream> {
    const row = await findSessionForUser(db, customer.id, sessionId);
    if (!row) throw new AppError('SESSION_NOT_FOUND');
    if ((perUser.get(customer.id) ?? 0) >= policy.perUser) throw new AppError('EVENT_STREAM_LIMIT');
    if (total >= policy.max) throw new AppError('EVENT_STREAMS_FULL');
    count(customer.id, 1);
    let settled = false;
    try {
      const cursor = policy.relay ? await cursorFor(row.id, lastEventId) : 0;
      return {
        attach(sink) {
          settled = true;
          return attachTo(row, customer.id, cursor, sink);
        },
        cancel() {
          if (settled) return;
          settled = true;
          count(customer.id, -1);
        },
      };
    } catch (error) {
      count(customer.id, -1);
      throw error;
    }
  }

  return {
    open,
    /** Ends every stream (shutdown: clients reconnect with `Last-Event-ID`, to this instance or another). */
    closeAll(): void {
      for (const feed of [...feeds.values()]) endFeed(feed, 'shutdown');
    },
    close(): void {
      for (const feed of [...feeds.values()]) endFeed(feed, 'shutdown');
      stop?.();
      stop = null;
    },
    /** Runs the heartbeat and catch-up now (tests; the timer does it every 15 s). */
    sweep,
    openCount: () => total,
  };
}
export type LiveEvents = ReturnType<typeof createLiveEvents>;
