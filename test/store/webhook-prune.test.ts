import { describe, expect, it } from 'vitest';
import { pruneWebhookRecords } from '../../src/store/webhooks.js';
import { fileStore, storeKind } from '../helpers/store.js';

const db = fileStore();

const OLD = '2026-06-01T00:00:00Z';
const CUT = new Date('2026-06-02T00:00:00Z');
const RECENT = '2026-06-03T00:00:00Z';

/** `n` outbox rows of one status, last touched at `at`. */
async function deliveries(n: number, status: string, at: string) {
  await db.query(
    `INSERT INTO gateway_webhook_deliveries (event_id, session_row_id, user_id, session_id, event_type, url, body, status,
       next_attempt_at, created_at, updated_at)
     SELECT 'e' || g, 1, 'u', 's', 'Message', 'https://hooks.example.com/', convert_to('{}', 'UTF8'), $2, $3, $3, $3
     FROM generate_series(1, $1::int) AS g`,
    [n, status, at],
  );
}

/** `n` provider events received at `at`, processed or not. */
async function events(n: number, processed: boolean, at: string) {
  await db.query(
    `INSERT INTO gateway_webhook_events (session_row_id, event_key, event_type, payload, received_at, processed_at)
     SELECT 1, 'k' || g, 'Message', '{}'::jsonb, $2, CASE WHEN $3::boolean THEN $2::timestamptz END
     FROM generate_series(1, $1::int) AS g`,
    [n, at, processed],
  );
}

const count = async (sql: string) => Number((await db.query<{ n: string }>(sql)).rows[0]!.n);

describe(`pruning the outbox and the event log (${storeKind})`, () => {
  it('removes every finished record past the cut-off, batch by batch, and nothing pending, unprocessed or recent', async () => {
    await deliveries(23, 'delivered', OLD);
    await deliveries(4, 'failed', OLD);
    await deliveries(3, 'pending', OLD);
    await deliveries(2, 'delivered', RECENT);
    await events(17, true, OLD);
    await events(2, false, OLD);
    await events(3, true, RECENT);

    // Batches of 5: 27 finished deliveries take six statements, 17 events four; all of them go.
    expect(await pruneWebhookRecords(db, CUT, CUT, 5)).toBe(27 + 17);

    const left = await db.query<{ status: string; updated_at: Date }>(
      'SELECT status, updated_at FROM gateway_webhook_deliveries ORDER BY status, updated_at',
    );
    expect(left.rows.map((r) => [r.status, r.updated_at.toISOString()])).toEqual([
      ['delivered', '2026-06-03T00:00:00.000Z'],
      ['delivered', '2026-06-03T00:00:00.000Z'],
      ['pending', '2026-06-01T00:00:00.000Z'],
      ['pending', '2026-06-01T00:00:00.000Z'],
      ['pending', '2026-06-01T00:00:00.000Z'],
    ]);
    expect(await count('SELECT count(*) AS n FROM gateway_webhook_events WHERE processed_at IS NULL')).toBe(2);
    expect(await count('SELECT count(*) AS n FROM gateway_webhook_events WHERE processed_at IS NOT NULL')).toBe(3);
    // A second pass finds nothing left to do.
    expect(await pruneWebhookRecords(db, CUT, CUT, 5)).toBe(0);
  });
});
