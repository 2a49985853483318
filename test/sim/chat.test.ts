import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProviderSimulator } from '../../sim/provider-simulator.js';
import { TINY_PNG, call, createUser, pairedUser, startSim, user } from './helpers.js';

let sim: ProviderSimulator;
let token: string;

beforeAll(async () => {
  sim = await startSim();
  ({ token } = await pairedUser(sim, { history: 10 }));
});
afterAll(async () => {
  await sim.close();
});

const octet = `data:application/octet-stream;base64,${Buffer.from('%PDF-1.4 test').toString('base64')}`;

/** A valid body for every routed send, with the field a handler checks second. */
const SENDS: Record<string, { body: Record<string, unknown>; missing: [string, string] }> = {
  text: { body: { Phone: '628123', Body: 'halo' }, missing: ['Body', 'missing Body in Payload'] },
  image: { body: { Phone: '628123', Image: TINY_PNG, Caption: 'c' }, missing: ['Image', 'missing Image in Payload'] },
  audio: { body: { Phone: '628123', Audio: 'data:audio/ogg;base64,T2dnUw==' }, missing: ['Audio', 'missing Audio in Payload'] },
  document: { body: { Phone: '628123', Document: octet, FileName: 'a.pdf' }, missing: ['Document', 'missing Document in Payload'] },
  video: { body: { Phone: '628123', Video: 'data:video/mp4;base64,AAAAGGZ0eXA=' }, missing: ['Video', 'missing Video in Payload'] },
  sticker: { body: { Phone: '628123', Sticker: 'data:image/webp;base64,UklGRg==' }, missing: ['Sticker', 'missing Sticker in Payload'] },
  location: {
    body: { Phone: '628123', Latitude: -6.2, Longitude: 106.8, Name: 'Monas' },
    missing: ['Latitude', 'missing Latitude in Payload'],
  },
  contact: { body: { Phone: '628123', Name: 'Budi', Vcard: 'BEGIN:VCARD\nEND:VCARD' }, missing: ['Name', 'missing Name in Payload'] },
  buttons: {
    body: { Phone: '628123', Title: 'Pick', Buttons: [{ ButtonId: '1', ButtonText: 'Yes' }] },
    missing: ['Title', 'missing Title in Payload'],
  },
  list: {
    body: { Phone: '628123', ButtonText: 'Open', Desc: 'd', TopText: 't', List: [{ title: 'a', desc: 'b' }] },
    missing: ['Desc', 'missing required fields: Phone, ButtonText, Desc, TopText'],
  },
  edit: { body: { Phone: '628123', Body: 'fixed', Id: '3EB0AAAA' }, missing: ['Body', 'missing Body in Payload'] },
};

describe('POST /chat/send/* success', () => {
  for (const [kind, { body }] of Object.entries(SENDS)) {
    it(`${kind} answers Details "Sent" with an Id and a timestamp`, async () => {
      const reply = await user(sim.url, token, 'POST', `/chat/send/${kind}`, body);
      expect(reply.status).toBe(200);
      expect(reply.headers['content-type']).toBe('application/json');
      expect(reply.json.success).toBe(true);
      expect(reply.json.data.Details).toBe('Sent');
      expect(reply.json.data.Id).toMatch(kind === 'edit' ? /^3EB0AAAA$/ : /^3EB0[0-9A-F]{18}$/);
      if (kind === 'list') expect(Number.isNaN(Date.parse(reply.json.data.Timestamp))).toBe(false);
      else expect(Number.isInteger(reply.json.data.Timestamp)).toBe(true);
    });
  }

  it('poll takes group/header/options and answers its own Details without Timestamp', async () => {
    const reply = await user(sim.url, token, 'POST', '/chat/send/poll', { group: '120363@g.us', header: 'Q?', options: ['a', 'b'] });
    expect(reply.json.data).toEqual({ Details: 'Poll sent successfully', Id: expect.stringMatching(/^3EB0/) });
    const missing = await user(sim.url, token, 'POST', '/chat/send/poll', { header: 'Q?', options: ['a', 'b'] });
    expect(missing.json.error).toBe('missing Grouop in payload');
  });

  it('keeps a caller-chosen Id and reads keys ignoring case', async () => {
    const reply = await user(sim.url, token, 'POST', '/chat/send/text', { phone: '+628123', body: 'x', id: 'MYID1' });
    expect(reply.json.data.Id).toBe('MYID1');
  });

  it('has no template route: the provider answers the static text 404', async () => {
    const reply = await user(sim.url, token, 'POST', '/chat/send/template', { Phone: '628123', Content: 'x' });
    expect(reply.status).toBe(404);
    expect(reply.text).toBe('404 page not found\n');
    expect(reply.headers['content-type']).toBe('text/plain; charset=utf-8');
  });
});

describe('POST /chat/send/* validation', () => {
  for (const [kind, { body, missing }] of Object.entries(SENDS)) {
    it(`${kind}: missing Phone, then missing ${missing[0]}`, async () => {
      const { Phone: _phone, ...noPhone } = body;
      const first = await user(sim.url, token, 'POST', `/chat/send/${kind}`, noPhone);
      expect(first.status).toBe(400);
      expect(first.json.error).toBe(kind === 'list' ? missing[1] : 'missing Phone in Payload');
      const { [missing[0]]: _gone, ...rest } = body;
      const second = await user(sim.url, token, 'POST', `/chat/send/${kind}`, rest);
      expect(second.status).toBe(400);
      expect(second.json).toEqual({ code: 400, error: missing[1], success: false });
    });
  }

  it('checks ContextInfo pairs, bad JIDs and media prefixes with the provider strings', async () => {
    const send = (kind: string, body: unknown) => user(sim.url, token, 'POST', `/chat/send/${kind}`, body);
    expect((await send('text', { Phone: '628', Body: 'x', ContextInfo: { stanzaID: 'A' } })).json.error).toBe(
      'missing Participant in ContextInfo',
    );
    expect((await send('text', { Phone: '@s.whatsapp.net', Body: 'x' })).json.error).toBe('could not parse Phone');
    expect((await send('image', { Phone: '628', Image: 'iVBOR' })).json.error).toBe(
      'Image data should start with "data:image/png;base64,"',
    );
    expect((await send('image', { Phone: '628', Image: 'http://127.0.0.1/x.png' })).status).toBe(400);
    expect((await send('audio', { Phone: '628', Audio: 'data:video/mp4;base64,AA==' })).json.error).toBe(
      'audio data should start with "data:audio/"',
    );
    expect((await send('text', { Phone: 628, Body: 'x' })).json.error).toBe('could not decode Payload');
  });

  it('drops the connection for a document shorter than 29 characters (the handler panics)', async () => {
    await expect(
      user(sim.url, token, 'POST', '/chat/send/document', { Phone: '628', Document: 'data:x', FileName: 'a' }),
    ).rejects.toThrow();
  });
});

describe('sends without a logged-in session', () => {
  it('answers no session without a client and a send error while the QR is pending', async () => {
    const fresh = await createUser(sim.url);
    const none = await user(sim.url, fresh.token, 'POST', '/chat/send/text', { Phone: '628', Body: 'x' });
    expect(none.status).toBe(500);
    expect(none.json).toEqual({ code: 500, error: 'no session', success: false });
    await user(sim.url, fresh.token, 'POST', '/session/connect', { Immediate: true });
    const pending = await user(sim.url, fresh.token, 'POST', '/chat/send/text', { Phone: '628', Body: 'x' });
    expect(pending.status).toBe(500);
    expect(pending.json.error).toMatch(/^error sending message: /);
    const media = await user(sim.url, fresh.token, 'POST', '/chat/send/image', { Phone: '628', Image: TINY_PNG });
    expect(media.json.error).toMatch(/^failed to upload file: /);
    for (const path of ['/chat/presence', '/chat/markread', '/user/presence', '/user/contacts']) {
      const other = await createUser(sim.url);
      const reply = await user(sim.url, other.token, path === '/user/contacts' ? 'GET' : 'POST', path, {});
      expect(reply.json.error).toBe('no session');
    }
  });
});

describe('presence, mark-read, contacts, history', () => {
  it('sets chat presence and user presence', async () => {
    const chat = await user(sim.url, token, 'POST', '/chat/presence', { Phone: '628123', State: 'composing', Media: '' });
    expect(chat.json).toEqual({ code: 200, data: { Details: 'Chat presence set successfuly' }, success: true });
    expect((await user(sim.url, token, 'POST', '/chat/presence', { Phone: '628123' })).json.error).toBe('missing State in Payload');
    expect((await user(sim.url, token, 'POST', '/user/presence', { type: 'available' })).json.data.Details).toBe(
      'Presence set successfuly',
    );
    expect((await user(sim.url, token, 'POST', '/user/presence', { type: 'busy' })).status).toBe(400);
  });

  it('marks read with ChatPhone/SenderPhone or the legacy JIDs', async () => {
    const ok = await user(sim.url, token, 'POST', '/chat/markread', { Id: ['3EB0A'], ChatPhone: '628123', SenderPhone: '628123' });
    expect(ok.json.data).toEqual({ Details: 'Message(s) marked as read' });
    const legacy = await user(sim.url, token, 'POST', '/chat/markread', { Id: ['3EB0A'], Chat: '628123@s.whatsapp.net' });
    expect(legacy.status).toBe(200);
    expect((await user(sim.url, token, 'POST', '/chat/markread', { Id: ['x'] })).json.error).toBe('missing ChatPhone in Payload');
    expect((await user(sim.url, token, 'POST', '/chat/markread', { ChatPhone: '628' })).json.error).toBe('missing Id in Payload');
  });

  it('returns contacts as a JID-keyed map of PascalCase ContactInfo', async () => {
    const { id, token: own } = await pairedUser(sim);
    sim.setContacts(id, { '628111@s.whatsapp.net': { FullName: 'Budi S', FirstName: 'Budi', PushName: 'budi' } });
    const reply = await user(sim.url, own, 'GET', '/user/contacts');
    expect(reply.json).toEqual({
      code: 200,
      success: true,
      data: {
        '628111@s.whatsapp.net': {
          BusinessName: '',
          FirstName: 'Budi',
          Found: true,
          FullName: 'Budi S',
          PushName: 'budi',
          RedactedPhone: '',
        },
      },
    });
    sim.setContacts(id, {});
    expect((await user(sim.url, own, 'GET', '/user/contacts')).json.data).toEqual({});
  });

  it('keeps chat history and leaks every tenant on chat_jid=index, as the provider does', async () => {
    const other = await pairedUser(sim, { history: 5 });
    await user(sim.url, other.token, 'POST', '/chat/send/text', { Phone: '628999', Body: 'secret' });
    const own = await user(sim.url, token, 'GET', '/chat/history?chat_jid=628123@s.whatsapp.net&limit=2');
    expect(own.json.data).toHaveLength(2);
    expect(own.json.data[0]).toMatchObject({ chat_jid: '628123@s.whatsapp.net', sender_jid: 'me' });
    const index = await user(sim.url, token, 'GET', '/chat/history?chat_jid=index');
    expect(Object.keys(index.json.data)).toContain(other.id);
    expect((await user(sim.url, token, 'GET', '/chat/history')).json.error).toBe('chat_jid is required');
    const noHistory = await createUser(sim.url);
    expect((await user(sim.url, noHistory.token, 'GET', '/chat/history?chat_jid=x')).status).toBe(501);
  });
});

describe('unauthenticated routes', () => {
  it('answers /health bare, HEAD /health empty, and unknown paths or methods with the text 404', async () => {
    const health = await call(sim.url, 'GET', '/health');
    expect(health.json).toMatchObject({ status: 'ok', total_users: expect.any(Number), version: expect.any(String) });
    expect(health.json).not.toHaveProperty('code');
    const head = await call(sim.url, 'HEAD', '/health');
    expect([head.status, head.text]).toEqual([200, '']);
    for (const [method, path] of [
      ['GET', '/nope'],
      ['GET', '/chat/send/text'],
      ['PATCH', '/admin/users'],
    ]) {
      const reply = await call(sim.url, method as string, path as string);
      expect([reply.status, reply.text]).toEqual([404, '404 page not found\n']);
    }
    const events = await call(sim.url, 'GET', '/webhook/events?active=true');
    expect(events.json.data.status).toBe('active_only');
    expect(events.json.data.events).toContain('Message');
  });
});
