import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import type { Clock } from '../lib/clock.js';
import { createTtlCache } from '../lib/lru.js';
import type { ForwardResponse } from '../provider/forward.js';

interface Stored {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/**
 * `Idempotency-Key` on sends (SPEC §4): a retry within the window gets the first answer and is not
 * sent twice; a retry while the first is still in flight waits for it. Kept per instance and bounded.
 */
export function createIdempotency(deps: { clock: Clock; windowMs?: number; max?: number }) {
  const done = createTtlCache<string, Stored>({
    max: deps.max ?? 20_000,
    ttlMs: deps.windowMs ?? 10 * 60_000,
    now: () => deps.clock.now().getTime(),
  });
  const inFlight = new Map<string, Promise<Stored>>();
  const replay = (s: Stored): ForwardResponse => ({
    status: s.status,
    headers: { ...s.headers, 'idempotent-replayed': 'true' },
    body: Readable.from([Buffer.from(s.body)]),
  });

  async function once<T extends ForwardResponse>(key: string, run: () => Promise<T>): Promise<ForwardResponse | T> {
    const hit = done.get(key);
    if (hit) return replay(hit);
    const pending = inFlight.get(key);
    if (pending) return replay(await pending);
    let result: T | undefined;
    const work = (async () => {
      result = await run();
      const stored = { status: result.status, headers: result.headers, body: await text(result.body) };
      // Only an answer the provider gave is kept; a transport failure may be retried for real.
      done.set(key, stored);
      return stored;
    })();
    inFlight.set(key, work);
    try {
      const stored = await work;
      return { ...result!, body: Readable.from([Buffer.from(stored.body)]) };
    } finally {
      inFlight.delete(key);
    }
  }

  return { once };
}
export type Idempotency = ReturnType<typeof createIdempotency>;
