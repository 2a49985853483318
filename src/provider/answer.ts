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
 * A total deadline over one exchange: headers and body (undici's own timeouts are idle timeouts, which
 * a provider that trickles one byte at a time never trips). `signal` aborts the request and its body
 * with PROVIDER_TIMEOUT; `clear` once the exchange is over.
 */
export function exchangeDeadline(ms: number): { signal: AbortSignal; clear: () => void } {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new AppError('PROVIDER_TIMEOUT')), ms);
  return { signal: controller.signal, clear: () => clearTimeout(timer) };
}
