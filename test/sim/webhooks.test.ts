import { createHmac } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ProviderSimulator } from '../../sim/provider-simulator.js';
import { waitFor } from '../helpers/wait.js';
import { simPostsAnswered } from '../helpers/webhooks.js';
import { createUser, startReceiver, startSim, user } from './helpers.js';

type Receiver = Awaited<ReturnType<typeof startReceiver>>;
const KEY = 'session-hmac-key-0123456789abcdef!';
const GLOBAL_KEY = 'global-hmac-key-0123456789abcdef!!';
const sign = (key: string, body: string): string => createHmac('sha256', key).update(body).digest('hex');

let receiver: Receiver;
const cleanups: (() => Promise<void>)[] = [];

beforeAll(async () => {
  receiver = await startReceiver();
});
afterEach(() => {
  receiver.received.splice(0);
});
afterAll(async () => {
  await receiver.close();
  for (const cleanup of cleanups) await cleanup();
});

async function sim(options: Parameters<typeof startSim>[0] = {}): Promise<ProviderSimulator> {
  const started = await startSim(options);
  cleanups.push(() => started.close());
  return started;
}

function form(body: string): { jsonData: any; userID: string; instanceName: string } {
  const params = new URLSearchParams(body);
  return {
    jsonData: JSON.parse(params.get('jsonData') ?? 'null'),
    userID: params.get('userID') ?? '',
    instanceName: params.get('instanceName') ?? '',
  };
}

describe('session webhook, form body (the provider default)', () => {
  it('signs with the session key only once /session/hmac/config has set it (contract §7)', async () => {
    const s = await sim();
    const { id, token } = await createUser(s.url, { name: 'acme-1', webhook: receiver.url, events: 'Message', hmacKey: KEY });
    await user(s.url, token, 'POST', '/session/connect', { Subscribe: ['Message'], Immediate: true });
    s.pair(id);
    const first = s.injectMessage(id, { from: '628777', text: 'halo' });
    const unsigned = await waitFor(() => receiver.received[0], 'the first post');
    expect(unsigned.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(unsigned.headers['x-hmac-signature']).toBeUndefined();
    const payload = form(unsigned.body);
    expect(payload.userID).toBe(id);
    expect(payload.instanceName).toBe('acme-1');
    expect(payload.jsonData.type).toBe('Message');
    expect(payload.jsonData.event.Info).toMatchObject({
      ID: (first['event'] as any).Info.ID,
      Chat: '628777@s.whatsapp.net',
      Sender: '628777@s.whatsapp.net',
      IsFromMe: false,
      PushName: 'Budi',
    });
    expect(payload.jsonData.event.Message).toEqual({ conversation: 'halo' });

    const set = await user(s.url, token, 'POST', '/session/hmac/config', { hmac_key: KEY });
    expect(set.json).toEqual({ Details: 'HMAC configuration saved successfully' });
    expect((await user(s.url, token, 'GET', '/session/hmac/config')).json).toEqual({ hmac_key: '***' });
    s.injectMessage(id, { text: 'signed' });
    const signed = await waitFor(() => receiver.received[1], 'the second post');
    expect(signed.headers['x-hmac-signature']).toBe(sign(KEY, signed.body));
    expect(form(signed.body).jsonData.event.Message.conversation).toBe('signed');
  });

  it('delivers only subscribed types: ReadReceipt needs All, PairSuccess/Connected arrive when subscribed', async () => {
    const s = await sim();
    const { id, token } = await createUser(s.url, { webhook: receiver.url });
    await user(s.url, token, 'POST', '/session/connect', {
      Subscribe: ['Message', 'ReadReceipt', 'PairSuccess', 'Connected'],
      Immediate: true,
    });
    s.pair(id, { phone: '628444' });
    await waitFor(() => receiver.received.length >= 2, 'the pairing events');
    const types = receiver.received.map((r) => form(r.body).jsonData.type).sort();
    expect(types).toEqual(['Connected', 'PairSuccess']);
    const pairEvent = receiver.received.map((r) => form(r.body).jsonData).find((j) => j.type === 'PairSuccess');
    expect(pairEvent.event.ID).toMatch(/^628444:\d+@s\.whatsapp\.net$/);
    receiver.received.splice(0);
    s.injectEvent(id, 'ReadReceipt', { MessageIDs: ['X'] }, { state: 'Read' });
    s.injectMessage(id);
    await waitFor(() => receiver.received[0], 'the message');
    // Every post is recorded when it is made: once all of them are answered, a ReadReceipt sent would be here.
    await simPostsAnswered(s);
    expect(receiver.received.map((r) => form(r.body).jsonData.type)).toEqual(['Message']);
  });

  it('pushes QR codes as QR events with the data URL in qrCodeBase64', async () => {
    const s = await sim();
    const { token } = await createUser(s.url, { webhook: receiver.url });
    await user(s.url, token, 'POST', '/session/connect', { Subscribe: ['QR'], Immediate: true });
    const qr = form((await waitFor(() => receiver.received[0], 'the QR event')).body).jsonData;
    expect(qr.type).toBe('QR');
    expect(qr.event).toBe('code');
    expect(qr.qrCodeBase64).toBe((await user(s.url, token, 'GET', '/session/qr')).json.data.QRCode);
  });

  it('stops after PUT /webhook without active, which clears the URL (contract §8)', async () => {
    const s = await sim();
    const { id, token } = await createUser(s.url, { webhook: receiver.url });
    await user(s.url, token, 'POST', '/session/connect', { Subscribe: ['Message'], Immediate: true });
    s.pair(id);
    const cleared = await user(s.url, token, 'PUT', '/webhook', { webhookURL: receiver.url });
    expect(cleared.json.data).toEqual({ webhook: '', events: null, active: false });
    expect((await user(s.url, token, 'GET', '/webhook')).json.data.webhook).toBe('');
    s.injectMessage(id);
    // A post is recorded the moment it is made, before it is sent: none recorded, none on its way.
    expect(s.deliveries).toHaveLength(0);
    expect(receiver.received).toHaveLength(0);
  });
});

describe('global webhook, JSON body', () => {
  it('merges userID and instanceName into the event and signs with the global key', async () => {
    const s = await sim({ globalWebhookUrl: receiver.url, globalHmacKey: GLOBAL_KEY, webhookFormat: 'json' });
    const { id, token } = await createUser(s.url, { name: 'tenant-a', events: 'All' });
    await user(s.url, token, 'POST', '/session/connect', { Subscribe: ['All'], Immediate: true });
    s.pair(id);
    await waitFor(() => receiver.received.length >= 2, 'the pairing events');
    receiver.received.splice(0);
    const sent = await user(s.url, token, 'POST', '/chat/send/text', { Phone: '628123', Body: 'a<b & c' });
    const hit = await waitFor(() => receiver.received[0], 'the message at the global webhook');
    expect(hit.headers['content-type']).toBe('application/json');
    expect(hit.headers['x-hmac-signature']).toBe(sign(GLOBAL_KEY, hit.body));
    expect(hit.body).toContain('a\\u003cb \\u0026 c');
    const body = JSON.parse(hit.body);
    expect(body).toMatchObject({ type: 'MessageSent', userID: id, instanceName: 'tenant-a' });
    expect(body.event.Info).toMatchObject({ ID: sent.json.data.Id, Chat: '628123@s.whatsapp.net', IsFromMe: true, MessageType: 'text' });
    expect(s.deliveries.every((d) => d.target === 'global')).toBe(true);
  });
});

describe('delivery failures', () => {
  it('retries a non-2xx answer with backoff and records every attempt', async () => {
    const flaky = await startReceiver([500, 200]);
    cleanups.push(flaky.close);
    const s = await sim({ webhookRetryCount: 3, webhookRetryDelayMs: 20 });
    const { id } = await createUser(s.url, { webhook: flaky.url, events: 'Message' });
    await user(s.url, s.findUserById(id)?.token ?? '', 'GET', '/session/status');
    s.injectMessage(id);
    const ok = await s.waitForDelivery((d) => d.status === 200);
    expect(ok.attempt).toBe(2);
    expect(s.deliveries.map((d) => d.status)).toEqual([500, 200]);
    expect(flaky.received[0]?.body).toBe(flaky.received[1]?.body);
  });

  it('records a transport error and keeps serving', async () => {
    const s = await sim();
    const { id, token } = await createUser(s.url, { webhook: 'http://127.0.0.1:1/unreachable', events: 'Message' });
    await user(s.url, token, 'GET', '/session/status');
    s.injectMessage(id);
    const failed = await s.waitForDelivery((d) => d.error !== undefined);
    expect(failed.url).toBe('http://127.0.0.1:1/unreachable');
    expect((await user(s.url, token, 'GET', '/session/status')).status).toBe(200);
  });
});
