import { customer } from '../../helpers/app.js';
import { seedUser, type SeedUser } from '../../helpers/seed.js';
import { Client } from 'undici';
import { createAppWithSimulator } from '../../helpers/sim.js';

export type SimApp = Awaited<ReturnType<typeof createAppWithSimulator>>;

/** A customer with a session that is connected and paired on the simulator, ready to send. */
export async function pairedSession(t: SimApp, user: SeedUser = {}, session: Record<string, unknown> = {}) {
  const owner = await seedUser(t.app, user);
  const res = await t.app.inject({
    method: 'POST',
    url: '/v1/sessions',
    headers: customer(owner.apiKey),
    payload: { session_name: 'gw', auto_connect: true, ...session },
  });
  const { session_id: sessionId, session_token: token } = res.json().session as { session_id: string; session_token: string };
  t.sim.pair(sessionId, { phone: '6281200000001' });
  t.sim.clearRequests();
  return { ...owner, sessionId, token };
}

export const sendText = (
  t: SimApp,
  token: string,
  extra: Record<string, string> = {},
  body: object = { Phone: '6281234567890', Body: 'halo' },
  prefix = '/v1/wa',
) =>
  t.app.inject({
    method: 'POST',
    url: `${prefix}/chat/send/text`,
    headers: { token, 'content-type': 'application/json', ...extra },
    payload: body,
  });

export const providerCalls = (t: SimApp, path?: string) => t.sim.requests.filter((r) => !path || r.path === path);

/**
 * The app listening on a real port with a paired session and an HTTP client: paths arrive byte for
 * byte (an injected request would be tidied up before it got there).
 */
export async function pairedOverHttp(options: Parameters<typeof createAppWithSimulator>[0] = {}) {
  const t = await createAppWithSimulator(options);
  const { token } = await pairedSession(t);
  const client = new Client(await t.app.listen({ port: 0, host: '127.0.0.1' }));
  return {
    t,
    token,
    client,
    close: async () => {
      await client.close();
      await t.close();
    },
  };
}
