/**
 * B32 (go-service-api §12, API.md:114-115, 127): "API.md at 9406190 still documents
 * `auto_read_enabled`/`typing_enabled` in the create body and in the settings response; the code no longer
 * has them. API.md also says 404 for missing resources, but update and delete of a session answer 403."
 *
 * Gateway: the API document is generated from the routes' own schemas (`/openapi.json`), so it cannot
 * drift: it documents `auto_read_enabled`/`typing_enabled` in the create body, the settings body and the
 * settings answer, and the code honours them; it documents 404 for session update and delete, and
 * that is what a missing session gets.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { customer } from '../helpers/app.js';
import { seedUser } from '../helpers/seed.js';
import { createAppWithSimulator } from '../helpers/sim.js';
import type { SimApp } from '../routes/gateway/helpers.js';

let t: SimApp;
let doc: { paths: Record<string, Record<string, any>> };
beforeAll(async () => {
  t = await createAppWithSimulator();
  doc = (await t.app.inject({ url: '/openapi.json' })).json();
});
afterAll(async () => {
  await t.close();
});

const jsonSchema = (op: any, status?: string) => (status ? op.responses[status] : op.requestBody).content['application/json'].schema;

describe('B32: the documentation is the code', () => {
  it('the flags are documented in the create body, the settings body and the settings answer', () => {
    const create = jsonSchema(doc.paths['/v1/sessions']!.post);
    const settingsPut = jsonSchema(doc.paths['/v1/sessions/{session_id}/settings']!.put);
    const settingsGet = jsonSchema(doc.paths['/v1/sessions/{session_id}/settings']!.get, '200');
    for (const schema of [create, settingsPut, settingsGet]) {
      expect(schema.properties.auto_read_enabled).toMatchObject({ type: 'boolean' });
      expect(schema.properties.typing_enabled).toMatchObject({ type: 'boolean' });
    }
  });

  it('the flags sent at create are stored and returned by settings, as documented', async () => {
    const { apiKey } = await seedUser(t.app);
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/sessions',
      headers: customer(apiKey),
      payload: { session_name: 'doc', auto_read_enabled: true, typing_enabled: true },
    });
    const id = res.json().session.session_id;
    const settings = (await t.app.inject({ url: `/v1/sessions/${id}/settings`, headers: customer(apiKey) })).json();
    expect(settings).toMatchObject({ auto_read_enabled: true, typing_enabled: true });
  });

  it('update and delete document 404, and a missing session gets 404', async () => {
    const { apiKey } = await seedUser(t.app);
    for (const method of ['put', 'delete'] as const) {
      expect(Object.keys(doc.paths['/v1/sessions/{session_id}']![method].responses)).toContain('404');
      const res = await t.app.inject({
        method: method.toUpperCase() as 'PUT' | 'DELETE',
        url: '/v1/sessions/missing',
        headers: customer(apiKey),
        ...(method === 'put' ? { payload: { session_name: 'x' } } : {}),
      });
      expect(res.statusCode, method).toBe(404);
      expect(res.json()).toEqual({ message: 'session not found', code: 'SESSION_NOT_FOUND' });
    }
  });
});
