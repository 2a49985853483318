/**
 * B25 (go-service-api §12, public.go:580-613; models/core.go:100-101): "Stats use find-then-insert with no
 * unique key (races can duplicate rows). The event that never happened is stored with the zero timestamp.
 * No endpoint reads the stats."
 *
 * Gateway: statistics are counted in memory and written in one multi-row upsert on the unique key
 * (user_id, session_id, message_type), so parallel sends make one row per type with exact counts; an
 * event that never happened is NULL (and a legacy year-1 instant reads as null); the settings endpoint
 * returns them per type.
 */
import { describe, expect, it } from 'vitest';
import { customer } from '../helpers/app.js';
import { fileAppWithSimulator } from '../helpers/sim.js';
import { pairedSession, sendText } from '../routes/gateway/helpers.js';

const t = fileAppWithSimulator();

const statRows = async (sessionId: string) =>
  (
    await t.db.query<{ message_type: string; total_sent: number; last_failed_at: Date | null }>(
      'SELECT message_type, total_sent, last_failed_at FROM wa_session_message_stats WHERE session_id = $1 ORDER BY message_type',
      [sessionId],
    )
  ).rows;

describe('B25: one statistics row per type, no zero timestamps, and readable', () => {
  it('20 parallel sends over two flushes → one text row with 20 sent and no failure instant', async () => {
    const { token, sessionId, apiKey } = await pairedSession(t);
    await Promise.all(Array.from({ length: 10 }, () => sendText(t, token)));
    await t.deps.flushCounters();
    await Promise.all(Array.from({ length: 10 }, () => sendText(t, token)));
    await t.deps.flushCounters();
    expect(await statRows(sessionId)).toEqual([{ message_type: 'text', total_sent: 20, last_failed_at: null }]);
    const settings = (await t.app.inject({ url: `/v1/sessions/${sessionId}/settings`, headers: customer(apiKey) })).json();
    expect(settings.message_stats).toEqual({
      sent: 20,
      failed: 0,
      by_type: [{ message_type: 'text', sent: 20, failed: 0, last_success_at: expect.any(String), last_failed_at: null }],
    });
    expect(settings.message_stat_sent).toBe(20);
  });

  it('the store refuses a duplicate row; a legacy year-1 instant reads as null', async () => {
    const { sessionId, userId, apiKey } = await pairedSession(t);
    const insert = (at: string) =>
      t.db.query(
        `INSERT INTO wa_session_message_stats (user_id, session_id, message_type, total_sent, total_failed, last_success_at, last_failed_at)
      VALUES ($1, $2, 'image', 1, 0, '2026-01-01T00:00:00Z', $3)`,
        [userId, sessionId, at],
      );
    await insert('0001-01-01T00:00:00Z');
    await expect(insert('0001-01-01T00:00:00Z')).rejects.toThrow();
    const settings = (await t.app.inject({ url: `/v1/sessions/${sessionId}/settings`, headers: customer(apiKey) })).json();
    expect(settings.message_stats.by_type).toEqual([
      { message_type: 'image', sent: 1, failed: 0, last_success_at: '2026-01-01T00:00:00.000Z', last_failed_at: null },
    ]);
  });
});
