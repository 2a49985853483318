/**
 * B11 (go-service-api §12, public.go:218-221): "The local row is deleted only on a provider 2xx. A
 * session already gone on the provider (provider 4xx) can never be deleted locally through the API.
 * Contacts and stats rows are never deleted."
 *
 * Gateway: a session the provider no longer knows (404 on the full delete) is still deleted here (200),
 * and a delete removes the session's contacts and statistics with it. A provider that fails (5xx) is
 * relayed and the row kept, so it can be retried. A missing session is 404 (the Go service said 403;
 * govconnect treats 404 as "already gone").
 */
import { describe, expect, it } from 'vitest';
import { customer } from '../helpers/app.js';
import { fileAppWithSimulator, SIM_ADMIN_TOKEN } from '../helpers/sim.js';
import { pairedSession } from '../routes/gateway/helpers.js';

const t = fileAppWithSimulator();

const remove = (apiKey: string, id: string) => t.app.inject({ method: 'DELETE', url: `/v1/sessions/${id}`, headers: customer(apiKey) });
const count = async (table: string, sessionId: string) =>
  (await t.db.query<{ n: number }>(`SELECT count(*) AS n FROM ${table} WHERE session_id = $1`, [sessionId])).rows[0]!.n;

describe('B11: a session can always be deleted, with what hangs off it', () => {
  it('gone on the provider already → 200, and the row, contacts and stats are removed', async () => {
    const { apiKey, userId, sessionId, token } = await pairedSession(t);
    t.sim.setContacts(sessionId, { '6281111111111@s.whatsapp.net': { FullName: 'Budi' } });
    await t.app.inject({ method: 'POST', url: `/v1/sessions/${sessionId}/contacts/sync`, headers: customer(apiKey) });
    await t.app.inject({
      method: 'POST',
      url: '/v1/wa/chat/send/text',
      headers: { token, 'content-type': 'application/json' },
      payload: { Phone: '6281234567890', Body: 'x' },
    });
    await t.deps.flushCounters();
    expect(await count('wa_session_contacts', sessionId)).toBe(1);
    expect(await count('wa_session_message_stats', sessionId)).toBe(1);
    // Someone removed the session on genfity-wa directly.
    const gone = await fetch(`${t.sim.url}/admin/users/${sessionId}/full`, {
      method: 'DELETE',
      headers: { authorization: SIM_ADMIN_TOKEN },
    });
    expect(gone.status).toBe(200);
    const res = await remove(apiKey, sessionId);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ message: 'session deleted', code: 'SESSION_DELETED' });
    for (const table of ['wa_sessions', 'wa_session_contacts', 'wa_session_message_stats'])
      expect(await count(table, sessionId), table).toBe(0);
    expect((await t.app.inject({ url: '/v1/sessions', headers: customer(apiKey) })).json().sessions).toEqual([]);
    expect((await t.db.query('SELECT 1 FROM wa_service_users WHERE id = $1', [userId])).rows).toHaveLength(1);
  });

  it('a provider failure is relayed and the session kept for a retry; then the retry deletes it', async () => {
    const { apiKey, sessionId } = await pairedSession(t);
    t.sim.failNext('/admin/users', { status: 500, body: { code: 500, error: 'failed to delete user', success: false } });
    const failed = await remove(apiKey, sessionId);
    expect(failed.statusCode).toBe(500);
    expect(failed.json()).toEqual({ code: 500, error: 'failed to delete user', success: false });
    expect(await count('wa_sessions', sessionId)).toBe(1);
    expect((await remove(apiKey, sessionId)).statusCode).toBe(200);
    expect(await count('wa_sessions', sessionId)).toBe(0);
    expect(t.sim.findUserById(sessionId)).toBeUndefined();
  });

  it('a session that does not exist → 404', async () => {
    const { apiKey } = await pairedSession(t);
    const res = await remove(apiKey, 'no-such-session');
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({ message: 'session not found', code: 'SESSION_NOT_FOUND' });
  });
});
