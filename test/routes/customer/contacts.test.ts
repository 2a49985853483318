import { beforeEach, describe, expect, it } from 'vitest';
import { customer } from '../../helpers/app.js';
import { seedUser } from '../../helpers/seed.js';
import { fileAppWithSimulator } from '../../helpers/sim.js';
import { tenantIsolation } from '../../helpers/tenant-isolation.js';

const t = fileAppWithSimulator();
beforeEach(() => {
  t.sim.reset();
});

async function connectedSession() {
  const user = await seedUser(t.app);
  const res = await t.app.inject({
    method: 'POST',
    url: '/v1/sessions',
    headers: customer(user.apiKey),
    payload: { session_name: 's', auto_connect: true },
  });
  return { ...user, sessionId: res.json().session.session_id as string };
}
const listUrl = (id: string, query = '') => `/v1/sessions/${id}/contacts${query}`;
const syncUrl = (id: string) => `/v1/sessions/${id}/contacts/sync`;

const BOOK = {
  '6281111111111@s.whatsapp.net': { Found: true, FullName: 'Budi Santoso', PushName: 'budi', FirstName: 'Budi' },
  '6282222222222:12@s.whatsapp.net': { Found: true, PushName: 'Sari' },
  '6283333333333@s.whatsapp.net': { Found: true, BusinessName: 'Toko Maju' },
  '123456789@lid': { Found: true, FirstName: 'Lid Person' },
};

describe('contacts: happy', () => {
  it('GET syncs first and parses the provider map (data, PascalCase, phone from the JID)', async () => {
    const { apiKey, sessionId } = await connectedSession();
    t.sim.setContacts(sessionId, BOOK);
    const res = await t.app.inject({ url: listUrl(sessionId), headers: customer(apiKey) });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ synced: true, sync_error: null, sync: { added: 4, updated: 0, removed: 0, total: 4 } });
    const byJid = Object.fromEntries(body.contacts.map((c: { jid: string }) => [c.jid, c]));
    expect(byJid['6281111111111@s.whatsapp.net']).toMatchObject({ name: 'Budi Santoso', phone: '6281111111111', session_id: sessionId });
    expect(byJid['6282222222222:12@s.whatsapp.net']).toMatchObject({ name: 'Sari', phone: '6282222222222' });
    expect(byJid['6283333333333@s.whatsapp.net'].name).toBe('Toko Maju');
    expect(byJid['123456789@lid']).toMatchObject({ name: 'Lid Person', phone: '' });
    expect(byJid['6281111111111@s.whatsapp.net'].raw).toMatchObject({ FullName: 'Budi Santoso' });
    expect(body.contacts.some((c: { jid: string }) => c.jid === 'data')).toBe(false);
  });

  it('a second sync reports added, updated and removed and never duplicates (go-service-api B1)', async () => {
    const { apiKey, sessionId } = await connectedSession();
    t.sim.setContacts(sessionId, BOOK);
    await t.app.inject({ method: 'POST', url: syncUrl(sessionId), headers: customer(apiKey) });
    const { '6283333333333@s.whatsapp.net': _gone, ...rest } = BOOK;
    t.sim.setContacts(sessionId, {
      ...rest,
      '6281111111111@s.whatsapp.net': { FullName: 'Budi S.' },
      '6284444444444@s.whatsapp.net': { PushName: 'New' },
    });
    const res = await t.app.inject({ method: 'POST', url: syncUrl(sessionId), headers: customer(apiKey) });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ synced: 4, added: 1, updated: 1, removed: 1, total: 4 });
    const again = await t.app.inject({ method: 'POST', url: syncUrl(sessionId), headers: customer(apiKey) });
    expect(again.json()).toEqual({ synced: 4, added: 0, updated: 0, removed: 0, total: 4 });
    const { rows } = await t.db.query<{ n: number }>('SELECT count(*) AS n FROM wa_session_contacts WHERE session_id = $1', [sessionId]);
    expect(rows[0]!.n).toBe(4);
  });

  it('sync=false reads the cache without calling the provider; q searches name, phone and JID', async () => {
    const { apiKey, sessionId } = await connectedSession();
    t.sim.setContacts(sessionId, BOOK);
    await t.app.inject({ method: 'POST', url: syncUrl(sessionId), headers: customer(apiKey) });
    t.sim.clearRequests();
    for (const flag of ['false', 'FALSE', '0', 'no']) {
      const res = await t.app.inject({ url: listUrl(sessionId, `?sync=${flag}`), headers: customer(apiKey) });
      expect(res.json()).toMatchObject({ synced: false, sync: null });
      expect(res.json().contacts).toHaveLength(4);
    }
    expect(t.sim.requests).toEqual([]);
    const found = await t.app.inject({ url: listUrl(sessionId, '?sync=false&q=budi'), headers: customer(apiKey) });
    expect(found.json().contacts.map((c: { name: string }) => c.name)).toEqual(['Budi Santoso']);
    const byPhone = await t.app.inject({ url: listUrl(sessionId, '?sync=false&q=62833'), headers: customer(apiKey) });
    expect(byPhone.json().contacts.map((c: { name: string }) => c.name)).toEqual(['Toko Maju']);
  });
});

describe('contacts: text PostgreSQL refuses (issue 11 §7)', () => {
  it('a NUL or a lone surrogate in one contact is cleaned; the sync and every other contact go through', async () => {
    const { apiKey, sessionId } = await connectedSession();
    t.sim.setContacts(sessionId, {
      ...BOOK,
      '6285555555555@s.whatsapp.net': { Found: true, FullName: 'Nu\u0000ll', PushName: 'half \ud83d' },
      '6286666666666@s.whatsapp.net': { Found: true, PushName: 'low \udc00 surrogate \u{1F600}' },
      '6287777777777\u0000@s.whatsapp.net': { Found: true, FirstName: 'jid with a NUL' },
    });
    const sync = await t.app.inject({ method: 'POST', url: syncUrl(sessionId), headers: customer(apiKey) });
    expect(sync.statusCode).toBe(200);
    expect(sync.json()).toEqual({ synced: 7, added: 7, updated: 0, removed: 0, total: 7 });
    const again = await t.app.inject({ method: 'POST', url: syncUrl(sessionId), headers: customer(apiKey) });
    expect(again.json()).toEqual({ synced: 7, added: 0, updated: 0, removed: 0, total: 7 });
    const list = (await t.app.inject({ url: listUrl(sessionId, '?sync=false'), headers: customer(apiKey) })).json();
    const byJid = Object.fromEntries(list.contacts.map((c: { jid: string }) => [c.jid, c]));
    expect(byJid['6285555555555@s.whatsapp.net']).toMatchObject({
      name: 'Null',
      raw: { Found: true, FullName: 'Null', PushName: 'half \ufffd' },
    });
    expect(byJid['6286666666666@s.whatsapp.net'].name).toBe('low \ufffd surrogate \u{1F600}');
    expect(byJid['6287777777777@s.whatsapp.net']).toMatchObject({ name: 'jid with a NUL', phone: '6287777777777' });
    expect(byJid['6281111111111@s.whatsapp.net'].name).toBe('Budi Santoso');
  });
});

describe('contacts: errors', () => {
  it('GET with the provider down answers from the cache and says so', async () => {
    const { apiKey, sessionId } = await connectedSession();
    t.sim.setContacts(sessionId, BOOK);
    await t.app.inject({ method: 'POST', url: syncUrl(sessionId), headers: customer(apiKey) });
    t.sim.setDown(true);
    const res = await t.app.inject({ url: listUrl(sessionId), headers: customer(apiKey) });
    t.sim.setDown(false);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ synced: false, sync_error: 'provider unavailable', sync: null });
    expect(res.json().contacts).toHaveLength(4);
  });

  it('POST sync: provider down → 502, slow → 504, garbage → 502, provider error relayed; the cache is untouched', async () => {
    const { apiKey, sessionId } = await connectedSession();
    t.sim.setContacts(sessionId, BOOK);
    await t.app.inject({ method: 'POST', url: syncUrl(sessionId), headers: customer(apiKey) });
    t.sim.setContacts(sessionId, {});
    t.sim.setDown(true);
    expect((await t.app.inject({ method: 'POST', url: syncUrl(sessionId), headers: customer(apiKey) })).statusCode).toBe(502);
    t.sim.setDown(false);
    t.sim.setLatency(1500, '/user/contacts');
    expect((await t.app.inject({ method: 'POST', url: syncUrl(sessionId), headers: customer(apiKey) })).statusCode).toBe(504);
    t.sim.setLatency(0, '/user/contacts');
    t.sim.setGarbage('/user/contacts', 1);
    expect((await t.app.inject({ method: 'POST', url: syncUrl(sessionId), headers: customer(apiKey) })).json().code).toBe(
      'PROVIDER_BAD_RESPONSE',
    );
    t.sim.failNext('/user/contacts', { status: 500, body: { code: 500, error: 'no session', success: false } });
    const relayed = await t.app.inject({ method: 'POST', url: syncUrl(sessionId), headers: customer(apiKey) });
    expect(relayed.statusCode).toBe(500);
    expect(relayed.json()).toEqual({ code: 500, error: 'no session', success: false });
    const { rows } = await t.db.query<{ n: number }>('SELECT count(*) AS n FROM wa_session_contacts WHERE session_id = $1', [sessionId]);
    expect(rows[0]!.n).toBe(4);
  });

  it('unknown session → 404', async () => {
    const { apiKey } = await connectedSession();
    for (const [method, url] of [
      ['GET', listUrl('nope')],
      ['POST', syncUrl('nope')],
    ] as const) {
      expect((await t.app.inject({ method, url, headers: customer(apiKey) })).statusCode).toBe(404);
    }
  });
});

describe('contacts: tenant isolation', () => {
  it.each([
    { method: 'GET', url: (id: string) => listUrl(id) },
    { method: 'POST', url: syncUrl },
  ] as const)('$method', async (route) => {
    const owner = await connectedSession();
    const other = await seedUser(t.app);
    await tenantIsolation({ app: t.app, sim: t.sim, sessionId: owner.sessionId, otherKey: other.apiKey, now: t.clock.now() }, route);
  });
});
