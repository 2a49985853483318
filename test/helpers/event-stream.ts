/** One Server-Sent Events message as a client sees it (a comment has `comment` set and nothing else). */
export interface SseMessage {
  event?: string;
  id?: string;
  data?: string;
  comment?: string;
}

function parseBlock(block: string): SseMessage {
  const message: SseMessage = {};
  const data: string[] = [];
  for (const line of block.split('\n')) {
    if (line.startsWith(':')) message.comment = line.slice(1).trim();
    const match = /^(event|id|data|retry): ?(.*)$/.exec(line);
    if (match?.[1] === 'event') message.event = match[2];
    if (match?.[1] === 'id') message.id = match[2];
    if (match?.[1] === 'data') data.push(match[2]!);
  }
  if (data.length > 0) message.data = data.join('\n');
  return message;
}

/**
 * A live event stream read with fetch, as the console reads it (the key in a header): every message is
 * kept in `messages`; `next` waits for one that matches; `ended` resolves when the server ends it.
 */
export async function openEventStream(url: string, headers: Record<string, string>) {
  const abort = new AbortController();
  const res = await fetch(url, { headers, signal: abort.signal });
  const messages: SseMessage[] = [];
  const waiters = new Set<() => void>();
  let done = false;
  const body = res.ok && res.body ? res.body : null;
  const ended = (async () => {
    if (!body) return;
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of body) {
        buffer += decoder.decode(chunk as Uint8Array, { stream: true });
        for (let at = buffer.indexOf('\n\n'); at >= 0; at = buffer.indexOf('\n\n')) {
          messages.push(parseBlock(buffer.slice(0, at)));
          buffer = buffer.slice(at + 2);
          for (const w of waiters) w();
        }
      }
    } catch {
      // Aborted by the test, or cut by the server: either way the stream is over.
    } finally {
      done = true;
      for (const w of waiters) w();
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
    json: body ? null : ((await res.json().catch(() => null)) as Record<string, unknown> | null),
    messages,
    next,
    /** The next `event: state`, parsed, that matches. */
    async state(match: (s: Record<string, any>) => boolean = () => true, ms = 5_000) {
      const m = await next((x) => x.event === 'state' && match(JSON.parse(x.data!)), ms);
      return JSON.parse(m.data!) as Record<string, any>;
    },
    ended,
    isEnded: () => done,
    close: () => abort.abort(),
  };
}
export type EventStreamClient = Awaited<ReturnType<typeof openEventStream>>;
