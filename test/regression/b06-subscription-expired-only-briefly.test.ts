/**
 * B6 (go-service-api §12, public.go:417-421 with database.go:74-88): "`subscription expired` is only
 * visible between expiry and the next cron tick or the first request after expiry. Afterwards the same
 * situation reports `record not found`. A GET (`/v1/me`) writes to the database."
 *
 * Gateway: expiry is an instant checked on every request, so a lapsed subscription answers 403
 * `subscription expired` every time — before the sweep has run and after it has marked the row — on
 * `/v1` and on the gateway alike. Reading never writes: the row is only changed by the sweep.
 */
import { describe, expect, it } from 'vitest';
import { customer } from '../helpers/app.js';
import { fileAppWithSimulator } from '../helpers/sim.js';
import { pairedSession, providerCalls } from '../routes/gateway/helpers.js';

const t = fileAppWithSimulator({ now: '2026-06-01T00:00:00Z' });

const EXPIRED = { message: 'subscription expired', code: 'SUBSCRIPTION_EXPIRED' };
const subRow = async (userId: string) =>
  (
    await t.db.query<{ status: string; updated_at: Date }>('SELECT status, updated_at FROM wa_user_subscriptions WHERE user_id = $1', [
      userId,
    ])
  ).rows[0]!;

describe('B6: an expired subscription always says so, and a read never writes', () => {
  it('repeated requests after expiry all answer "subscription expired", before and after the sweep', async () => {
    const { apiKey, userId, token } = await pairedSession(t, { expires_at: '2026-06-01T00:05:00Z' });
    const before = await subRow(userId);
    t.clock.set('2026-06-01T00:05:00Z');
    for (let i = 0; i < 3; i += 1) {
      const me = await t.app.inject({ url: '/v1/me', headers: customer(apiKey) });
      expect(me.statusCode).toBe(403);
      expect(me.json()).toEqual(EXPIRED);
    }
    // The GETs wrote nothing: the row is as the upsert left it.
    expect(await subRow(userId)).toEqual(before);
    expect(await t.deps.jobs.expirySweep.runOnce()).toMatchObject({ ran: true });
    expect((await subRow(userId)).status).toBe('expired');
    for (const res of [
      await t.app.inject({ url: '/v1/me', headers: customer(apiKey) }),
      await t.app.inject({ method: 'POST', url: '/v1/sessions', headers: customer(apiKey), payload: { session_name: 'late' } }),
      await t.app.inject({ url: '/v1/wa/session/status', headers: { token } }),
      await t.app.inject({ url: '/wa/session/status', headers: { token } }),
    ]) {
      expect(res.statusCode).toBe(403);
      expect(res.json()).toEqual(EXPIRED);
    }
    expect(providerCalls(t)).toEqual([]);
    t.clock.set('2026-06-01T00:00:00Z');
  });
});
