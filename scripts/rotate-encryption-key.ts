// Re-encrypts every stored secret under a new key and recomputes every token's lookup hash (issue 6).
// Usage: NEW_ENCRYPTION_KEY=<64 hex or base64> npm run rotate-key   — with the gateway's usual
// environment (ENCRYPTION_KEY, DATABASE_URL/DB_* or DATA_DIR). Stop the gateway instances first,
// then start them with ENCRYPTION_KEY set to the new key (on the embedded store the key file is
// replaced here).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig, readEnvironment } from '../src/config.js';
import { createSecretBox, KEY_FILE_NAME, loadOrCreateKeyFile } from '../src/lib/secrets-at-rest.js';
import { rotateSecrets } from '../src/services/secrets-upgrade.js';
import { openStore } from '../src/store/index.js';

async function main() {
  const environment = readEnvironment();
  const config = loadConfig(environment);
  const fresh = loadConfig({ ENCRYPTION_KEY: environment.NEW_ENCRYPTION_KEY ?? '' }).encryptionKey;
  if (!fresh) throw new Error('NEW_ENCRYPTION_KEY must be set: 32 bytes as 64 hex characters or base64');
  const current = config.encryptionKey ?? (config.store.kind === 'pglite' ? loadOrCreateKeyFile(config.env.DATA_DIR) : null);
  if (!current)
    throw new Error('no current key: set ENCRYPTION_KEY (secrets in plaintext are encrypted by starting the gateway with a key)');
  const db = await openStore(config.store, config.storeTimeouts);
  try {
    const changed = await rotateSecrets(db, createSecretBox(current), createSecretBox(fresh));
    if (config.store.kind === 'pglite' && !config.encryptionKey) {
      writeFileSync(join(config.env.DATA_DIR, KEY_FILE_NAME), fresh.toString('base64'), { mode: 0o600 });
    }
    process.stdout.write(`re-encrypted ${changed} session rows; now run the gateway with the new key\n`);
  } finally {
    await db.close();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
