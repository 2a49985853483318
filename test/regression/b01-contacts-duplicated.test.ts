/**
 * B1 (go-service-api §12, public.go:685 vs models/core.go:114): "The contact lookup filters on column
 * `jid`, but the created column is `j_id` … a new row is inserted every time. Each sync, including every
 * `GET …/contacts` with the default `sync=true`, duplicates all contacts."
 *
 * Gateway: a sync makes the cache equal to the provider's list (one row per JID, unique key
 * (user_id, session_id, j_id)) and reports added/updated/removed; syncing again changes nothing.
 */
import { describe, expect, it } from 'vitest';
import { customer } from '../helpers/app.js';
import { fileAppWithSimulator } from '../helpers/sim.js';
import { pairedSession } from '../routes/gateway/helpers.js';

const t = fileAppWithSimulator();

const BOOK = {
  '6281111111111@s.whatsapp.net': { Found: true, FullName: 'Budi Santoso' },
  '6282222222222@s.whatsapp.net': { Found: true, PushName: 'Sari' },
};
const rowCount = async (sessionId: string) =>
  (await t.db.query<{ n: number }>('SELECT count(*) AS n FROM wa_session_contacts WHERE session_id = $1', [sessionId])).rows[0]!.n;

describe('B1: contacts are never duplicated by a sync', () => {
  it('two POST syncs and two GETs (sync=true by default) keep one row per contact', async () => {
    const { apiKey, sessionId } = await pairedSession(t);
    t.sim.setContacts(sessionId, BOOK);
    const sync = () => t.app.inject({ method: 'POST', url: `/v1/sessions/${sessionId}/contacts/sync`, headers: customer(apiKey) });
    expect((await sync()).json()).toEqual({ synced: 2, added: 2, updated: 0, removed: 0, total: 2 });
    expect((await sync()).json()).toEqual({ synced: 2, added: 0, updated: 0, removed: 0, total: 2 });
    for (let i = 0; i < 2; i += 1) {
      const listed = await t.app.inject({ url: `/v1/sessions/${sessionId}/contacts`, headers: customer(apiKey) });
      expect(listed.json()).toMatchObject({ synced: true, sync: { added: 0, updated: 0, removed: 0, total: 2 } });
      expect(
        listed
          .json()
          .contacts.map((c: { jid: string }) => c.jid)
          .sort(),
      ).toEqual(Object.keys(BOOK).sort());
    }
    expect(await rowCount(sessionId)).toBe(2);
  });

  it('the cache follows the provider: a contact it no longer lists is removed, a renamed one updated in place', async () => {
    const { apiKey, sessionId } = await pairedSession(t);
    t.sim.setContacts(sessionId, BOOK);
    await t.app.inject({ method: 'POST', url: `/v1/sessions/${sessionId}/contacts/sync`, headers: customer(apiKey) });
    t.sim.setContacts(sessionId, { '6281111111111@s.whatsapp.net': { Found: true, FullName: 'Budi S.' } });
    const res = await t.app.inject({ method: 'POST', url: `/v1/sessions/${sessionId}/contacts/sync`, headers: customer(apiKey) });
    expect(res.json()).toEqual({ synced: 1, added: 0, updated: 1, removed: 1, total: 1 });
    expect(await rowCount(sessionId)).toBe(1);
  });

  it('the store refuses a second row for the same JID of a session', async () => {
    const { userId, sessionId } = await pairedSession(t);
    const insert = () =>
      t.db.query("INSERT INTO wa_session_contacts (user_id, session_id, j_id) VALUES ($1, $2, 'dup@s.whatsapp.net')", [userId, sessionId]);
    await insert();
    await expect(insert()).rejects.toThrow();
  });
});
