/**
 * B26 (go-service-api §12, public.go:374-379): "Any non-2xx answer, including the provider's 4xx
 * validation errors, counts as a failed message."
 *
 * Gateway: a send the provider refuses with a 4xx (a bad request of the customer) is neither a sent nor a
 * failed message: it is given back to the quota and left out of the statistics. Only a provider 5xx,
 * or a provider that cannot be reached, is a failed message (README "The token gateway": "failed =
 * provider 5xx or unreachable").
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { customer } from '../helpers/app.js';
import { fileAppWithSimulator } from '../helpers/sim.js';
import { pairedSession, sendText } from '../routes/gateway/helpers.js';

const t = fileAppWithSimulator();
beforeEach(() => {
  t.sim.reset();
});

async function statsOf(apiKey: string, sessionId: string) {
  await t.deps.flushCounters();
  const settings = (await t.app.inject({ url: `/v1/sessions/${sessionId}/settings`, headers: customer(apiKey) })).json();
  return {
    sent: settings.message_stats.sent as number,
    failed: settings.message_stats.failed as number,
    sessionSent: settings.message_stat_sent as number,
    sessionFailed: settings.message_stat_failed as number,
  };
}

describe('B26: a provider 4xx is not a failed message', () => {
  it('a 4xx refusal is relayed and given back to the quota', async () => {
    const { token, apiKey } = await pairedSession(t, { max_messages: 1 });
    const refused = await sendText(t, token, {}, { Phone: '6281234567890' });
    expect(refused.statusCode).toBe(400);
    expect(refused.json()).toEqual({ code: 400, error: 'missing Body in Payload', success: false });
    expect((await t.app.inject({ url: '/v1/me', headers: customer(apiKey) })).json().quota).toMatchObject({ used: 0, remaining: 1 });
    expect((await sendText(t, token)).statusCode).toBe(200);
  });

  it('statistics: a 4xx counts neither as sent nor as failed', async () => {
    const { token, apiKey, sessionId } = await pairedSession(t);
    expect((await sendText(t, token, {}, { Phone: '6281234567890' })).statusCode).toBe(400);
    expect(await statsOf(apiKey, sessionId)).toEqual({ sent: 0, failed: 0, sessionSent: 0, sessionFailed: 0 });
  });

  it('statistics: a provider 5xx and an unreachable provider count as failed', async () => {
    const { token, apiKey, sessionId } = await pairedSession(t);
    t.sim.failNext('/chat/send/text', { status: 500, body: { code: 500, error: 'error sending message: boom', success: false } });
    expect((await sendText(t, token)).statusCode).toBe(500);
    t.sim.setDown(true);
    expect((await sendText(t, token)).statusCode).toBe(502);
    t.sim.setDown(false);
    expect(await statsOf(apiKey, sessionId)).toEqual({ sent: 0, failed: 2, sessionSent: 0, sessionFailed: 2 });
  });
});
