/**
 * B20 (go-service-api §12, public.go:350-357): "The admin block is a raw, case-sensitive prefix test on
 * an uncleaned path (`//admin`, `/./admin` and `/Admin` pass it). Since the client's own headers are
 * forwarded and no admin token is added, the provider's admin authentication still applies."
 *
 * Gateway: the decision is made on the decoded, normalised path, and only genfity-wa's user routes pass
 * (an allow-list): every spelling of `/admin` answers 403 ADMIN_PATH and reaches nothing, under `/wa`
 * and `/v1/wa`. Even a caller holding the admin token cannot use it through the gateway.
 * (test/routes/gateway/path-safety.test.ts holds the long list of variants.)
 */
import type { Client } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SIM_ADMIN_TOKEN } from '../helpers/sim.js';
import { pairedOverHttp, providerCalls, type SimApp } from '../routes/gateway/helpers.js';

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

const get = async (path: string, headers: Record<string, string>) => {
  const res = await client.request({ method: 'GET', path, headers });
  return { status: res.statusCode, body: (await res.body.json()) as { message: string; code: string } };
};

describe('B20: no /admin bypass', () => {
  it.each(['//admin/users', '/./admin/users', '/Admin/users', '/ADMIN/users', '/%61dmin/users', '/admin%2fusers', '/chat/../admin/users'])(
    '%s → 403 ADMIN_PATH under both prefixes, nothing forwarded',
    async (path) => {
      t.sim.clearRequests();
      for (const prefix of ['/wa', '/v1/wa']) {
        const res = await get(`${prefix}${path}`, { token });
        expect(res.status).toBe(403);
        expect(res.body).toEqual({ message: 'admin path is not exposed', code: 'ADMIN_PATH' });
      }
      expect(providerCalls(t)).toEqual([]);
    },
  );

  it('the admin token itself opens nothing: as a credential it is not a session token', async () => {
    t.sim.clearRequests();
    const res = await get('/wa//admin/users', { authorization: SIM_ADMIN_TOKEN });
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('TOKEN_INVALID');
    expect(providerCalls(t)).toEqual([]);
  });
});
