import { EventEmitter } from 'node:events';
import type { Readable } from 'node:stream';
import { AppError } from '../errors.js';

/**
 * Reads a provider answer the gateway needs whole, up to `maxBytes` (issue 11 item 9). Past that the
 * body is destroyed, which drops its connection instead of handing it back to the pool, and the caller
 * gets a typed 502: memory never grows with whatever genfity-wa, or something in its place, sends.
 * The deadline is the caller's: it destroys the body with its own error when time is up.
 */
export async function readAnswer(body: Readable, maxBytes: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) {
      body.destroy();
      throw new AppError('PROVIDER_ANSWER_TOO_LARGE');
    }
    chunks.push(chunk as Buffer);
  }
  return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size);
}

/**
 * What undici takes as a request's `signal` besides an AbortSignal (its documented `EventEmitter`
 * form): `aborted` and `reason`, then an `abort` event. Made per exchange; an AbortController costs
 * several microseconds to make on Node 20, a large share of a proxied send (issue 15).
 */
export class DeadlineSignal extends EventEmitter {
  aborted = false;
  reason: unknown = undefined;

  abort(reason: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    this.emit('abort');
  }
}

/**
 * A total deadline over one exchange: headers and body (undici's own timeouts are idle timeouts, which
 * a provider that trickles one byte at a time never trips). `signal` aborts the request and its body
 * with PROVIDER_TIMEOUT; `clear` once the exchange is over.
 */
export function exchangeDeadline(ms: number): { signal: DeadlineSignal; clear: () => void } {
  const signal = new DeadlineSignal();
  const timer = setTimeout(() => signal.abort(new AppError('PROVIDER_TIMEOUT')), ms);
  return { signal, clear: () => clearTimeout(timer) };
}
