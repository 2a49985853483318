import { Agent, fetch } from 'undici';
import { createSseParser, type SseMessage } from '../../web/src/lib/sse-parser.js';

export type { SseMessage };

/**
 * A live event stream read with fetch, as the console reads it (the key in a header): every message is
 * kept in `messages`; `next` waits for one that matches; `ended` resolves when the server ends it.
 */
export async function openEventStream(url: string, headers: Record<string, string>) {
  const abort = new AbortController();
  // A connection of its own, destroyed with the stream: nothing lingers to hold up the app's close.
  const agent = new Agent({ connections: 1 });
  const res = await fetch(url, { headers, signal: abort.signal, dispatcher: agent });
  const messages: SseMessage[] = [];
  const waiters = new Set<() => void>();
  let done = false;
  const body = res.ok && res.body ? res.body : null;
  const ended = (async () => {
    if (!body) return;
    const decoder = new TextDecoder();
    const push = createSseParser((m) => {
      messages.push(m);
      for (const w of waiters) w();
    });
    try {
      for await (const chunk of body) push(decoder.decode(chunk as Uint8Array, { stream: true }));
    } catch {
      // Aborted by the test, or cut by the server: either way the stream is over.
    } finally {
      done = true;
      for (const w of waiters) w();
      void agent.destroy().catch(() => undefined);
    }
  })();
  let seen = 0;

  /** The next message (after the ones `next` already returned) that matches, within `ms`. */
  async function next(match: (m: SseMessage) => boolean = () => true, ms = 5_000): Promise<SseMessage> {
    const deadline = Date.now() + ms;
    for (;;) {
      while (seen < messages.length) {
        const m = messages[seen]!;
        seen += 1;
        if (match(m)) return m;
      }
      if (done) throw new Error(`stream ended; messages: ${JSON.stringify(messages)}`);
      if (Date.now() > deadline) throw new Error(`no matching message in ${ms} ms; messages: ${JSON.stringify(messages)}`);
      await new Promise<void>((resolve) => {
        const wake = () => {
          waiters.delete(wake);
          resolve();
        };
        waiters.add(wake);
        setTimeout(wake, 50);
      });
    }
  }

  return {
    status: res.status,
    headers: res.headers,
    /** The error body of a refused stream. */
    json: body
      ? null
      : ((await res
          .json()
          .catch(() => null)
          .finally(() => agent.destroy().catch(() => undefined))) as Record<string, unknown> | null),
    messages,
    next,
    /** The next `event: state`, parsed, that matches. */
    async state(match: (s: Record<string, any>) => boolean = () => true, ms = 5_000) {
      const m = await next((x) => x.event === 'state' && match(JSON.parse(x.data!)), ms);
      return JSON.parse(m.data!) as Record<string, any>;
    },
    ended,
    isEnded: () => done,
    close: () => {
      abort.abort();
      void agent.destroy().catch(() => undefined);
    },
  };
}
export type EventStreamClient = Awaited<ReturnType<typeof openEventStream>>;
