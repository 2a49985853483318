import { reencrypt, type SecretBox } from '../lib/secrets-at-rest.js';
import { MAINTENANCE_STATEMENT_TIMEOUT_MS, type Db } from '../store/index.js';
import * as store from '../store/secrets.js';

const SEALED_PREFIX = 'enc:';
const BATCH = 500;

const sealAll = (box: SecretBox, row: store.SecretRow, rewrite: (stored: string) => string) => {
  const seal = (v: string | null) => (v ? rewrite(v) : v);
  const token = row.session_token ? box.decrypt(rewrite(row.session_token)) : null;
  return {
    id: row.id,
    session_token: seal(row.session_token),
    webhook_secret: seal(row.webhook_secret),
    relay_hmac_key: seal(row.relay_hmac_key),
    session_token_hash: token ? box.lookupHash(token) : null,
  };
};

/**
 * Refuses to start with a key that did not seal the stored secrets (a typo or a half-done rotation
 * would otherwise fail every token lookup and every webhook later, one request at a time).
 */
export async function assertKeyMatches(db: Db, box: SecretBox): Promise<void> {
  const sample = await store.findOneSealed(db, SEALED_PREFIX);
  if (sample === null) return;
  try {
    box.decrypt(sample);
  } catch {
    throw new Error('ENCRYPTION_KEY does not decrypt the stored secrets: it is not the key they were encrypted with');
  }
}

// A whole database rewritten in one transaction, and the lock another instance's rewrite holds: long waits.
const MAINTENANCE = { statementTimeoutMs: MAINTENANCE_STATEMENT_TIMEOUT_MS };

/**
 * Encrypts in place the secrets a database still holds in plaintext — an adopted Go database, or one
 * that ran without a key (issue 6) — and gives every token its lookup hash. Safe to run on every start
 * and by several instances at once; returns how many rows it changed.
 */
export async function encryptPlainSecrets(db: Db, box: SecretBox): Promise<number> {
  const toSealed = (v: string) => (box.isEncrypted(v) ? v : box.encrypt(v));
  return db.tx(async (q) => {
    await store.lockSecretRewrite(q);
    let changed = 0;
    for (let after = 0; ; ) {
      const rows = await store.listRowsWithPlainSecrets(q, SEALED_PREFIX, after, BATCH);
      if (rows.length === 0) return changed;
      for (const row of rows) await store.writeSecrets(q, sealAll(box, row, toSealed));
      changed += rows.length;
      after = rows[rows.length - 1]!.id;
    }
  }, MAINTENANCE);
}

/** Key rotation: every secret re-encrypted under `next`, every lookup hash recomputed. */
export async function rotateSecrets(db: Db, current: SecretBox, next: SecretBox): Promise<number> {
  return db.tx(async (q) => {
    await store.lockSecretRewrite(q);
    let changed = 0;
    for (let after = 0; ; ) {
      const rows = await store.listSecretRows(q, after, BATCH);
      if (rows.length === 0) return changed;
      for (const row of rows)
        await store.writeSecrets(
          q,
          sealAll(next, row, (v) => reencrypt(current, next, v)),
        );
      changed += rows.length;
      after = rows[rows.length - 1]!.id;
    }
  }, MAINTENANCE);
}
