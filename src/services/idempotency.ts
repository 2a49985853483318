import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { AppError } from '../errors.js';
import type { Clock } from '../lib/clock.js';
import { readAnswer } from '../provider/answer.js';
import type { ForwardResponse } from '../provider/forward.js';

export interface StoredAnswer {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

export type IdempotencyClaim =
  /** The key is the caller's: send, then `keep` the answer, or `drop` the key if nothing was answered. */
  | { kind: 'claimed'; keep(answer: StoredAnswer): Promise<void>; drop(): Promise<void> }
  /**
   * Someone used the key first, for the request with `fingerprint`. `answer` waits (bounded) for its
   * answer: null when that attempt ended without one (claim again: it may be retried), 409
   * IDEMPOTENCY_IN_FLIGHT when it is still running past the bound.
   */
  | { kind: 'held'; fingerprint: string; answer(): Promise<StoredAnswer | null> };

/**
 * Where used `Idempotency-Key`s live: this process (createMemoryIdempotencyStore), PostgreSQL shared by
 * all instances (idempotency-shared.ts), or both, the first in front. `claim` is atomic: two callers
 * never both get `claimed`.
 */
export interface IdempotencyStore {
  claim(key: string, fingerprint: string): Promise<IdempotencyClaim>;
}

/** Past the wait for another attempt's answer: the client tries again shortly. */
export const stillInFlight = () => new AppError('IDEMPOTENCY_IN_FLIGHT', undefined, { 'retry-after': '1' });

/** The header as the gateway accepts it: null when absent or empty, else 1–255 characters, no control character. */
export function idempotencyKeyOf(header: string | undefined): string | null {
  if (!header) return null;
  if (header.length > 255) throw new AppError('IDEMPOTENCY_KEY_INVALID');
  for (let i = 0; i < header.length; i += 1) {
    const c = header.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) throw new AppError('IDEMPOTENCY_KEY_INVALID');
  }
  return header;
}

/** What binds a key to its request (SPEC §10): method, normalised path and the body's bytes. */
export function requestFingerprint(method: string, path: string, body: Buffer | null): string {
  const hash = createHash('sha256').update(`${method} ${path}\n`);
  if (body) hash.update(body);
  return hash.digest('base64url');
}

/**
 * Keys of this instance, kept `windowMs` and bounded in count and in bytes of kept answers (the oldest
 * go first). A key still in flight here is waited on (at most `waitMs`), not sent twice.
 */
export function createMemoryIdempotencyStore(deps: {
  clock: Clock;
  windowMs?: number;
  waitMs?: number;
  max?: number;
  maxBytes?: number;
}): IdempotencyStore {
  const windowMs = deps.windowMs ?? 10 * 60_000;
  const waitMs = deps.waitMs ?? 10_000;
  const max = deps.max ?? 20_000;
  const maxBytes = deps.maxBytes ?? 32 * 1024 * 1024;
  const done = new Map<string, { fingerprint: string; answer: StoredAnswer; at: number }>();
  const pending = new Map<string, { fingerprint: string; answer: Promise<StoredAnswer | null> }>();
  let bytes = 0;

  function forget(key: string) {
    const entry = done.get(key);
    if (!entry) return;
    bytes -= entry.answer.body.length;
    done.delete(key);
  }

  function keep(key: string, fingerprint: string, answer: StoredAnswer) {
    forget(key);
    done.set(key, { fingerprint, answer, at: deps.clock.now().getTime() });
    bytes += answer.body.length;
    for (const oldest of done.keys()) {
      if (done.size <= max && bytes <= maxBytes) break;
      forget(oldest);
    }
  }

  async function claim(key: string, fingerprint: string): Promise<IdempotencyClaim> {
    const hit = done.get(key);
    if (hit && deps.clock.now().getTime() - hit.at <= windowMs)
      return { kind: 'held', fingerprint: hit.fingerprint, answer: async () => hit.answer };
    forget(key);
    const inFlight = pending.get(key);
    if (inFlight) return { kind: 'held', fingerprint: inFlight.fingerprint, answer: () => bounded(inFlight.answer, waitMs) };
    let settle!: (answer: StoredAnswer | null) => void;
    const answer = new Promise<StoredAnswer | null>((resolve) => {
      settle = resolve;
    });
    pending.set(key, { fingerprint, answer });
    return {
      kind: 'claimed',
      async keep(stored) {
        pending.delete(key);
        keep(key, fingerprint, stored);
        settle(stored);
      },
      async drop() {
        pending.delete(key);
        settle(null);
      },
    };
  }

  return { claim };
}

/** `promise`, or 409 IDEMPOTENCY_IN_FLIGHT once `ms` have passed. */
function bounded<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(stillInFlight()), ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

/**
 * `Idempotency-Key` on sends (SPEC §4, §10): the same request again gets the first answer and is not
 * sent twice, also while the first is still in flight; the key with another request is 422 and sends
 * nothing. Only an answer the provider gave is kept: after a transport failure a retry is sent for real.
 */
export function createIdempotency(deps: { store: IdempotencyStore; maxAnswerBytes: number }) {
  const replay = (s: StoredAnswer): ForwardResponse => ({
    status: s.status,
    headers: { ...s.headers, 'idempotent-replayed': 'true' },
    body: Readable.from([s.body]),
  });

  async function once<T extends ForwardResponse>(key: string, fingerprint: string, run: () => Promise<T>): Promise<T | ForwardResponse> {
    // A first attempt that ended without an answer frees the key; the waiters then claim it again.
    for (let round = 0; ; round += 1) {
      const claim = await deps.store.claim(key, fingerprint);
      if (claim.kind === 'claimed') return runClaimed(claim, run);
      if (claim.fingerprint !== fingerprint) throw new AppError('IDEMPOTENCY_KEY_REUSED');
      const answer = await claim.answer();
      if (answer) return replay(answer);
      if (round >= 2) throw stillInFlight();
    }
  }

  async function runClaimed<T extends ForwardResponse>(claim: Extract<IdempotencyClaim, { kind: 'claimed' }>, run: () => Promise<T>) {
    let result: T;
    let body: Buffer;
    try {
      result = await run();
      body = await readAnswer(result.body, deps.maxAnswerBytes);
    } catch (error) {
      await claim.drop();
      throw error;
    }
    await claim.keep({ status: result.status, headers: result.headers, body });
    return { ...result, body: Readable.from([body]) };
  }

  return { once };
}
export type Idempotency = ReturnType<typeof createIdempotency>;
