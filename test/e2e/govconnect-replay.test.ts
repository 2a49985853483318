import { describe, expect, it } from 'vitest';
import { fileAppWithSimulator } from '../helpers/sim.js';

// Issue 3 §7: the exact requests govconnect's channel service sends, in its order, asserting every
// field it reads (reference/real-clients.md, Client 1, including the newer revision 5590534).
const GOVCONNECT_KEY_ENV = 'govconnect:govconnect2026';
const internalHeaders = {
  'content-type': 'application/json',
  'x-internal-api-key': GOVCONNECT_KEY_ENV.slice(GOVCONNECT_KEY_ENV.indexOf(':') + 1),
};
const EVENTS = [
  'Message',
  'MessageSent',
  'ReadReceipt',
  'Presence',
  'ChatPresence',
  'HistorySync',
  'Connected',
  'Disconnected',
  'ConnectFailure',
  'LoggedOut',
  'PairSuccess',
  'QR',
  'Receipt',
  'CallOffer',
  'CallAccept',
  'CallTerminate',
  'CallOfferNotice',
  'CallRelayLatency',
  'UndecryptableMessage',
  'GroupInfo',
  'JoinedGroup',
  'Picture',
].join(',');

const t = fileAppWithSimulator({ env: { INTERNAL_API_KEYS: `${GOVCONNECT_KEY_ENV},some-global` } });

describe('govconnect channel-service replay', () => {
  const villageId = 'clx9village0001';
  let apiKey = '';
  let sessionId = '';

  it('GET /internal/me (health check)', async () => {
    const res = await t.app.inject({ url: '/internal/me', headers: internalHeaders });
    expect(res.statusCode).toBe(200);
  });

  it('ensureWaSupportUser: upsert, then rotate when api_key is ""', async () => {
    const body = {
      user_id: villageId,
      source: 'govconnect',
      expires_at: '2099-12-31T23:59:59Z',
      max_sessions: 1,
      max_messages: 0,
      provider: 'genfity-wa',
      created_by: 'govconnect-channel-service',
    };
    const first = await t.app.inject({ method: 'POST', url: '/internal/users', headers: internalHeaders, payload: body });
    expect(first.statusCode).toBe(200);
    expect(first.json().api_key).toMatch(/^gwa_/);
    const again = await t.app.inject({ method: 'POST', url: '/internal/users', headers: internalHeaders, payload: body });
    expect(again.statusCode).toBe(200);
    expect(again.json().api_key).toBe('');
    const rotated = await t.app.inject({
      method: 'POST',
      url: `/internal/users/${villageId}/apikey/rotate`,
      headers: internalHeaders,
      payload: {},
    });
    expect(rotated.statusCode).toBe(200);
    apiKey = rotated.json().api_key;
    expect(apiKey).toMatch(/^gwa_/);
  });

  it('createSessionViaWaSupport: reads session.session_token and session.session_id', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/sessions',
      headers: { 'content-type': 'application/json', 'x-api-key': apiKey },
      payload: {
        session_name: 'desa-sukamaju',
        webhook_url: 'https://govconnect.example.com/webhook',
        webhook_secret: 'ab'.repeat(48),
        events: EVENTS,
        auto_connect: true,
        auto_read_enabled: true,
        typing_enabled: false,
        history: 0,
      },
    });
    expect(res.statusCode).toBe(201);
    const session = res.json().session;
    expect(session.session_token).toEqual(expect.any(String));
    expect(session.session_token.length).toBeGreaterThan(0);
    sessionId = session.session_id ?? String(session.id);
    expect(sessionId).toMatch(/^[0-9a-f]{32}$/);
  });

  it('listWaSupportUsers / getWaSupportSummary: items[].id, session_count, subscription, meta.total', async () => {
    const res = await t.app.inject({ url: '/internal/users?source=govconnect&page=1&limit=1', headers: internalHeaders });
    expect(res.statusCode).toBe(200);
    const { items, meta } = res.json();
    expect(meta.total).toBe(1);
    expect(items[0]).toMatchObject({ id: villageId, session_count: 1, subscription: { max_sessions: 1, status: 'active' } });
    expect(Number.isNaN(Date.parse(items[0].subscription.expires_at))).toBe(false);
    expect(Number.isNaN(Date.parse(items[0].created_at))).toBe(false);
    const summary = await t.app.inject({ url: '/internal/users?source=govconnect&limit=100', headers: internalHeaders });
    expect(summary.json().items.map((i: { id: string }) => i.id)).toEqual([villageId]);
  });

  it('getWaSupportUser: apikey info, then GET /v1/sessions with every WaSupportSession field', async () => {
    expect((await t.app.inject({ url: `/internal/users/${villageId}/apikey`, headers: internalHeaders })).statusCode).toBe(200);
    const res = await t.app.inject({ url: '/v1/sessions', headers: { 'content-type': 'application/json', 'x-api-key': apiKey } });
    expect(res.statusCode).toBe(200);
    const [session] = res.json().sessions;
    for (const field of [
      'id',
      'user_id',
      'provider',
      'session_id',
      'session_name',
      'session_token',
      'webhook_url',
      'connected',
      'logged_in',
      'jid',
      'status',
      'last_synced_at',
      'last_activity_at',
      'last_message_sent',
      'last_message_fail',
      'created_at',
      'updated_at',
    ]) {
      expect(session, field).toHaveProperty(field);
    }
    expect(session.session_id).toBe(sessionId);
  });

  it('settings: GET reads session_id, webhook_url, message_stat_sent/failed; PUT the flags', async () => {
    const headers = { 'content-type': 'application/json', 'x-api-key': apiKey };
    const got = await t.app.inject({ url: `/v1/sessions/${sessionId}/settings`, headers });
    expect(got.statusCode).toBe(200);
    expect(got.json()).toMatchObject({
      session_id: sessionId,
      webhook_url: 'https://govconnect.example.com/webhook',
      message_stat_sent: 0,
      message_stat_failed: 0,
    });
    const put = await t.app.inject({
      method: 'PUT',
      url: `/v1/sessions/${sessionId}/settings`,
      headers,
      payload: { auto_read_enabled: false, typing_enabled: true },
    });
    expect(put.statusCode).toBe(200);
  });

  it('contacts: GET ?sync=true and ?sync=false read data.contacts', async () => {
    t.sim.setContacts(sessionId, { '6281234567890@s.whatsapp.net': { Found: true, FullName: 'Pak Kades' } });
    for (const sync of ['true', 'false']) {
      const res = await t.app.inject({ url: `/v1/sessions/${sessionId}/contacts?sync=${sync}`, headers: { 'x-api-key': apiKey } });
      expect(res.statusCode).toBe(200);
      expect(res.json().contacts).toEqual([
        expect.objectContaining({ jid: '6281234567890@s.whatsapp.net', name: 'Pak Kades', phone: '6281234567890' }),
      ]);
    }
  });

  it('deleteSessionFromWaSupport: 2xx, then 404 ("not found, skipping")', async () => {
    const headers = { 'content-type': 'application/json', 'x-api-key': apiKey };
    const res = await t.app.inject({ method: 'DELETE', url: `/v1/sessions/${sessionId}`, headers });
    expect(res.statusCode).toBeGreaterThanOrEqual(200);
    expect(res.statusCode).toBeLessThan(300);
    expect((await t.app.inject({ method: 'DELETE', url: `/v1/sessions/${sessionId}`, headers })).statusCode).toBe(404);
  });
});
