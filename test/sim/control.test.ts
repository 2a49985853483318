import { createHmac } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'undici';
import type { ProviderSimulator } from '../../sim/provider-simulator.js';
import { waitFor } from '../helpers/wait.js';
import { admin, call, createUser, startReceiver, startSim, user } from './helpers.js';

let sim: ProviderSimulator;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
const KEY = 'control-hmac-key-0123456789abcdef';

beforeAll(async () => {
  sim = await startSim();
  receiver = await startReceiver();
});
afterEach(() => {
  sim.setDown(false);
  sim.setLatency(0);
  sim.setLatency(0, '/session/status');
});
afterAll(async () => {
  await sim.close();
  await receiver.close();
});

const control = (method: string, path: string, body?: unknown) => call(sim.url, method, `/_sim${path}`, { body });

describe('HTTP control API', () => {
  it('pairs and injects a message that reaches the webhook with a valid signature', async () => {
    const { id, token } = await createUser(sim.url, { webhook: receiver.url, events: 'Message' });
    await user(sim.url, token, 'POST', '/session/connect', { Subscribe: ['Message'], Immediate: true });
    await user(sim.url, token, 'POST', '/session/hmac/config', { hmac_key: KEY });
    const paired = await control('POST', '/pair', { sessionId: id, phone: '628222', pushName: 'Shop' });
    expect(paired.json.user).toMatchObject({
      id,
      connected: true,
      loggedIn: true,
      jid: expect.stringMatching(/^628222:\d+@s\.whatsapp\.net$/),
    });
    const injected = await control('POST', '/inject/message', { sessionId: id, from: '628333', text: 'order 1', pushName: 'Rina' });
    expect(injected.status).toBe(200);
    const hit = await waitFor(() => receiver.received.find((r) => r.body.includes('order')), 'the injected message at the webhook');
    expect(hit.headers['x-hmac-signature']).toBe(createHmac('sha256', KEY).update(hit.body).digest('hex'));
    const jsonData = JSON.parse(new URLSearchParams(hit.body).get('jsonData') ?? '{}');
    expect(jsonData.event.Info.ID).toBe(injected.json.event.event.Info.ID);
    expect(jsonData.event.Info.PushName).toBe('Rina');
    const contacts = await user(sim.url, token, 'GET', '/user/contacts');
    expect(contacts.json.data['628333@s.whatsapp.net']).toMatchObject({ Found: true, PushName: 'Rina' });
  });

  it('adds a user the provider already had, with its own id and token; its key signs at once', async () => {
    const added = await control('POST', '/users', {
      id: 'c7ad1a8044225e4a',
      token: 'wat_adopted-token',
      name: 'marketing-1',
      webhook: receiver.url,
      events: 'Message',
      hmacKey: KEY,
    });
    expect(added.json.user).toMatchObject({ id: 'c7ad1a8044225e4a', token: 'wat_adopted-token', hmacKeySet: true, hmacKeyActive: true });
    expect((await control('POST', '/users', { id: 'c7ad1a8044225e4a', token: 'x' })).status).toBe(400);
    expect((await user(sim.url, 'wat_adopted-token', 'GET', '/session/status')).json.data).toMatchObject({
      id: 'c7ad1a8044225e4a',
      name: 'marketing-1',
    });
    await control('POST', '/pair', { sessionId: 'c7ad1a8044225e4a' });
    await control('POST', '/inject/message', { sessionId: 'c7ad1a8044225e4a', text: 'adopted' });
    const hit = await waitFor(() => receiver.received.find((r) => r.body.includes('adopted')), "the adopted user's message at the webhook");
    expect(hit.headers['x-hmac-signature']).toBe(createHmac('sha256', KEY).update(hit.body).digest('hex'));
    expect(new URLSearchParams(hit.body).get('userID')).toBe('c7ad1a8044225e4a');
  });

  it('sets contacts, lists users and recorded requests, and clears them', async () => {
    const { id, token } = await createUser(sim.url);
    await user(sim.url, token, 'POST', '/session/connect', { Immediate: true });
    await control('POST', '/contacts', { sessionId: id, contacts: { '628444@s.whatsapp.net': { FullName: 'Dewi' } } });
    expect((await user(sim.url, token, 'GET', '/user/contacts')).json.data['628444@s.whatsapp.net'].FullName).toBe('Dewi');
    const users = await control('GET', '/users');
    expect(users.json.users.some((u: { id: string }) => u.id === id)).toBe(true);
    expect((await control('GET', `/users/${id}`)).json.user.token).toBe(token);
    const requests = await control('GET', '/requests');
    const last = requests.json.requests.at(-1);
    expect(last).toMatchObject({ method: 'GET', path: '/user/contacts', body: '' });
    expect(last.headers.token).toBe(token);
    expect(requests.json.requests.some((r: { path: string }) => r.path.startsWith('/_sim'))).toBe(false);
    await control('DELETE', '/requests');
    expect(sim.requests).toHaveLength(0);
  });

  it('rejects unknown sessions, bad bodies and unknown control routes', async () => {
    expect((await control('POST', '/pair', { sessionId: 'nope' })).status).toBe(404);
    expect((await control('POST', '/latency', { ms: 'slow' })).status).toBe(400);
    expect((await control('POST', '/latency', '{broken')).status).toBe(400);
    expect((await control('GET', '/nothing')).status).toBe(404);
  });

  it('applies latency, canned failures and garbage over HTTP', async () => {
    const { token } = await createUser(sim.url);
    await control('POST', '/latency', { ms: 150, pathPrefix: '/session/status' });
    const started = Date.now();
    expect((await user(sim.url, token, 'GET', '/session/status')).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    await control('POST', '/fail', { pathPrefix: '/chat/send', status: 503, count: 2 });
    for (let i = 0; i < 2; i += 1) {
      const failed = await user(sim.url, token, 'POST', '/chat/send/text', { Phone: '628', Body: 'x' });
      expect(failed.status).toBe(503);
      expect(failed.json).toEqual({ code: 503, error: 'simulated failure', success: false });
    }
    expect((await user(sim.url, token, 'POST', '/chat/send/text', { Phone: '628', Body: 'x' })).json.error).toBe('no session');
    await control('POST', '/garbage', { pathPrefix: '/session/status' });
    const garbage = await user(sim.url, token, 'GET', '/session/status');
    expect(garbage.headers['content-type']).toBe('application/json');
    expect(garbage.json).toBeUndefined();
  });

  it('answers that never end: a trickle of single bytes, an endless contact map, then normal again', async () => {
    const { token } = await createUser(sim.url);
    expect((await control('POST', '/stream', { pathPrefix: '/session/status', mode: 'sideways' })).status).toBe(400);
    await control('POST', '/stream', { pathPrefix: '/session/status', mode: 'trickle', intervalMs: 20 });
    const trickled = await request(`${sim.url}/session/status`, { headers: { token } });
    expect(trickled.statusCode).toBe(200);
    const started = performance.now();
    let bytes = 0;
    for await (const chunk of trickled.body) {
      bytes += (chunk as Buffer).length;
      if (bytes >= 5) break;
    }
    // `{` at once, then one byte each 20 ms.
    expect(performance.now() - started).toBeGreaterThanOrEqual(60);
    await control('POST', '/stream', { pathPrefix: '/user/contacts', mode: 'endless' });
    const endless = await request(`${sim.url}/user/contacts`, { headers: { token } });
    let seen = '';
    for await (const chunk of endless.body) {
      seen += (chunk as Buffer).toString('utf8');
      if (seen.length > 2_000_000) break;
    }
    expect(seen.startsWith('{"code":200,"success":true,"data":{"62811')).toBe(true);
    expect((await user(sim.url, token, 'GET', '/session/status')).status).toBe(200);
  });

  it('goes down (connection errors) and comes back up through /_sim/down', async () => {
    const { token } = await createUser(sim.url);
    await control('POST', '/down', { down: true });
    await expect(user(sim.url, token, 'GET', '/session/status')).rejects.toThrow();
    await expect(admin(sim.url, 'GET', '/admin/users')).rejects.toThrow();
    await control('POST', '/down', { down: false });
    expect((await user(sim.url, token, 'GET', '/session/status')).status).toBe(200);
  });

  it('changes settings at run time and resets to a clean provider', async () => {
    const changed = await control('POST', '/config', { connectStallMs: 10, adminToken: 'ignored' });
    expect(changed.json.config.connectStallMs).toBe(10);
    expect(changed.json.config.adminToken).toBe('test-admin-token');
    const { token } = await createUser(sim.url);
    await control('POST', '/reset');
    expect(sim.listUsers()).toEqual([]);
    expect((await user(sim.url, token, 'GET', '/session/status')).status).toBe(401);
    expect(sim.requests).toHaveLength(1);
  });
});

describe('JavaScript controls', () => {
  it('failNext with a custom body and setGarbage only hit matching prefixes, count times', async () => {
    sim.failNext('/admin/users', { status: 500, body: 'boom' });
    const failed = await admin(sim.url, 'GET', '/admin/users');
    expect([failed.status, failed.text]).toEqual([500, 'boom']);
    expect((await admin(sim.url, 'GET', '/admin/users')).status).toBe(200);
    sim.setGarbage('/health', 1);
    expect((await call(sim.url, 'GET', '/admin/users', { headers: { Authorization: 'test-admin-token' } })).json).toBeDefined();
    expect((await call(sim.url, 'GET', '/health')).json).toBeUndefined();
    expect((await call(sim.url, 'GET', '/health')).json.status).toBe('ok');
  });

  it('setDown drops every provider connection without a response', async () => {
    sim.setDown(true);
    await expect(call(sim.url, 'GET', '/health')).rejects.toThrow();
    sim.setDown(false);
    expect((await call(sim.url, 'GET', '/health')).status).toBe(200);
  });
});
