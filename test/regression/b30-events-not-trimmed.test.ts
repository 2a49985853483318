/**
 * B30 (go-service-api §12, public.go:137): "Auto-connect splits `events` on `,` without trimming spaces."
 *
 * Gateway: the event list is split, trimmed and emptied of blanks once, and the same clean list goes to
 * the provider's create (`events` as a comma string), to the connect (`Subscribe` array, with
 * `Immediate: true`) and into the row. No events given → the Go default `Message,Connected,Disconnected,QR`.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { customer } from '../helpers/app.js';
import { seedUser } from '../helpers/seed.js';
import { fileAppWithSimulator } from '../helpers/sim.js';
import { providerCalls } from '../routes/gateway/helpers.js';

const t = fileAppWithSimulator();
beforeEach(() => {
  t.sim.reset();
});

async function createWith(events?: string) {
  const { apiKey } = await seedUser(t.app);
  const res = await t.app.inject({
    method: 'POST',
    url: '/v1/sessions',
    headers: customer(apiKey),
    payload: { session_name: 'ev', auto_connect: true, ...(events === undefined ? {} : { events }) },
  });
  expect(res.statusCode).toBe(201);
  const [created] = providerCalls(t, '/admin/users');
  const [connect] = providerCalls(t, '/session/connect');
  return { id: res.json().session.session_id as string, created: JSON.parse(created!.body).events, connect: JSON.parse(connect!.body) };
}

describe('B30: events are trimmed before they are sent', () => {
  it('" Message , QR,, ReadReceipt " → the same three names everywhere', async () => {
    const { id, created, connect } = await createWith(' Message , QR,, ReadReceipt ');
    expect(created).toBe('Message,QR,ReadReceipt');
    expect(connect).toEqual({ Subscribe: ['Message', 'QR', 'ReadReceipt'], Immediate: true });
    expect(t.sim.findUserById(id)!.events).toBe('Message,QR,ReadReceipt');
    const { rows } = await t.db.query('SELECT events FROM wa_sessions WHERE session_id = $1', [id]);
    expect(rows).toEqual([{ events: 'Message,QR,ReadReceipt' }]);
  });

  it('no events → the Go default list', async () => {
    const { connect } = await createWith();
    expect(connect.Subscribe).toEqual(['Message', 'Connected', 'Disconnected', 'QR']);
  });
});
