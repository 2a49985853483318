/**
 * B22 (go-service-api §12, public.go:464, 487, 515, 544): "Outbound calls use a client with no timeout.
 * A hung provider hangs the request indefinitely. `auto_connect` makes `POST /v1/sessions` wait for the
 * provider's connect call."
 *
 * Gateway: every provider call has a deadline (PROVIDER_TIMEOUT_MS, PROVIDER_LONG_TIMEOUT_MS for
 * connect, media and downloads); a provider slower than that answers 504 PROVIDER_TIMEOUT, on the token
 * gateway and on the customer API. `auto_connect` still waits for connect (sent with `Immediate: true`,
 * so genfity-wa does not stall), but only up to the long timeout, and a connect that fails or times out
 * does not fail the create (201, as the Go service ignored its result).
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { customer } from '../helpers/app.js';
import { seedUser } from '../helpers/seed.js';
import { fileAppWithSimulator } from '../helpers/sim.js';
import { pairedSession, providerCalls, sendText } from '../routes/gateway/helpers.js';

const t = fileAppWithSimulator({ env: { PROVIDER_TIMEOUT_MS: '600', PROVIDER_LONG_TIMEOUT_MS: '1200' } });
beforeEach(() => {
  t.sim.reset();
});

describe('B22: a slow provider is a 504, never a hang', () => {
  it('gateway: a hung status or send → 504 {message, code}', async () => {
    const { token } = await pairedSession(t);
    t.sim.setLatency(2500, '/session/status');
    t.sim.setLatency(2500, '/chat/send/text');
    const status = await t.app.inject({ url: '/v1/wa/session/status', headers: { token } });
    expect(status.statusCode).toBe(504);
    expect(status.json()).toEqual({ message: 'provider timed out', code: 'PROVIDER_TIMEOUT' });
    expect((await sendText(t, token)).statusCode).toBe(504);
  });

  it('customer API: a hung contacts sync → 504; GET contacts still answers from the cache', async () => {
    const { apiKey, sessionId } = await pairedSession(t);
    t.sim.setLatency(2500, '/user/contacts');
    const sync = await t.app.inject({ method: 'POST', url: `/v1/sessions/${sessionId}/contacts/sync`, headers: customer(apiKey) });
    expect(sync.statusCode).toBe(504);
    const listed = await t.app.inject({ url: `/v1/sessions/${sessionId}/contacts`, headers: customer(apiKey) });
    expect(listed.statusCode).toBe(200);
    expect(listed.json()).toMatchObject({ synced: false, sync_error: 'provider timed out', contacts: [] });
  });

  it('auto_connect with a hung connect: the create still answers 201 and the connect was sent with Immediate', async () => {
    const { apiKey } = await seedUser(t.app);
    t.sim.setLatency(2500, '/session/connect');
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/sessions',
      headers: customer(apiKey),
      payload: { session_name: 'slow', auto_connect: true },
    });
    expect(res.statusCode).toBe(201);
    expect(res.json().session).toMatchObject({ session_name: 'slow', status: 'created' });
    const [connect] = providerCalls(t, '/session/connect');
    expect(JSON.parse(connect!.body)).toMatchObject({ Immediate: true });
  });
});
