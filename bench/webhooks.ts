// How many customer webhook deliveries one instance sustains to a local receiver (issue 5): N signed
// deliveries queued in the outbox, then worked off by the delivery job. Loopback only, bounded.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { createDeps } from '../src/deps.js';
import '../src/http/types.js';
import { createProviderSimulator } from '../sim/provider-simulator.js';
import { openBenchStore } from './store.js';

const COUNT = Number(process.env.BENCH_DELIVERIES ?? 5_000);
const kind = process.env.BENCH_STORE === 'pglite' ? 'pglite' : 'postgres';

async function main() {
  let received = 0;
  const receiver = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      received += 1;
      res.end('ok');
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  const hook = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
  const { db, drop } = await openBenchStore(kind);
  const sim = createProviderSimulator({ adminToken: 'bench-admin', connectStallMs: 0 });
  await sim.listen(0);
  const config = loadConfig({
    INTERNAL_API_KEYS: 'k',
    WA_SERVER_URL: sim.url,
    WA_ADMIN_TOKEN: 'bench-admin',
    LOG_LEVEL: 'silent',
    GATEWAY_PUBLIC_URL: 'http://127.0.0.1:9',
    WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true',
  });
  const deps = await createDeps(config, { db, encryptionKey: randomBytes(32) });
  const app = await buildApp(config, deps, { logger: false });
  deps.start();
  try {
    const user = await app.inject({
      method: 'POST',
      url: '/internal/users',
      headers: { 'x-internal-api-key': 'k' },
      payload: { user_id: 'bench', source: 'bench', expires_at: '2099-01-01T00:00:00Z' },
    });
    const key = user.json().api_key as string;
    const created = await app.inject({
      method: 'POST',
      url: '/v1/sessions',
      headers: { 'x-api-key': key },
      payload: { session_name: 'b', webhook_url: hook, webhook_secret: 's'.repeat(64) },
    });
    const sessionId = created.json().session.session_id as string;
    const rowId = (await db.query<{ id: number }>('SELECT id FROM wa_sessions WHERE session_id = $1', [sessionId])).rows[0]!.id;
    const body = JSON.stringify({
      id: 'evt',
      type: 'Message',
      session_id: sessionId,
      data: { type: 'Message', event: { Info: { ID: 'x' } } },
    });
    await db.query(
      `INSERT INTO gateway_webhook_deliveries (event_id, session_row_id, user_id, session_id, event_type, url, body, status, attempts, next_attempt_at, created_at, updated_at)
      SELECT 'evt_' || g, $1, 'bench', $2, 'Message', $3, $4, 'pending', 0, now(), now(), now() FROM generate_series(1, $5) g`,
      [rowId, sessionId, hook, Buffer.from(body), COUNT],
    );
    const started = process.hrtime.bigint();
    while (received < COUNT) await new Promise((r) => setTimeout(r, 20));
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    console.log(
      `store=${kind}: ${COUNT} signed deliveries in ${seconds.toFixed(2)} s = ${(COUNT / seconds).toFixed(0)} deliveries/s (batches of 50, one instance)`,
    );
  } finally {
    await app.close();
    await deps.close();
    await sim.close();
    receiver.close();
    await drop();
  }
}

await main();
