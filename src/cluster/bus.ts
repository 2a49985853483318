/**
 * The cluster notification bus: a message published on a channel reaches the subscribers of that
 * channel on every instance of the gateway (this one included), a few milliseconds later. It is a
 * wake-up, not a log: delivery is at most once, and whatever an instance misses while its bus
 * connection is down is gone — a subscriber keeps a safety net of its own (the token cache has its
 * one-second lifetime; a live-event stream re-reads PostgreSQL after a gap). Implementations:
 * PostgreSQL LISTEN/NOTIFY (cluster/pg-bus.ts), Redis pub/sub (cluster/redis-bus.ts) and this
 * process alone (createMemoryBus, the embedded store). Built without connecting; the first
 * `subscribe` opens the listening connection, which then reconnects by itself.
 */
export interface ClusterBus {
  /**
   * Sends `payload` to `channel`'s subscribers everywhere. Resolves false when the transport is down
   * (the message is dropped, and `health` says so); never rejects for that. Throws a RangeError for a
   * channel that is not `[a-z0-9][a-z0-9._:-]{0,63}` or a payload over BUS_MAX_PAYLOAD_BYTES.
   */
  publish(channel: string, payload: string): Promise<boolean>;
  /** Calls `handler` for every message on `channel` from now on; the returned function unsubscribes. */
  subscribe(channel: string, handler: BusHandler): () => void;
  health(): BusHealth;
  close(): Promise<void>;
}

/** `local`: published by this instance. A handler that throws is logged, never crashes the bus. */
export type BusHandler = (payload: string, meta: { local: boolean }) => void;

export interface BusHealth {
  mode: 'memory' | 'postgres' | 'redis';
  /** False while messages from other instances cannot arrive (or ours cannot leave). */
  ok: boolean;
  detail?: string;
}

export interface BusLogger {
  warn(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
}

/** PostgreSQL's NOTIFY takes at most 8000 bytes; with the envelope's few bytes this keeps every transport within it. */
export const BUS_MAX_PAYLOAD_BYTES = 7_000;
const CHANNEL = /^[a-z0-9][a-z0-9._:-]{0,63}$/;

interface Envelope {
  /** The publishing instance. */
  o: string;
  c: string;
  p: string;
}

/** One physical channel carries every logical one: the envelope names it and the instance that sent it. */
export function encodeEnvelope(origin: string, channel: string, payload: string): string {
  if (!CHANNEL.test(channel)) throw new RangeError(`bus channel "${channel}" is not [a-z0-9][a-z0-9._:-]{0,63}`);
  if (Buffer.byteLength(payload, 'utf8') > BUS_MAX_PAYLOAD_BYTES)
    throw new RangeError(`bus payload over ${BUS_MAX_PAYLOAD_BYTES} bytes on ${channel}`);
  return JSON.stringify({ o: origin, c: channel, p: payload } satisfies Envelope);
}

function decodeEnvelope(text: string): Envelope | null {
  try {
    const e = JSON.parse(text) as Partial<Envelope> | null;
    return e && typeof e.o === 'string' && typeof e.c === 'string' && typeof e.p === 'string' ? (e as Envelope) : null;
  } catch {
    return null;
  }
}

/** The handlers of this instance by channel, and the delivery of one raw message to them. */
export function createSubscribers(origin: string, logger?: BusLogger) {
  const handlers = new Map<string, Set<BusHandler>>();

  function add(channel: string, handler: BusHandler): () => void {
    if (!CHANNEL.test(channel)) throw new RangeError(`bus channel "${channel}" is not [a-z0-9][a-z0-9._:-]{0,63}`);
    const set = handlers.get(channel) ?? new Set<BusHandler>();
    handlers.set(channel, set);
    set.add(handler);
    return () => {
      set.delete(handler);
      if (set.size === 0) handlers.delete(channel);
    };
  }

  /** A message that is not ours (another application on the channel) or not well formed is ignored. */
  function deliver(raw: string): void {
    const envelope = decodeEnvelope(raw);
    if (!envelope) return;
    for (const handler of handlers.get(envelope.c) ?? []) {
      try {
        handler(envelope.p, { local: envelope.o === origin });
      } catch (err) {
        logger?.warn({ err, channel: envelope.c }, 'bus subscriber failed');
      }
    }
  }

  return {
    add,
    deliver,
    get size() {
      return handlers.size;
    },
  };
}

/** How a transport moves raw envelopes: `send` rejects when it cannot; `listen` starts hearing (once, then idempotent). */
export interface BusTransport {
  send(raw: string): Promise<void>;
  listen(): void;
}

/**
 * `publish` and `subscribe` as every transport has them: a message is enveloped (RangeError for a bad
 * channel or size), sent, and false when the transport could not take it — never a rejection; the
 * first subscriber starts the listening.
 */
export function busEnds(origin: string, subscribers: ReturnType<typeof createSubscribers>, transport: BusTransport) {
  return {
    async publish(channel: string, payload: string): Promise<boolean> {
      const raw = encodeEnvelope(origin, channel, payload);
      try {
        await transport.send(raw);
        return true;
      } catch {
        return false;
      }
    },
    subscribe(channel: string, handler: BusHandler): () => void {
      const unsubscribe = subscribers.add(channel, handler);
      transport.listen();
      return unsubscribe;
    },
  };
}

/** One process is the whole cluster (the embedded store): messages go to this process's subscribers. */
export function createMemoryBus(logger?: BusLogger): ClusterBus {
  const subscribers = createSubscribers('memory', logger);
  return {
    ...busEnds('memory', subscribers, {
      // Delivered after the publisher's own work, as a message from another instance would be.
      send: async (raw) => void setImmediate(() => subscribers.deliver(raw)),
      listen: () => undefined,
    }),
    health: () => ({ mode: 'memory', ok: true }),
    close: async () => undefined,
  };
}
