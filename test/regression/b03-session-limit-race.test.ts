/**
 * B3 (go-service-api §12, public.go:75-82, 131): "Count-then-insert with no lock or unique constraint,
 * so parallel creates race even when B2 does not apply."
 *
 * Gateway: the count runs with the owner's row locked and a placeholder row takes the slot before the
 * provider is asked, so N parallel creates with cap M give exactly M sessions, on both sides.
 */
import { describe, expect, it } from 'vitest';
import { customer } from '../helpers/app.js';
import { seedUser } from '../helpers/seed.js';
import { fileAppWithSimulator } from '../helpers/sim.js';

const t = fileAppWithSimulator();

describe('B3: the session cap holds under parallel creates', () => {
  it('12 parallel creates with max_sessions 2 → two 201s, ten 403s, two sessions here and on the provider', async () => {
    const { apiKey, userId } = await seedUser(t.app, { max_sessions: 2 });
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        t.app.inject({ method: 'POST', url: '/v1/sessions', headers: customer(apiKey), payload: { session_name: `race-${i}` } }),
      ),
    );
    expect(results.map((r) => r.statusCode).sort()).toEqual([201, 201, ...Array(10).fill(403)]);
    const { rows } = await t.db.query<{ session_id: string }>('SELECT session_id FROM wa_sessions WHERE user_id = $1', [userId]);
    expect(rows).toHaveLength(2);
    const created = results
      .filter((r) => r.statusCode === 201)
      .map((r) => r.json().session.session_id as string)
      .sort();
    expect(rows.map((r) => r.session_id).sort()).toEqual(created);
    expect(
      t.sim
        .listUsers()
        .filter((u) => u.name.startsWith('race-'))
        .map((u) => u.id)
        .sort(),
    ).toEqual(created);
  });

  it("two users racing do not take each other's slots", async () => {
    const a = await seedUser(t.app, { max_sessions: 1 });
    const b = await seedUser(t.app, { max_sessions: 1 });
    const results = await Promise.all(
      [a, b, a, b].map((u, i) =>
        t.app.inject({ method: 'POST', url: '/v1/sessions', headers: customer(u.apiKey), payload: { session_name: `u${i}` } }),
      ),
    );
    expect(results.filter((r) => r.statusCode === 201)).toHaveLength(2);
    for (const u of [a, b]) {
      expect((await t.app.inject({ url: '/v1/sessions', headers: customer(u.apiKey) })).json().sessions).toHaveLength(1);
    }
  });
});
