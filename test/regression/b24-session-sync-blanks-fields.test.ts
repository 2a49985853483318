/**
 * B24 (go-service-api §12, public.go:736-762): "The session sync blanks `session_name`, `jid` and
 * `status` and sets `connected`/`logged_in` to false when the answer lacks those keys. It can insert new
 * session rows for ids it has not seen; a second one with an empty token collides on the unique index,
 * and the error is ignored."
 *
 * Gateway: a `/session/*` answer only refreshes the caller's own row, and only with what it carries:
 * the name is never taken from it, an absent or empty `jid` keeps the stored one, and an answer that
 * names another session id never creates a row. (The real `/session/status` always carries `connected`
 * and `loggedIn`, contract §4; the gateway reads an absent one as false.)
 */
import { describe, expect, it } from 'vitest';
import { customer } from '../helpers/app.js';
import { fileAppWithSimulator } from '../helpers/sim.js';
import { pairedSession } from '../routes/gateway/helpers.js';

const t = fileAppWithSimulator();

const sessionsOf = async (apiKey: string) => (await t.app.inject({ url: '/v1/sessions', headers: customer(apiKey) })).json().sessions;
const answer = (data: object) => ({ status: 200, body: { code: 200, data, success: true } });

describe('B24: a session answer never blanks or invents sessions', () => {
  it('an answer without name or jid keeps them; one naming another id creates nothing', async () => {
    const { apiKey, token, userId } = await pairedSession(t, {}, { session_name: 'kantor-desa' });
    await t.app.inject({ url: '/v1/wa/session/status', headers: { token } });
    const [synced] = await sessionsOf(apiKey);
    expect(synced).toMatchObject({
      session_name: 'kantor-desa',
      connected: true,
      logged_in: true,
      status: 'connected',
      jid: expect.stringContaining('6281200000001'),
    });

    t.sim.failNext('/session/status', answer({ id: 'f'.repeat(32), connected: true, loggedIn: true, jid: '', name: '', token: '' }));
    expect((await t.app.inject({ url: '/v1/wa/session/status', headers: { token } })).statusCode).toBe(200);
    t.sim.failNext('/session/connect', answer({ details: 'Connected!' }));
    await t.app.inject({
      method: 'POST',
      url: '/v1/wa/session/connect',
      headers: { token, 'content-type': 'application/json' },
      payload: { Immediate: true },
    });

    const after = await sessionsOf(apiKey);
    expect(after).toHaveLength(1);
    expect(after[0]).toMatchObject({ session_id: synced.session_id, session_name: 'kantor-desa', jid: synced.jid, connected: true });
    const { rows } = await t.db.query('SELECT session_id FROM wa_sessions WHERE user_id = $1', [userId]);
    expect(rows).toEqual([{ session_id: synced.session_id }]);
  });

  it('an answer that is not JSON changes nothing', async () => {
    const { apiKey, token } = await pairedSession(t);
    await t.app.inject({ url: '/v1/wa/session/status', headers: { token } });
    const [before] = await sessionsOf(apiKey);
    t.sim.setGarbage('/session/status', 1);
    expect((await t.app.inject({ url: '/v1/wa/session/status', headers: { token } })).statusCode).toBe(200);
    const [after] = await sessionsOf(apiKey);
    expect(after).toMatchObject({
      session_name: before.session_name,
      jid: before.jid,
      status: before.status,
      connected: true,
      logged_in: true,
    });
  });
});
