import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { qrDataUrl } from '../../sim/provider-simulator.js';
import type { ProviderSimulator } from '../../sim/provider-simulator.js';
import { call, createUser, decodePng, startSim, user } from './helpers.js';
import { waitFor } from '../helpers/wait.js';

let sim: ProviderSimulator;

beforeAll(async () => {
  sim = await startSim({ connectStallMs: 800 });
});
afterAll(async () => {
  await sim.close();
});

describe('user auth (contract §1)', () => {
  it('takes the token header or ?token=, never Authorization', async () => {
    const { token } = await createUser(sim.url);
    const byHeader = await user(sim.url, token, 'GET', '/session/status');
    expect(byHeader.status).toBe(200);
    expect(byHeader.headers['request-id']).toMatch(/^[0-9a-v]{20}$/);
    expect((await call(sim.url, 'GET', `/session/status?token=${token}`)).status).toBe(200);
    const bearer = await call(sim.url, 'GET', '/session/status', { headers: { Authorization: `Bearer ${token}` } });
    expect(bearer.status).toBe(401);
    expect(bearer.json).toEqual({ code: 401, error: 'unauthorized', success: false });
  });
});

describe('POST /session/connect', () => {
  it('answers at once with Immediate and stores the filtered Subscribe list', async () => {
    const { token } = await createUser(sim.url, { webhook: 'http://hook.test' });
    const started = Date.now();
    const reply = await user(sim.url, token, 'POST', '/session/connect', { subscribe: ['Message', 'Bogus', 'QR'], immediate: true });
    expect(Date.now() - started).toBeLessThan(500);
    expect(reply.json).toEqual({
      code: 200,
      success: true,
      data: { details: 'Connected!', events: 'Message,QR', jid: '', webhook: 'http://hook.test' },
    });
    const again = await user(sim.url, token, 'POST', '/session/connect', { Immediate: true });
    expect(again.status).toBe(500);
    expect(again.json.error).toBe('already connected');
  });

  it('stalls without Immediate (configured 800 ms instead of the real 10 s)', async () => {
    const { token } = await createUser(sim.url);
    const started = Date.now();
    const reply = await user(sim.url, token, 'POST', '/session/connect', {});
    expect(Date.now() - started).toBeGreaterThanOrEqual(790);
    expect(reply.status).toBe(200);
    expect(reply.json.data.events).toBe('');
  });

  it('needs a JSON body', async () => {
    const { token } = await createUser(sim.url);
    const reply = await user(sim.url, token, 'POST', '/session/connect');
    expect(reply.status).toBe(400);
    expect(reply.json.error).toBe('could not decode Payload');
  });
});

describe('status, QR, pairing, logout', () => {
  it('reports false/false for an idle session with the full lower-camel object', async () => {
    const { id, token } = await createUser(sim.url, { name: 'idle', history: 3 });
    const reply = await user(sim.url, token, 'GET', '/session/status');
    expect(reply.json.data).toMatchObject({
      id,
      name: 'idle',
      connected: false,
      loggedIn: false,
      token,
      history: '3',
      hmac_configured: false,
    });
    expect(Object.keys(reply.json.data).sort()).toEqual([
      'connected',
      'events',
      'history',
      'hmac_configured',
      'id',
      'jid',
      'loggedIn',
      'name',
      'proxy_config',
      'proxy_url',
      'qrcode',
      's3_config',
      'token',
      'webhook',
    ]);
  });

  it('serves the QR as a decodable 256×256 PNG data URL of the current pairing string', async () => {
    const { id, token } = await createUser(sim.url);
    expect((await user(sim.url, token, 'GET', '/session/qr')).json.error).toBe('no session');
    await user(sim.url, token, 'POST', '/session/connect', { Immediate: true });
    const qr = await pollQr(token);
    expect(qr.startsWith('data:image/png;base64,')).toBe(true);
    const png = decodePng(Buffer.from(qr.split(',')[1] ?? '', 'base64'));
    expect([png.width, png.height]).toEqual([256, 256]);
    expect(png.pixels.length).toBeGreaterThan(256 * 256);
    const pairing = sim.findUserById(id)?.qrPairing ?? '';
    expect(pairing).toMatch(/^2@.+,.+,.+,.+$/);
    expect(await qrDataUrl(pairing)).toBe(qr);
  });

  it('rotates the code on demand', async () => {
    const { id, token } = await createUser(sim.url);
    await user(sim.url, token, 'POST', '/session/connect', { Immediate: true });
    const first = await pollQr(token);
    await sim.rotateQr(id);
    const second = (await user(sim.url, token, 'GET', '/session/qr')).json.data.QRCode;
    expect(second).not.toBe(first);
  });

  it('gives a linking code, then "already logged in" / "already paired" after pairing', async () => {
    const { id, token } = await createUser(sim.url);
    expect((await user(sim.url, token, 'POST', '/session/pairphone', { Phone: '628123456789' })).json.error).toBe('no session');
    await user(sim.url, token, 'POST', '/session/connect', { Immediate: true });
    expect((await user(sim.url, token, 'POST', '/session/pairphone', {})).json.error).toBe('missing Phone in Payload');
    expect((await user(sim.url, token, 'POST', '/session/pairphone', { Phone: '0812345678' })).json.error).toBe(
      'international phone number required',
    );
    const code = await user(sim.url, token, 'POST', '/session/pairphone', { phone: '628123456789' });
    expect(code.json.data.LinkingCode).toMatch(/^[1-9A-Z]{4}-[1-9A-Z]{4}$/);
    const { jid } = sim.pair(id, { phone: '628123456789' });
    expect(jid).toMatch(/^628123456789:\d+@s\.whatsapp\.net$/);
    expect((await user(sim.url, token, 'GET', '/session/qr')).json.error).toBe('already logged in');
    expect((await user(sim.url, token, 'POST', '/session/pairphone', { Phone: '628123456789' })).json.error).toBe('already paired');
    const status = await user(sim.url, token, 'GET', '/session/status');
    expect(status.json.data).toMatchObject({ connected: true, loggedIn: true, jid, qrcode: '' });
  });

  it('logs out (QR needed again) and disconnects with the provider errors', async () => {
    const { id, token } = await createUser(sim.url);
    expect((await user(sim.url, token, 'POST', '/session/logout')).json.error).toBe('no session');
    await user(sim.url, token, 'POST', '/session/connect', { Immediate: true });
    expect((await user(sim.url, token, 'POST', '/session/logout')).json.error).toBe('could not logout as it was not logged in');
    sim.pair(id);
    const out = await user(sim.url, token, 'POST', '/session/logout');
    expect(out.json).toEqual({ code: 200, data: { Details: 'Logged out' }, success: true });
    await user(sim.url, token, 'POST', '/session/connect', { Subscribe: ['Message'], Immediate: true });
    expect((await user(sim.url, token, 'GET', '/session/status')).json.data.loggedIn).toBe(false);
    const off = await user(sim.url, token, 'POST', '/session/disconnect');
    expect(off.json.data).toEqual({ Details: 'Disconnected' });
    expect((await user(sim.url, token, 'GET', '/session/status')).json.data).toMatchObject({ connected: false, events: '' });
    expect((await user(sim.url, token, 'POST', '/session/disconnect')).json.error).toBe('no session');
  });
});

const pollQr = (token: string): Promise<string> =>
  waitFor(async () => (await user(sim.url, token, 'GET', '/session/qr')).json.data?.QRCode as string | undefined, {
    what: 'a QR code',
    intervalMs: 10,
  });

describe('overlapping lifecycle calls (contract §8: genfity-wa can crash on them)', () => {
  it('are counted and the overlapping call is dropped, even for different sessions; one after another is fine', async () => {
    const a = await createUser(sim.url);
    const b = await createUser(sim.url);
    const before = sim.lifecycle;
    sim.setLatency(200, '/session/connect');
    try {
      const first = user(sim.url, a.token, 'POST', '/session/connect', { Immediate: true });
      await waitFor(() => sim.lifecycle.inFlight === 1, 'the first call running');
      const overlapping = await user(sim.url, b.token, 'POST', '/session/disconnect', {}).catch((e: unknown) => e);
      expect(overlapping).toBeInstanceOf(Error);
      expect((await first).status).toBe(200);
    } finally {
      sim.setLatency(0, '/session/connect');
    }
    expect((await user(sim.url, b.token, 'POST', '/session/connect', { Immediate: true })).status).toBe(200);
    const after = sim.lifecycle;
    expect(after.calls - before.calls).toBe(3);
    expect(after.overlaps - before.overlaps).toBe(1);
    expect(after.overlapping.at(-1)).toMatchObject({ method: 'POST', path: '/session/disconnect', running: 'POST /session/connect' });
    expect(after.inFlight).toBe(0);
    const control = await call(sim.url, 'GET', '/_sim/lifecycle');
    expect(control.json.lifecycle).toMatchObject({ calls: after.calls, overlaps: after.overlaps });
  });

  it('a call whose client went away no longer counts as running', async () => {
    const a = await createUser(sim.url);
    const before = sim.lifecycle.overlaps;
    sim.setLatency(2_000, '/session/connect');
    try {
      const gone = new AbortController();
      const abandoned = request(`${sim.url}/session/connect`, {
        method: 'POST',
        headers: { token: a.token },
        body: '{}',
        signal: gone.signal,
      }).catch(() => undefined);
      await waitFor(() => sim.lifecycle.inFlight === 1, 'the call running');
      gone.abort();
      await abandoned;
      await waitFor(() => sim.lifecycle.inFlight === 0, 'the call no longer running');
      expect(sim.lifecycle.inFlight).toBe(0);
    } finally {
      sim.setLatency(0, '/session/connect');
    }
    expect(sim.lifecycle.overlaps).toBe(before);
  });
});
