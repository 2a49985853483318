// Users, sessions and queued deliveries for the benchmarks that run the gateway in this process.
import type { buildApp } from '../src/app.js';
import type { Queryable } from '../src/store/index.js';

type App = Awaited<ReturnType<typeof buildApp>>;

/** A user made through `/internal/users` (expiring in 2099); answers its API key. */
export async function benchUser(app: App, internalKey: string, userId: string, fields: Record<string, unknown> = {}): Promise<string> {
  const res = await app.inject({
    method: 'POST',
    url: '/internal/users',
    headers: { 'x-internal-api-key': internalKey },
    payload: { user_id: userId, source: 'bench', expires_at: '2099-01-01T00:00:00Z', ...fields },
  });
  if (res.statusCode !== 200) throw new Error(`user: ${res.statusCode} ${res.body}`);
  return res.json().api_key as string;
}

/** A session made through `/v1/sessions` with `fields` (its name is `bench` unless given). */
export async function benchSession(app: App, apiKey: string, fields: Record<string, unknown>) {
  const res = await app.inject({
    method: 'POST',
    url: '/v1/sessions',
    headers: { 'x-api-key': apiKey },
    payload: { session_name: 'bench', ...fields },
  });
  if (res.statusCode !== 200 && res.statusCode !== 201) throw new Error(`session: ${res.statusCode} ${res.body}`);
  const session = res.json().session as { session_id: string; session_token: string };
  return { sessionId: session.session_id, token: session.session_token };
}

/** `n` deliveries of `body` to `url` put straight into the outbox, due now. */
export async function queueDeliveries(
  db: Queryable,
  d: { rowId: number; userId: string; sessionId: string; url: string; body: Buffer; n: number },
): Promise<void> {
  await db.query(
    `INSERT INTO gateway_webhook_deliveries (event_id, session_row_id, user_id, session_id, event_type, url, body, status, attempts,
       next_attempt_at, created_at, updated_at)
     SELECT 'evt_' || g, $1, $2, $3, 'Message', $4, $5, 'pending', 0, now(), now(), now() FROM generate_series(1, $6) g`,
    [d.rowId, d.userId, d.sessionId, d.url, d.body, d.n],
  );
}
