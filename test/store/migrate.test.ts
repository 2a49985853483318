import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listMigrations, runMigrations } from '../../src/store/migrate.js';
import type { Db } from '../../src/store/index.js';
import { createTestDatabase, storeKind, type TestDatabase } from '../helpers/store.js';

let database: TestDatabase;
const dbs: Db[] = [];
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await Promise.all(dbs.map((d) => d.close()));
  await database.drop();
});

describe(`migrations (${storeKind})`, () => {
  it('are numbered, one per number', () => {
    const ids = listMigrations().map((m) => m.id);
    expect(ids.length).toBeGreaterThan(1);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('create the Go tables, including the j_id columns', async () => {
    const db = await database.open();
    dbs.push(db);
    expect(await runMigrations(db)).toEqual(listMigrations().map((m) => m.name));
    const { rows } = await db.query<{ table_name: string }>(
      "SELECT table_name FROM information_schema.columns WHERE column_name = 'j_id' ORDER BY table_name",
    );
    expect(rows.map((r) => r.table_name)).toEqual(['wa_session_contacts', 'wa_sessions']);
  });

  // On PostgreSQL: two pools, as two instances would have. PGlite is one process's own store, so
  // there the two runs share it and must still not apply anything twice.
  it('two instances migrating at once apply each migration once', async () => {
    const fresh = await createTestDatabase();
    const a = await fresh.open();
    const b = storeKind === 'postgres' ? await fresh.open() : a;
    try {
      const [ra, rb] = await Promise.all([runMigrations(a), runMigrations(b)]);
      expect([...ra, ...rb].sort()).toEqual(
        listMigrations()
          .map((m) => m.name)
          .sort(),
      );
      const { rows } = await a.query<{ n: number }>('SELECT count(*) AS n FROM gateway_migrations');
      expect(rows[0]!.n).toBe(listMigrations().length);
    } finally {
      await a.close();
      if (b !== a) await b.close();
      await fresh.drop();
    }
  });
});

describe(`migration 010, webhook_format (${storeKind})`, () => {
  it('sessions already relayed keep the envelope they had; the others, and queued bodies, carry on', async () => {
    const fresh = await createTestDatabase();
    const db = await fresh.open();
    try {
      const all = listMigrations();
      await runMigrations(
        db,
        all.filter((m) => m.id < 10),
      );
      await db.query(`INSERT INTO wa_sessions (user_id, session_id, session_token, status, relay_id) VALUES
        ('u', 'relayed', 't1', 'created', 'r1'), ('u', 'direct', 't2', 'created', NULL)`);
      await db.query(`INSERT INTO gateway_webhook_deliveries (event_id, session_row_id, user_id, session_id, event_type, url, body,
        next_attempt_at, created_at, updated_at) VALUES ('evt_old', 1, 'u', 'relayed', 'Message', 'https://example.com', '{"a":"é"}', now(), now(), now())`);
      expect(await runMigrations(db, all)).toEqual(all.filter((m) => m.id >= 10).map((m) => m.name));
      const { rows } = await db.query<{ session_id: string; webhook_format: string }>(
        'SELECT session_id, webhook_format FROM wa_sessions ORDER BY id',
      );
      expect(rows).toEqual([
        { session_id: 'relayed', webhook_format: 'envelope' },
        { session_id: 'direct', webhook_format: 'provider' },
      ]);
      const queued = await db.query<{ body: Uint8Array; content_type: string }>(
        'SELECT body, content_type FROM gateway_webhook_deliveries',
      );
      expect(Buffer.from(queued.rows[0]!.body).toString('utf8')).toBe('{"a":"é"}');
      expect(queued.rows[0]!.content_type).toBe('application/json');
    } finally {
      await db.close();
      await fresh.drop();
    }
  });
});
