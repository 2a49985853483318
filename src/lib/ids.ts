import type { Random } from './random.js';

/**
 * Keys and tokens in the Go service's format (go-service-api §4.4): `<prefix>_` and the unpadded
 * base64url of 32 random bytes, 47 characters in all. Kept so existing clients' validation holds.
 */
export function generateSecret(random: Random, prefix: 'gwa' | 'wat'): string {
  return `${prefix}_${random.bytes(32).toString('base64url')}`;
}

/** The first characters of a key, enough for a person to tell two keys apart, never enough to use. */
export function secretHint(secret: string): string {
  return `${secret.slice(0, 8)}…`;
}
