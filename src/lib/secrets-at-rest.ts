import { createCipheriv, createDecipheriv, createHmac, hkdfSync } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Random, systemRandom } from './random.js';

/**
 * Secrets at rest (SPEC §8: the Go service stored session tokens in plaintext; §9 ENCRYPTION_KEY).
 * Values read back are either `enc:v1:…` or legacy plaintext written by the Go service, so both
 * kinds can sit in one column while a database is being migrated.
 */
export interface SecretBox {
  /** AES-256-GCM with a fresh 96-bit IV per call: `enc:v1:<base64url iv>:<base64url ciphertext+tag>`. */
  encrypt(plaintext: string): string;
  /**
   * Accepts values from encrypt(); a value that is not in that format is returned unchanged (legacy plaintext).
   * Throws SecretDecryptError when the value was modified, was encrypted under another key, or is a
   * damaged `enc:v1:` value (never handed back as if it were plaintext).
   */
  decrypt(stored: string): string;
  isEncrypted(stored: string): boolean;
  /** Keyed hash for lookups (HMAC-SHA256 under a key derived from the main key, hex), so a token never needs decrypting on the hot path. */
  lookupHash(value: string): string;
}

export class SecretDecryptError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SecretDecryptError';
  }
}

const PREFIX = 'enc:v1:';
const FORMAT = /^enc:v1:([A-Za-z0-9_-]{16}):([A-Za-z0-9_-]{22,})$/;
const IV_BYTES = 12;
const TAG_BYTES = 16;
// The version is authenticated too, so a v1 body cannot be replayed under a later format's rules.
const AAD = Buffer.from('enc:v1', 'utf8');

/**
 * Two keys derived with HKDF-SHA256, one per use, so an HMAC output can never help an attack on
 * the cipher or the other way round; the main key itself is used for nothing else.
 */
function deriveKey(mainKey: Buffer, purpose: string): Buffer {
  return Buffer.from(hkdfSync('sha256', mainKey, Buffer.alloc(0), `wa-support-gateway ${purpose}`, 32));
}

export function createSecretBox(key: Buffer, random: Random = systemRandom): SecretBox {
  if (key.length !== 32) throw new Error(`encryption key must be 32 bytes, got ${key.length}`);
  const cipherKey = deriveKey(key, 'secrets-at-rest aes-256-gcm v1');
  const lookupKey = deriveKey(key, 'lookup-hash hmac-sha256 v1');

  function encrypt(plaintext: string): string {
    const iv = random.bytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', cipherKey, iv).setAAD(AAD);
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]);
    return `${PREFIX}${iv.toString('base64url')}:${body.toString('base64url')}`;
  }

  function decrypt(stored: string): string {
    if (!stored.startsWith(PREFIX)) return stored;
    const parts = FORMAT.exec(stored);
    const iv = Buffer.from(parts?.[1] ?? '', 'base64url');
    const body = Buffer.from(parts?.[2] ?? '', 'base64url');
    if (iv.length !== IV_BYTES || body.length < TAG_BYTES) {
      throw new SecretDecryptError('stored secret is damaged: not a valid enc:v1 value');
    }
    const decipher = createDecipheriv('aes-256-gcm', cipherKey, iv).setAAD(AAD);
    decipher.setAuthTag(body.subarray(body.length - TAG_BYTES));
    try {
      return Buffer.concat([decipher.update(body.subarray(0, body.length - TAG_BYTES)), decipher.final()]).toString('utf8');
    } catch {
      throw new SecretDecryptError('stored secret failed authentication: it was modified or encrypted under another key');
    }
  }

  return {
    encrypt,
    decrypt,
    isEncrypted: (stored) => FORMAT.test(stored),
    lookupHash: (value) => createHmac('sha256', lookupKey).update(value, 'utf8').digest('hex'),
  };
}

/**
 * Key rotation, one stored value at a time: decrypts under the old key (or takes legacy plaintext
 * as it is) and encrypts under the new one. A value the new key already opens is returned as it
 * is, so a rotation that stopped half-way can simply be run again.
 */
export function reencrypt(oldBox: SecretBox, newBox: SecretBox, stored: string): string {
  return rotateSecret(oldBox, newBox, stored).stored;
}

/**
 * reencrypt() for a value that also has a lookup column: the hash is keyed too, so it changes with
 * the key and has to be rewritten in the same update.
 */
export function rotateSecret(oldBox: SecretBox, newBox: SecretBox, stored: string): { stored: string; lookupHash: string } {
  if (opens(newBox, stored)) return { stored, lookupHash: newBox.lookupHash(newBox.decrypt(stored)) };
  const plaintext = oldBox.decrypt(stored);
  return { stored: newBox.encrypt(plaintext), lookupHash: newBox.lookupHash(plaintext) };
}

function opens(box: SecretBox, stored: string): boolean {
  if (!box.isEncrypted(stored)) return false;
  try {
    box.decrypt(stored);
    return true;
  } catch {
    return false;
  }
}

export const KEY_FILE_NAME = 'encryption.key';

/**
 * Reads `<dataDir>/encryption.key` or creates it (32 random bytes, file mode 0600) on first start
 * (SPEC §9: generated into DATA_DIR on the embedded store). The file holds the key as base64, the
 * form ENCRYPTION_KEY accepts, so an operator can move it into the environment. Creation is
 * write-to-temp then hard-link, so two processes starting together end up with the same key and
 * neither can read a half-written file.
 */
export function loadOrCreateKeyFile(dataDir: string, random: Random = systemRandom): Buffer {
  const path = join(dataDir, KEY_FILE_NAME);
  const existing = tryRead(path);
  if (existing !== null) return parseKeyFile(existing, path);
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const temp = join(dataDir, `.${KEY_FILE_NAME}.${random.bytes(8).toString('hex')}.tmp`);
  writeFileSync(temp, `${random.bytes(32).toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
  try {
    linkSync(temp, path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    unlinkSync(temp);
  }
  return parseKeyFile(readFileSync(path, 'utf8'), path);
}

function tryRead(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

function parseKeyFile(text: string, path: string): Buffer {
  const value = text.trim();
  const key = /^[0-9a-fA-F]{64}$/.test(value) ? Buffer.from(value, 'hex') : Buffer.from(value, 'base64');
  if (key.length !== 32) throw new Error(`${path}: must hold a 32-byte key as base64 or 64 hex characters`);
  return key;
}
