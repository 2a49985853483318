import { sseComment, sseFrame } from '../lib/sse.js';
import { publicEventId } from '../lib/webhook-payload.js';
import type { LiveEventRow } from '../store/live-events.js';
import type { LiveState } from './live-publisher.js';
import { wantsEvent } from './relay-mode.js';

/** Where a stream's frames go (http/event-stream.ts). */
export interface StreamSink {
  write(chunk: string): void;
  /** More than the stream's buffer (EVENT_STREAM_BUFFER_BYTES) waits to reach the reader: write nothing more. */
  congested(): boolean;
  /** Calls `fn` once, when what waited has reached the reader. */
  onDrain(fn: () => void): void;
  /** A clean end: what was written still reaches the client. */
  end(): void;
  /** The reader is gone or hopeless: its buffered bytes are dropped with the connection. */
  abort(): void;
}

export interface LiveStream {
  userId: string;
  sink: StreamSink;
  /** The last stored event this stream has been sent (or skipped past). */
  cursor: number;
  /** Congested: it gets nothing until its buffer drains (what it misses meanwhile is read again from the store). */
  waiting: boolean;
  /** Congested at a heartbeat: still congested at the next one, it is dropped. */
  stalled: boolean;
  /** The newest state it could not be sent while congested. */
  stateDue: string | null;
}

export type DropReason = 'slow_reader' | 'session_deleted' | 'subscription' | 'shutdown';

const PAGE = 100;

/**
 * One session's live events on this instance, shared by every stream of that session here: a stored
 * event is read once and each frame built once, then written to each stream in order. A stream whose
 * reader falls behind is never buffered without end (issue 16 §4): once its buffer is full it gets
 * nothing more until the buffer drains, then carries on from its cursor (the events wait in the
 * store, not in memory); one that stays full from one heartbeat to the next is dropped. Streams that
 * join while a read is under way wait for the next round, so each sees its events in order, none twice.
 */
export function createLiveFeed(deps: {
  rowId: number;
  sessionId: string;
  sessionName: string;
  /** The customer's event list: in relay mode the stream carries what they subscribed to (SPEC §10). */
  events: string | null;
  readAfter: (afterId: number, limit: number) => Promise<LiveEventRow[]>;
  drop: (stream: LiveStream, reason: DropReason) => void;
  onError: (error: unknown) => void;
}) {
  const streams = new Set<LiveStream>();
  let lastState: string | null = null;
  let reading = false;
  let again = false;
  let events = deps.events;

  /** Writes unless the stream is congested; then waits for its drain and says false. */
  function deliver(stream: LiveStream, chunk: string): boolean {
    if (!stream.sink.congested()) {
      stream.sink.write(chunk);
      return true;
    }
    if (!stream.waiting) {
      stream.waiting = true;
      stream.sink.onDrain(() => resume(stream));
    }
    return false;
  }

  function resume(stream: LiveStream): void {
    stream.waiting = false;
    stream.stalled = false;
    if (!streams.has(stream)) return;
    const state = stream.stateDue;
    stream.stateDue = null;
    if (state) deliver(stream, sseFrame({ event: 'state', data: state }));
    void pull();
  }

  /** A provider event as the customer subscribed to it, framed once for every stream. */
  function frameOf(row: LiveEventRow): string | null {
    if (!wantsEvent(events, row.event_type)) return null;
    const data = { ...row.payload, userID: deps.sessionId, instanceName: deps.sessionName };
    return sseFrame({ event: row.event_type, id: publicEventId(deps.rowId, `${row.event_key}#${row.id}`), data: JSON.stringify(data) });
  }

  async function round(): Promise<boolean> {
    const active = [...streams].filter((s) => !s.waiting);
    if (active.length === 0) return false;
    const rows = await deps.readAfter(Math.min(...active.map((s) => s.cursor)), PAGE);
    const blocked = new Set<LiveStream>();
    for (const row of rows) {
      const frame = frameOf(row);
      for (const stream of active) {
        if (row.id <= stream.cursor || blocked.has(stream) || !streams.has(stream)) continue;
        if (frame && !deliver(stream, frame)) blocked.add(stream);
        else stream.cursor = row.id;
      }
    }
    return rows.length === PAGE && blocked.size < active.length;
  }

  /** Reads and sends what was stored since the streams' cursors; one read at a time, again when asked meanwhile. */
  async function pull(): Promise<void> {
    if (reading) {
      again = true;
      return;
    }
    reading = true;
    try {
      do {
        again = false;
        if (await round()) again = true;
      } while (again);
    } catch (error) {
      deps.onError(error);
    } finally {
      reading = false;
    }
  }

  return {
    rowId: deps.rowId,
    streams,
    /** A new stream: the state now, then its events from its cursor. */
    add(stream: LiveStream, state: LiveState): void {
      streams.add(stream);
      lastState = JSON.stringify(state);
      stream.sink.write(sseFrame({ event: 'state', data: lastState }));
    },
    remove: (stream: LiveStream) => streams.delete(stream),
    /** An `event: state` to every stream, unless it says what they were last told. */
    sendState(state: LiveState): void {
      const data = JSON.stringify(state);
      if (data === lastState) return;
      lastState = data;
      for (const stream of streams) if (!deliver(stream, sseFrame({ event: 'state', data }))) stream.stateDue = data;
    },
    /** The heartbeat: a comment to each stream, and the end of those whose buffer stayed full since the last one. */
    beat(): void {
      for (const stream of [...streams]) {
        if (!stream.sink.congested()) {
          stream.stalled = false;
          stream.sink.write(sseComment('heartbeat'));
        } else if (stream.stalled) deps.drop(stream, 'slow_reader');
        else stream.stalled = true;
      }
    },
    /** The newest event every stream has been given: below the store's newest, a pull is due. */
    cursor: () => Math.min(...[...streams].map((s) => s.cursor)),
    setEvents(list: string | null): void {
      events = list;
    },
    pull,
  };
}
export type LiveFeed = ReturnType<typeof createLiveFeed>;
