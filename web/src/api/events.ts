import { createSseParser, type SseMessage } from '../lib/sse-parser';
import type { SessionState } from './types';

/** What a followed stream is doing: `live` while it is open; `retrying` after a cut; `off` once given up. */
export type StreamStatus = 'connecting' | 'live' | 'retrying' | 'off';

export interface StreamHandlers {
  onStatus(status: StreamStatus): void;
  onState(state: SessionState): void;
  /** A provider event (relay mode): its type, delivery id and the provider's JSON, as text. */
  onEvent(event: { type: string; id: string; data: string }): void;
}

/** Refusals that another try would only repeat: no key, no plan, no session, a full cap. */
const FINAL = new Set([401, 403, 404, 429, 503]);
const BACKOFF_MS = [1_000, 2_000, 5_000, 10_000, 30_000];
/** Cuts in a row after which the console stops trying and polls instead. */
const GIVE_UP_AFTER = 5;

function dispatch(m: SseMessage, handlers: StreamHandlers): string | null {
  if (m.event === 'state' && m.data) {
    try {
      handlers.onState(JSON.parse(m.data) as SessionState);
    } catch {
      /* not a state we can read: ignored */
    }
  } else if (m.event && m.data !== undefined && m.id) handlers.onEvent({ type: m.event, id: m.id, data: m.data });
  return m.id ?? null;
}

/**
 * Follows `GET /v1/sessions/:id/events` (SPEC §10). EventSource cannot send headers, and the key must
 * never be in a URL, so this reads the stream with fetch, the key in `x-api-key` as on every other
 * call. A cut stream is opened again with `Last-Event-ID`, after a growing pause; a refusal, or five
 * cuts in a row, ends it (`off`), and the caller falls back to polling. Returns the function that stops it.
 */
export function followSessionEvents(apiKey: string, sessionId: string, handlers: StreamHandlers): () => void {
  const abort = new AbortController();
  let lastId: string | null = null;

  /** `final`: refused; `cut`: no stream; `ended`: a stream that was live ended (a restart, a drain). */
  async function once(): Promise<'final' | 'cut' | 'ended'> {
    const headers: Record<string, string> = { 'x-api-key': apiKey, accept: 'text/event-stream' };
    if (lastId) headers['last-event-id'] = lastId;
    const res = await fetch(`/v1/sessions/${encodeURIComponent(sessionId)}/events`, {
      headers,
      cache: 'no-store',
      credentials: 'omit',
      signal: abort.signal,
    });
    if (!res.ok || !res.body) return FINAL.has(res.status) ? 'final' : 'cut';
    handlers.onStatus('live');
    const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
    const push = createSseParser((m) => {
      lastId = dispatch(m, handlers) ?? lastId;
    });
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return 'ended';
      push(value);
    }
  }

  void (async () => {
    handlers.onStatus('connecting');
    for (let cuts = 0; !abort.signal.aborted; ) {
      const outcome = await once().catch(() => 'cut' as const);
      if (abort.signal.aborted) return;
      cuts = outcome === 'final' ? GIVE_UP_AFTER : outcome === 'ended' ? 1 : cuts + 1;
      if (cuts >= GIVE_UP_AFTER) return handlers.onStatus('off');
      handlers.onStatus('retrying');
      await new Promise((r) => setTimeout(r, BACKOFF_MS[Math.min(cuts, BACKOFF_MS.length) - 1]));
    }
  })();
  return () => abort.abort();
}
