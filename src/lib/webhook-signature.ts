import { createHmac } from 'node:crypto';
import { hmacSha256Hex, safeEqual } from './secrets.js';

/**
 * Signature of a customer delivery: HMAC-SHA256 with the session's webhook secret over
 * `<id>.<timestamp>.<body>`, so neither the body nor its id and time can be changed or replayed
 * under another id (SPEC §6). Sent as `x-webhook-signature: v1=<hex>`.
 */
export function signDelivery(secret: string, id: string, timestamp: number, body: string): string {
  return `v1=${hmacSha256Hex(secret, `${id}.${timestamp}.${body}`)}`;
}

export function verifyDelivery(secret: string, id: string, timestamp: number, body: string, header: string): boolean {
  return safeEqual(signDelivery(secret, id, timestamp, body), header.trim());
}

/**
 * The provider's `x-hmac-signature`: lower-case hex HMAC-SHA256 of the raw body (contract §7). The body
 * may be given as the chunks it arrived in, so a forged one is never copied into one piece.
 */
export function verifyProviderSignature(key: string, rawBody: Buffer | string | Buffer[], header: string | undefined): boolean {
  if (!header) return false;
  const hmac = createHmac('sha256', key);
  for (const chunk of Array.isArray(rawBody) ? rawBody : [rawBody]) hmac.update(chunk);
  return safeEqual(hmac.digest('hex'), header.trim().toLowerCase());
}
