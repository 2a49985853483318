import { createHmac } from 'node:crypto';
import { hmacSha256Hex, safeEqual } from './secrets.js';

/**
 * Signature of a customer delivery: HMAC-SHA256 with the session's webhook secret over
 * `<id>.<timestamp>.<body>`, so neither the body nor its id and time can be changed or replayed
 * under another id (SPEC §6). Sent as `x-webhook-signature: v1=<hex>`. The body is signed as the
 * bytes that are sent.
 */
export function signDelivery(secret: string, id: string, timestamp: number, body: Buffer | string): string {
  return `v1=${createHmac('sha256', secret).update(`${id}.${timestamp}.`).update(body).digest('hex')}`;
}

export function verifyDelivery(secret: string, id: string, timestamp: number, body: Buffer | string, header: string): boolean {
  return safeEqual(signDelivery(secret, id, timestamp, body), header.trim());
}

/**
 * genfity-wa's `x-hmac-signature` of a body: lower-case hex HMAC-SHA256 of its raw bytes, keyed with
 * the plain key (contract §7). The gateway signs every delivery this way too (SPEC §10), so a
 * receiver written for genfity-wa verifies relayed events unchanged.
 */
export function signProviderBody(key: string, body: Buffer | string): string {
  return hmacSha256Hex(key, body);
}

/**
 * Checks a provider's `x-hmac-signature` over the raw body. The body may be given as the chunks it
 * arrived in, so a forged one is never copied into one piece.
 */
export function verifyProviderSignature(key: string, rawBody: Buffer | string | Buffer[], header: string | undefined): boolean {
  if (!header) return false;
  const hmac = createHmac('sha256', key);
  for (const chunk of Array.isArray(rawBody) ? rawBody : [rawBody]) hmac.update(chunk);
  return safeEqual(hmac.digest('hex'), header.trim().toLowerCase());
}
