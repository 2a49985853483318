/**
 * B2 (go-service-api §12, public.go:77 vs public.go:128): "The session limit counts only `active`,
 * `connected` and `qr_waiting`. New sessions are stored as `created` … Freshly created sessions never
 * count, so `max_sessions` is effectively not enforced."
 *
 * Gateway: every session of the user counts, whatever its status (`created`, `disconnected`, …), so
 * `max_sessions` is a real cap. Kept from the Go service: a create answers 201 `{"session":…}`
 * (govconnect reads `session.session_token` and `session.session_id`) and a refusal is 403
 * `session limit exceeded`.
 */
import { describe, expect, it } from 'vitest';
import { customer } from '../helpers/app.js';
import { seedUser } from '../helpers/seed.js';
import { fileAppWithSimulator } from '../helpers/sim.js';

const t = fileAppWithSimulator();

const create = (apiKey: string, name: string) =>
  t.app.inject({ method: 'POST', url: '/v1/sessions', headers: customer(apiKey), payload: { session_name: name } });

describe('B2: max_sessions is enforced on sessions of every status', () => {
  it('max_sessions 1: the first create answers 201, the second 403 although the first is only "created"', async () => {
    const { apiKey, userId } = await seedUser(t.app, { max_sessions: 1 });
    const first = await create(apiKey, 'one');
    expect(first.statusCode).toBe(201);
    expect(first.json().session).toMatchObject({
      status: 'created',
      session_id: expect.stringMatching(/^[0-9a-f]{32}$/),
      session_token: expect.stringMatching(/^wat_/),
    });
    const second = await create(apiKey, 'two');
    expect(second.statusCode).toBe(403);
    expect(second.json()).toEqual({ message: 'session limit exceeded', code: 'SESSION_LIMIT_EXCEEDED' });
    const { rows } = await t.db.query('SELECT status FROM wa_sessions WHERE user_id = $1', [userId]);
    expect(rows).toEqual([{ status: 'created' }]);
  });

  it('a session in a status the Go count ignored (disconnected, logged_out) still holds its slot', async () => {
    const { apiKey, userId } = await seedUser(t.app, { max_sessions: 2 });
    expect((await create(apiKey, 'a')).statusCode).toBe(201);
    expect((await create(apiKey, 'b')).statusCode).toBe(201);
    await t.db.query(
      "UPDATE wa_sessions SET status = CASE WHEN session_name = 'a' THEN 'disconnected' ELSE 'logged_out' END WHERE user_id = $1",
      [userId],
    );
    expect((await create(apiKey, 'c')).statusCode).toBe(403);
    expect(t.sim.listUsers().filter((u) => u.name === 'c')).toEqual([]);
  });

  it('deleting a session frees its slot', async () => {
    const { apiKey } = await seedUser(t.app, { max_sessions: 1 });
    const { session } = (await create(apiKey, 'x')).json();
    expect(
      (await t.app.inject({ method: 'DELETE', url: `/v1/sessions/${session.session_id}`, headers: customer(apiKey) })).statusCode,
    ).toBe(200);
    expect((await create(apiKey, 'y')).statusCode).toBe(201);
  });
});
