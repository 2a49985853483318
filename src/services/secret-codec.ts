import type { SecretBox } from '../lib/secrets-at-rest.js';
import type { Db } from '../store/index.js';
import type { SessionRow } from '../store/sessions.js';

/**
 * Secrets at rest (SPEC §8, issue 6): session tokens, webhook secrets and relay keys are stored
 * encrypted when a key is configured, and tokens are found by a keyed hash so the hot path never
 * decrypts. Without a key (PostgreSQL, no ENCRYPTION_KEY) values stay as the Go service kept them.
 */
export interface SecretCodec {
  readonly enabled: boolean;
  seal(plain: string): string;
  /** Accepts sealed and legacy plaintext values alike. */
  open(stored: string): string;
  isSealed(stored: string): boolean;
  /** The lookup hash of a token, or null when tokens are stored in plaintext. */
  lookup(token: string): string | null;
}

/** The store, and the codec that seals the secrets its rows keep: what a service that reads or writes them stands on. */
export interface SealedStore {
  db: Db;
  codec: SecretCodec;
}

export function createSecretCodec(box: SecretBox | null): SecretCodec {
  if (!box) return { enabled: false, seal: (v) => v, open: (v) => v, isSealed: () => false, lookup: () => null };
  return {
    enabled: true,
    seal: (v) => box.encrypt(v),
    open: (v) => box.decrypt(v),
    isSealed: (v) => box.isEncrypted(v),
    lookup: (v) => box.lookupHash(v),
  };
}

const openNullable = (codec: SecretCodec, v: string | null) => (v === null || v === '' ? v : codec.open(v));

/** A session row with its secrets readable; everything else as stored. */
export function revealSession<T extends SessionRow>(codec: SecretCodec, row: T): T;
export function revealSession<T extends SessionRow>(codec: SecretCodec, row: T | null): T | null;
export function revealSession<T extends SessionRow>(codec: SecretCodec, row: T | null): T | null {
  if (!row || !codec.enabled) return row;
  return {
    ...row,
    session_token: openNullable(codec, row.session_token),
    webhook_secret: openNullable(codec, row.webhook_secret),
    relay_hmac_key: openNullable(codec, row.relay_hmac_key),
  };
}

/** The stored form of a webhook secret change (undefined: no change, null or '': cleared). */
export const sealOptional = (codec: SecretCodec, v: string | null | undefined) => (v ? codec.seal(v) : v);
