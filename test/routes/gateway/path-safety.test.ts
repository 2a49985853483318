import type { Client } from 'undici';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { pairedOverHttp, providerCalls, type SimApp } from './helpers.js';

let t: SimApp;
let token = '';
let client: Client;
let close: () => Promise<void>;
beforeAll(async () => {
  ({ t, token, client, close } = await pairedOverHttp());
});
afterAll(async () => {
  await close();
});
beforeEach(() => {
  t.sim.clearRequests();
});

// SPEC §4: decided on the decoded, normalised path; every attempt answers 4xx and reaches nothing.
const BYPASSES: Array<[string, string, number]> = [
  ['GET', '/admin/users', 403],
  ['GET', '//admin/users', 403],
  ['GET', '///admin/users', 403],
  ['GET', '/./admin/users', 403],
  ['GET', '/%61dmin/users', 403],
  ['GET', '/%41DMIN/users', 403],
  ['GET', '/Admin/users', 403],
  ['GET', '/ADMIN/users', 403],
  ['GET', '/admin%2fusers', 403],
  ['GET', '/admin%2Fusers', 403],
  ['GET', '/%2fadmin/users', 403],
  ['GET', '/.%2fadmin/users', 403],
  ['GET', '/chat/../admin/users', 403],
  ['GET', '/chat/%2e%2e/admin/users', 403],
  ['GET', '/chat/send/text/../../../admin/users', 403],
  ['GET', '/user/lid/../../admin/users', 403],
  ['DELETE', '/admin/users/abc/full', 403],
  ['POST', '/admin/users', 403],
  ['GET', '/admin', 403],
  ['GET', '/admin/', 403],
  ['GET', '/..', 400],
  ['GET', '/../admin/users', 400],
  ['GET', '/%2e%2e/admin/users', 400],
  ['GET', '/%252e%252e/admin/users', 400],
  ['GET', '/%2561dmin/users', 400],
  ['GET', '/\\admin/users', 400],
  ['GET', '/%5cadmin/users', 400],
  ['GET', '/%00admin/users', 400],
  ['GET', '/admin%3f/users', 400],
  ['GET', '/session%23/status', 400],
  ['GET', '/%E0%A4%A', 400],
  ['GET', '/admin./users', 404],
  ['GET', '/administrator', 404],
  ['GET', '/dashboard', 404],
  ['GET', '/login', 404],
  ['GET', '/api/spec.yml', 404],
  ['GET', '/', 404],
  ['GET', '/health', 404],
  ['GET', '/session/Status', 404],
  ['GET', '/chat/send/text', 405],
  ['DELETE', '/session/status', 405],
  ['GET', '/chat/history?chat_jid=index', 403],
  ['GET', '/chat/history?chat_jid=INDEX', 403],
  ['GET', '/chat/history?chat_jid=%69ndex', 403],
  ['GET', '/chat/history?limit=5&chat_jid=%20index%20', 403],
  ['GET', '/chat/history?chat_jid=6281@s.whatsapp.net&chat_jid=index', 403],
  ['GET', '//chat//history?chat_jid=index', 403],
];

describe('gateway path safety', () => {
  it('has at least 20 bypass variants', () => expect(BYPASSES.length).toBeGreaterThanOrEqual(20));

  it.each(BYPASSES.flatMap(([method, path, status]) => ['/wa', '/v1/wa'].map((prefix) => [method, `${prefix}${path}`, status] as const)))(
    '%s %s → %i, the provider sees nothing',
    async (method, url, status) => {
      const res = await client.request({ method: method as 'GET', path: url, headers: { token } });
      expect(res.statusCode).toBe(status);
      expect(await res.body.json()).toMatchObject({ message: expect.any(String), code: expect.any(String) });
      expect(providerCalls(t)).toEqual([]);
    },
  );

  it('a normalised path reaches the provider as its canonical form', async () => {
    const res = await t.app.inject({ url: '/v1/wa//session/./status', headers: { token } });
    expect(res.statusCode).toBe(200);
    expect(providerCalls(t).map((r) => r.path)).toEqual(['/session/status']);
  });

  it('a chat history that names one chat passes', async () => {
    await t.app.inject({ url: '/v1/wa/chat/history?chat_jid=6281234567890@s.whatsapp.net&limit=5', headers: { token } });
    expect(providerCalls(t).map((r) => r.path)).toEqual(['/chat/history']);
  });
});
