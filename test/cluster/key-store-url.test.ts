import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { keyStoreUrl } from '../../src/cluster-deps.js';
import { TEST_POSTGRES_URL } from '../helpers/store.js';

// Issue 13 item 2: Idempotency-Keys are written on a pool whose commits do not wait for the disk.
describe('the key store connection', () => {
  it('turns synchronous_commit off and keeps the options the operator gave', async () => {
    const url = new URL(TEST_POSTGRES_URL);
    url.searchParams.set('options', '-c application_name=ops-given');
    const client = new pg.Client({ connectionString: keyStoreUrl(url.toString()) });
    await client.connect();
    try {
      const { rows } = await client.query(
        "SELECT current_setting('synchronous_commit') AS commit, current_setting('application_name') AS app",
      );
      expect(rows[0]).toEqual({ commit: 'off', app: 'ops-given' });
    } finally {
      await client.end();
    }
  });
});
