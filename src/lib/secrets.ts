import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/** Lower-case hex SHA-256: how the Go service stored customer keys, so adopted keys keep working. */
export function sha256Hex(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex');
}

/**
 * Constant-time string comparison (SPEC §8: the Go service compared keys with `==`). Both sides are
 * hashed first so that neither the content nor the length of the secret leaks through timing.
 */
export function safeEqual(a: string, b: string): boolean {
  const left = createHash('sha256').update(a, 'utf8').digest();
  const right = createHash('sha256').update(b, 'utf8').digest();
  return timingSafeEqual(left, right);
}

export function hmacSha256Hex(key: string | Buffer, body: string | Buffer): string {
  return createHmac('sha256', key).update(body).digest('hex');
}
