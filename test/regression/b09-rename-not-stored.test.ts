/**
 * B9 (go-service-api §12, public.go:160-201): "`PUT /v1/sessions/:id` sends the new name to the provider
 * but does not store it locally. The response shows the new name with a stale `updated_at`."
 *
 * Gateway: the provider is changed first, then the row; the answer is the stored row (new name, new
 * `updated_at`), and every later read shows the new name. A provider refusal changes nothing here.
 */
import { describe, expect, it } from 'vitest';
import { customer } from '../helpers/app.js';
import { seedUser } from '../helpers/seed.js';
import { fileAppWithSimulator } from '../helpers/sim.js';

const t = fileAppWithSimulator({ now: '2026-06-01T00:00:00Z' });

async function sessionNamed(name: string) {
  const { apiKey } = await seedUser(t.app);
  const res = await t.app.inject({ method: 'POST', url: '/v1/sessions', headers: customer(apiKey), payload: { session_name: name } });
  return { apiKey, session: res.json().session as { session_id: string; updated_at: string } };
}
const rename = (apiKey: string, id: string, name: string) =>
  t.app.inject({ method: 'PUT', url: `/v1/sessions/${id}`, headers: customer(apiKey), payload: { session_name: name } });

describe('B9: a rename is stored', () => {
  it('the new name and a fresh updated_at are stored, listed and on the provider', async () => {
    const { apiKey, session } = await sessionNamed('before');
    expect(session.updated_at).toBe('2026-06-01T00:00:00.000Z');
    t.clock.set('2026-06-02T00:00:00Z');
    const res = await rename(apiKey, session.session_id, 'after');
    expect(res.statusCode).toBe(200);
    expect(res.json().session).toMatchObject({ session_name: 'after', updated_at: '2026-06-02T00:00:00.000Z' });
    const listed = (await t.app.inject({ url: '/v1/sessions', headers: customer(apiKey) })).json().sessions[0];
    expect(listed).toMatchObject({ session_name: 'after', updated_at: '2026-06-02T00:00:00.000Z' });
    const { rows } = await t.db.query('SELECT session_name FROM wa_sessions WHERE session_id = $1', [session.session_id]);
    expect(rows).toEqual([{ session_name: 'after' }]);
    expect(t.sim.findUserById(session.session_id)!.name).toBe('after');
    t.clock.set('2026-06-01T00:00:00Z');
  });

  it('a provider refusal is relayed and the stored name stays', async () => {
    const { apiKey, session } = await sessionNamed('kept');
    t.sim.failNext('/admin/users', { status: 500, body: { code: 500, error: 'failed to update user', success: false } });
    const res = await rename(apiKey, session.session_id, 'lost');
    expect(res.statusCode).toBe(500);
    expect(res.json()).toEqual({ code: 500, error: 'failed to update user', success: false });
    expect((await t.app.inject({ url: '/v1/sessions', headers: customer(apiKey) })).json().sessions[0].session_name).toBe('kept');
  });
});
