// How many customer webhook deliveries one instance sustains to a local receiver (issue 5): N signed
// deliveries queued in the outbox, then worked off by the delivery job. Loopback only, bounded.
import { randomBytes } from 'node:crypto';
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { createDeps } from '../src/deps.js';
import '../src/http/types.js';
import { createProviderSimulator } from '../sim/provider-simulator.js';
import { countingReceiver, sleep } from './harness.js';
import { benchSession, benchUser, queueDeliveries } from './seed.js';
import { openBenchStore } from './store.js';

const COUNT = Number(process.env.BENCH_DELIVERIES ?? 5_000);
const kind = process.env.BENCH_STORE === 'pglite' ? 'pglite' : 'postgres';

async function main() {
  const receiver = await countingReceiver();
  const hook = receiver.url;
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
    const key = await benchUser(app, 'k', 'bench');
    const { sessionId } = await benchSession(app, key, { session_name: 'b', webhook_url: hook, webhook_secret: 's'.repeat(64) });
    const rowId = (await db.query<{ id: number }>('SELECT id FROM wa_sessions WHERE session_id = $1', [sessionId])).rows[0]!.id;
    const body = JSON.stringify({
      id: 'evt',
      type: 'Message',
      session_id: sessionId,
      data: { type: 'Message', event: { Info: { ID: 'x' } } },
    });
    await queueDeliveries(db, { rowId, userId: 'bench', sessionId, url: hook, body: Buffer.from(body), n: COUNT });
    const started = process.hrtime.bigint();
    while (receiver.received() < COUNT) await sleep(20);
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    console.log(
      `store=${kind}: ${COUNT} signed deliveries in ${seconds.toFixed(2)} s = ${(COUNT / seconds).toFixed(0)} deliveries/s (batches of 50, one instance)`,
    );
  } finally {
    await app.close();
    await deps.close();
    await sim.close();
    await receiver.close();
    await drop();
  }
}

await main();
