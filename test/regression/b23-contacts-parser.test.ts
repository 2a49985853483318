/**
 * B23 (go-service-api §12, public.go:626-634, 672-682): "Contact format 1 treats **any** object-valued
 * top-level key as a JID. A wrapped answer such as `{"code":…,"data":{…},"success":…}` yields one contact
 * whose JID and phone are `data`. Names are read from `name`/`full_name` and the phone from `phone` only."
 *
 * Gateway: the provider's answer is unwrapped (`data` is the map keyed by JID), names come from
 * `FullName`, `PushName`, `BusinessName`, `FirstName` in that order, and the phone is the user part of a
 * phone JID (device suffix dropped; none for LIDs and groups).
 */
import { describe, expect, it } from 'vitest';
import { customer } from '../helpers/app.js';
import { fileAppWithSimulator } from '../helpers/sim.js';
import { pairedSession } from '../routes/gateway/helpers.js';

const t = fileAppWithSimulator();

describe('B23: the contacts answer is parsed as genfity-wa sends it', () => {
  it('envelope unwrapped, PascalCase names in order, phone from the JID', async () => {
    const { apiKey, sessionId } = await pairedSession(t);
    t.sim.setContacts(sessionId, {
      '6281111111111@s.whatsapp.net': { Found: true, FullName: 'Budi Santoso', PushName: 'budi', FirstName: 'Budi' },
      '6282222222222:12@s.whatsapp.net': { Found: true, PushName: 'Sari', FirstName: 'S' },
      '6283333333333@s.whatsapp.net': { Found: true, BusinessName: 'Toko Maju', FirstName: 'T' },
      '6284444444444@s.whatsapp.net': { Found: true, FirstName: 'Dewi' },
      '123456789@lid': { Found: true, PushName: 'Lid Person' },
    });
    const res = await t.app.inject({ url: `/v1/sessions/${sessionId}/contacts`, headers: customer(apiKey) });
    expect(res.statusCode).toBe(200);
    const got = res.json().contacts.map((c: { jid: string; name: string; phone: string }) => [c.jid, c.name, c.phone]);
    expect(got.sort()).toEqual([
      ['123456789@lid', 'Lid Person', ''],
      ['6281111111111@s.whatsapp.net', 'Budi Santoso', '6281111111111'],
      ['6282222222222:12@s.whatsapp.net', 'Sari', '6282222222222'],
      ['6283333333333@s.whatsapp.net', 'Toko Maju', '6283333333333'],
      ['6284444444444@s.whatsapp.net', 'Dewi', '6284444444444'],
    ]);
    expect(res.json().contacts.map((c: { jid: string }) => c.jid)).not.toContain('data');
    expect(res.json().contacts.find((c: { jid: string }) => c.jid === '6281111111111@s.whatsapp.net').raw).toMatchObject({
      FullName: 'Budi Santoso',
      Found: true,
    });
  });

  it('an empty address book gives no contacts (not one called "data")', async () => {
    const { apiKey, sessionId } = await pairedSession(t);
    t.sim.setContacts(sessionId, {});
    const res = await t.app.inject({ method: 'POST', url: `/v1/sessions/${sessionId}/contacts/sync`, headers: customer(apiKey) });
    expect(res.json()).toEqual({ synced: 0, added: 0, updated: 0, removed: 0, total: 0 });
  });
});
