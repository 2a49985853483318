import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createSecretBox, loadOrCreateKeyFile, reencrypt, rotateSecret, SecretDecryptError } from '../../src/lib/secrets-at-rest.js';
import type { Random } from '../../src/lib/random.js';

const keyA = Buffer.alloc(32, 1);
const keyB = Buffer.alloc(32, 2);

/** Counts up, so each call is distinct and a test can predict it. */
function countingRandom(): Random & { calls: number } {
  const source = { calls: 0, bytes: (n: number) => Buffer.alloc(n, ++source.calls) };
  return source;
}

describe('createSecretBox', () => {
  const box = createSecretBox(keyA);

  it.each(['', 'a', 'session-token-0123456789abcdef', 'ünïcødé ✓ 🔑', 'x'.repeat(10_000)])('round-trips %#', (plaintext) => {
    const stored = box.encrypt(plaintext);
    expect(stored).toMatch(/^enc:v1:[A-Za-z0-9_-]{16}:[A-Za-z0-9_-]+$/);
    expect(box.isEncrypted(stored)).toBe(true);
    expect(box.decrypt(stored)).toBe(plaintext);
  });

  it('uses a fresh IV for every encryption, so equal secrets do not look equal', () => {
    const random = countingRandom();
    const counted = createSecretBox(keyA, random);
    const [first, second] = [counted.encrypt('same'), counted.encrypt('same')];
    expect(first).not.toBe(second);
    expect(first.split(':')[2]).toBe(Buffer.alloc(12, 1).toString('base64url'));
    expect(second.split(':')[2]).toBe(Buffer.alloc(12, 2).toString('base64url'));
    expect(box.encrypt('same')).not.toBe(box.encrypt('same'));
  });

  it('detects a modified ciphertext, tag or IV', () => {
    const stored = box.encrypt('secret value');
    const [, , iv = '', body = ''] = stored.split(':');
    const flip = (text: string, at: number) => {
      const bytes = Buffer.from(text, 'base64url');
      bytes[at] = (bytes[at] ?? 0) ^ 1;
      return bytes.toString('base64url');
    };
    for (const tampered of [
      `enc:v1:${iv}:${flip(body, 0)}`,
      `enc:v1:${iv}:${flip(body, Buffer.from(body, 'base64url').length - 1)}`,
      `enc:v1:${flip(iv, 5)}:${body}`,
    ]) {
      expect(() => box.decrypt(tampered)).toThrow(SecretDecryptError);
      expect(() => box.decrypt(tampered)).toThrow(/modified or encrypted under another key/);
    }
  });

  it('refuses a value encrypted under another key', () => {
    expect(() => createSecretBox(keyB).decrypt(box.encrypt('secret'))).toThrow(SecretDecryptError);
  });

  it.each(['enc:v1:', 'enc:v1:short:body', 'enc:v1:AAAAAAAAAAAAAAAA:AAAA', `enc:v1:AAAAAAAAAAAAAAAA:${'A'.repeat(22)}!`])(
    'refuses a damaged enc:v1 value %j instead of passing it off as plaintext',
    (stored) => {
      expect(box.isEncrypted(stored)).toBe(false);
      expect(() => box.decrypt(stored)).toThrow(/damaged/);
    },
  );

  it.each(['legacy-plaintext-token', '', 'enc:something-else', 'ENC:v1:AAAA', 'enc:v2:x:y'])(
    'passes legacy plaintext %j through',
    (stored) => {
      expect(box.isEncrypted(stored)).toBe(false);
      expect(box.decrypt(stored)).toBe(stored);
    },
  );

  it('gives a stable, key-dependent lookup hash that is not a plain hash of the value', () => {
    const hash = box.lookupHash('token-1');
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(createSecretBox(keyA).lookupHash('token-1')).toBe(hash);
    expect(box.lookupHash('token-2')).not.toBe(hash);
    expect(createSecretBox(keyB).lookupHash('token-1')).not.toBe(hash);
  });

  it('never uses the main key itself as the HMAC key (HKDF separates the two uses)', async () => {
    const { createHmac } = await import('node:crypto');
    expect(box.lookupHash('v')).not.toBe(createHmac('sha256', keyA).update('v').digest('hex'));
  });

  it('refuses a key that is not 32 bytes', () => {
    expect(() => createSecretBox(Buffer.alloc(16))).toThrow(/32 bytes/);
  });
});

describe('key rotation', () => {
  const oldBox = createSecretBox(keyA);
  const newBox = createSecretBox(keyB);

  it('re-encrypts under the new key', () => {
    const rotated = reencrypt(oldBox, newBox, oldBox.encrypt('tok'));
    expect(newBox.decrypt(rotated)).toBe('tok');
    expect(() => oldBox.decrypt(rotated)).toThrow(SecretDecryptError);
  });

  it('encrypts legacy plaintext on the way', () => {
    const rotated = reencrypt(oldBox, newBox, 'legacy');
    expect(newBox.isEncrypted(rotated)).toBe(true);
    expect(newBox.decrypt(rotated)).toBe('legacy');
  });

  it('leaves a value already under the new key as it is, so a stopped rotation can be rerun', () => {
    const done = newBox.encrypt('tok');
    expect(reencrypt(oldBox, newBox, done)).toBe(done);
  });

  it('refuses a value neither key opens', () => {
    expect(() => reencrypt(oldBox, newBox, createSecretBox(Buffer.alloc(32, 3)).encrypt('x'))).toThrow(SecretDecryptError);
  });

  it('rotateSecret also gives the lookup hash under the new key', () => {
    const result = rotateSecret(oldBox, newBox, oldBox.encrypt('tok'));
    expect(newBox.decrypt(result.stored)).toBe('tok');
    expect(result.lookupHash).toBe(newBox.lookupHash('tok'));
    expect(rotateSecret(oldBox, newBox, result.stored)).toEqual(result);
  });
});

describe('loadOrCreateKeyFile', () => {
  const dirs: string[] = [];
  const tempDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'wa-gw-key-'));
    dirs.push(dir);
    return dir;
  };
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('creates the key once with mode 0600 and reuses it', () => {
    const dataDir = join(tempDir(), 'nested', 'data');
    const first = loadOrCreateKeyFile(dataDir);
    const path = join(dataDir, 'encryption.key');
    expect(first).toHaveLength(32);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(Buffer.from(readFileSync(path, 'utf8').trim(), 'base64')).toEqual(first);
    expect(loadOrCreateKeyFile(dataDir)).toEqual(first);
    expect(readdirSync(dataDir)).toEqual(['encryption.key']);
  });

  it('takes its bytes from the injected random source', () => {
    const random = countingRandom();
    const key = loadOrCreateKeyFile(tempDir(), random);
    expect(key).toEqual(Buffer.alloc(32, 2));
  });

  it('keeps an existing key, in base64 or hex', () => {
    const dir = tempDir();
    const key = randomBytes(32);
    writeFileSync(join(dir, 'encryption.key'), `${key.toString('hex')}\n`, { mode: 0o600 });
    expect(loadOrCreateKeyFile(dir)).toEqual(key);
  });

  it('refuses a key file that does not hold 32 bytes, and does not overwrite it', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'encryption.key'), 'too-short');
    expect(() => loadOrCreateKeyFile(dir)).toThrow(/32-byte key/);
    expect(readFileSync(join(dir, 'encryption.key'), 'utf8')).toBe('too-short');
  });

  it('encrypts with the loaded key across restarts', () => {
    const dir = tempDir();
    const stored = createSecretBox(loadOrCreateKeyFile(dir)).encrypt('survives a restart');
    expect(existsSync(join(dir, 'encryption.key'))).toBe(true);
    expect(createSecretBox(loadOrCreateKeyFile(dir)).decrypt(stored)).toBe('survives a restart');
  });
});
