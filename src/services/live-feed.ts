import { sseFrame } from '../lib/sse.js';
import { publicEventId } from '../lib/webhook-payload.js';
import type { LiveEventRow } from '../store/live-events.js';
import type { LiveState } from './live-publisher.js';
import { wantsEvent } from './relay.js';

/** Where a stream's frames go (http/event-stream.ts): `write` is false once the reader is too far behind. */
export interface StreamSink {
  write(chunk: string): boolean;
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
}

export type DropReason = 'slow_reader' | 'session_deleted' | 'subscription' | 'shutdown';

const PAGE = 100;

/**
 * One session's live events on this instance, shared by every stream of that session here: a stored
 * event is read once and each frame built once, then written to each stream in order. Streams that
 * join while a read is under way wait for the next round, so every stream sees its events in order
 * and none twice.
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

  function write(stream: LiveStream, chunk: string): void {
    if (!stream.sink.write(chunk)) deps.drop(stream, 'slow_reader');
  }

  /** A provider event as the customer subscribed to it, framed once for every stream. */
  function frameOf(row: LiveEventRow): string | null {
    if (!wantsEvent(events, row.event_type)) return null;
    const data = { ...row.payload, userID: deps.sessionId, instanceName: deps.sessionName };
    return sseFrame({ event: row.event_type, id: publicEventId(deps.rowId, `${row.event_key}#${row.id}`), data: JSON.stringify(data) });
  }

  async function round(): Promise<boolean> {
    const active = [...streams];
    if (active.length === 0) return false;
    const from = Math.min(...active.map((s) => s.cursor));
    const rows = await deps.readAfter(from, PAGE);
    for (const row of rows) {
      const frame = frameOf(row);
      for (const stream of active) {
        if (row.id <= stream.cursor || !streams.has(stream)) continue;
        stream.cursor = row.id;
        if (frame) write(stream, frame);
      }
    }
    return rows.length === PAGE;
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
    add(stream: LiveStream, state: LiveState): void {
      streams.add(stream);
      lastState = JSON.stringify(state);
      write(stream, sseFrame({ event: 'state', data: lastState }));
    },
    remove: (stream: LiveStream) => streams.delete(stream),
    /** An `event: state` to every stream, unless it says what they were last told. */
    sendState(state: LiveState): void {
      const data = JSON.stringify(state);
      if (data === lastState) return;
      lastState = data;
      for (const stream of [...streams]) write(stream, sseFrame({ event: 'state', data }));
    },
    /** The newest event every stream has been given: below the store's newest, a pull is due. */
    cursor: () => Math.min(...[...streams].map((s) => s.cursor)),
    setEvents(list: string | null): void {
      events = list;
    },
    pull,
    write,
  };
}
export type LiveFeed = ReturnType<typeof createLiveFeed>;
