import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSecretBox } from '../../src/lib/secrets-at-rest.js';
import { rotateSecrets } from '../../src/services/secrets-upgrade.js';
import { customer } from '../helpers/app.js';
import { seedUser } from '../helpers/seed.js';
import { createAppWithSimulator } from '../helpers/sim.js';
import { openTestStore } from '../helpers/store.js';

const KEY_A = Buffer.alloc(32, 1);
const KEY_B = Buffer.alloc(32, 2);
let store: Awaited<ReturnType<typeof openTestStore>>;
beforeAll(async () => {
  store = await openTestStore();
});
afterAll(async () => {
  await store.close();
});

const row = async (sessionId: string) =>
  (
    await store.db.query<{ session_token: string; session_token_hash: string | null; webhook_secret: string | null }>(
      'SELECT session_token, session_token_hash, webhook_secret FROM wa_sessions WHERE session_id = $1',
      [sessionId],
    )
  ).rows[0]!;

/** Whether the gateway let the token through (each app has a fresh simulator, which may not know it). */
async function acceptedBy(app: Awaited<ReturnType<typeof createAppWithSimulator>>, token: string) {
  app.sim.clearRequests();
  const res = await app.app.inject({ url: '/v1/wa/session/status', headers: { token } });
  return res.statusCode !== 403 && app.sim.requests.some((r) => r.headers.token === token);
}

describe('secrets at rest', () => {
  let sessionId = '';
  let token = '';
  let apiKey = '';

  it('without a key (PostgreSQL on the Go environment) secrets stay plaintext, and readiness says so', async () => {
    const app = await createAppWithSimulator({ db: store.db, overrides: { encryptionKey: null } });
    try {
      ({ apiKey } = await seedUser(app.app));
      const res = await app.app.inject({
        method: 'POST',
        url: '/v1/sessions',
        headers: customer(apiKey),
        payload: { session_name: 'p', webhook_secret: 'w'.repeat(40) },
      });
      ({ session_id: sessionId, session_token: token } = res.json().session);
      expect(await row(sessionId)).toMatchObject({ session_token: token, session_token_hash: null, webhook_secret: 'w'.repeat(40) });
      expect(await acceptedBy(app, token)).toBe(true);
      const ready = (await app.app.inject({ url: '/ready' })).json();
      expect(JSON.stringify(ready)).toMatch(/ENCRYPTION_KEY not set/);
    } finally {
      await app.close();
    }
  });

  it('once a key is set they are encrypted in place at start-up and keep working', async () => {
    const app = await createAppWithSimulator({ db: store.db, overrides: { encryptionKey: KEY_A } });
    try {
      const stored = await row(sessionId);
      expect(stored.session_token).toMatch(/^enc:v1:/);
      expect(stored.webhook_secret).toMatch(/^enc:v1:/);
      expect(stored.session_token_hash).toBe(createSecretBox(KEY_A).lookupHash(token));
      expect(JSON.stringify(stored)).not.toContain(token);
      expect(await acceptedBy(app, token)).toBe(true);
      const listed = (await app.app.inject({ url: '/v1/sessions', headers: customer(apiKey) })).json().sessions[0];
      expect(listed.session_token).toBe(token);
      const created = await app.app.inject({
        method: 'POST',
        url: '/v1/sessions',
        headers: customer(apiKey),
        payload: { session_name: 'q' },
      });
      expect((await row(created.json().session.session_id)).session_token).toMatch(/^enc:v1:/);
    } finally {
      await app.close();
    }
  });

  it('a key rotation re-encrypts everything; the old key is refused at start-up, the new one finds the token', async () => {
    expect(await rotateSecrets(store.db, createSecretBox(KEY_A), createSecretBox(KEY_B))).toBeGreaterThanOrEqual(2);
    await expect(createAppWithSimulator({ db: store.db, overrides: { encryptionKey: KEY_A } })).rejects.toThrow(
      /does not decrypt the stored secrets/,
    );
    const app = await createAppWithSimulator({ db: store.db, overrides: { encryptionKey: KEY_B } });
    try {
      expect(await acceptedBy(app, token)).toBe(true);
      expect(createSecretBox(KEY_B).decrypt((await row(sessionId)).webhook_secret!)).toBe('w'.repeat(40));
    } finally {
      await app.close();
    }
  });
});
