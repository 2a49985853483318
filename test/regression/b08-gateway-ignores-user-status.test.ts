/**
 * B8 (go-service-api §12, public.go:333-348 vs security.go:112-115): "`/wa/*` never checks the
 * user's `status`, while `/v1/*` does."
 *
 * Gateway: a user who is not active is refused with 403 USER_INACTIVE on `/wa/*` and `/v1/wa/*` as on
 * `/v1/*`, at once (the token cache is dropped when the user changes), and the provider sees nothing.
 * Re-activating the user lets the same token work again.
 */
import { describe, expect, it } from 'vitest';
import { customer, internal } from '../helpers/app.js';
import { fileAppWithSimulator } from '../helpers/sim.js';
import { pairedSession, providerCalls, sendText } from '../routes/gateway/helpers.js';

const t = fileAppWithSimulator();

const setStatus = (userId: string, status: string) =>
  t.app.inject({ method: 'PUT', url: `/internal/users/${userId}`, headers: internal(), payload: { status } });

describe("B8: the token gateway checks the owner's status", () => {
  it('an inactive owner is refused on /wa and /v1/wa, even right after a cached success', async () => {
    const { token, userId, apiKey } = await pairedSession(t);
    expect((await t.app.inject({ url: '/wa/session/status', headers: { token } })).statusCode).toBe(200);
    expect((await setStatus(userId, 'inactive')).statusCode).toBe(200);
    t.sim.clearRequests();
    for (const prefix of ['/wa', '/v1/wa']) {
      const status = await t.app.inject({ url: `${prefix}/session/status`, headers: { token } });
      expect(status.statusCode).toBe(403);
      expect(status.json()).toEqual({ message: 'user is not active', code: 'USER_INACTIVE' });
      expect((await sendText(t, token, {}, undefined, prefix)).json().code).toBe('USER_INACTIVE');
    }
    expect((await t.app.inject({ url: '/v1/me', headers: customer(apiKey) })).json().code).toBe('USER_INACTIVE');
    expect(providerCalls(t)).toEqual([]);
    expect((await setStatus(userId, 'active')).statusCode).toBe(200);
    expect((await t.app.inject({ url: '/wa/session/status', headers: { token } })).statusCode).toBe(200);
  });
});
