// Measures a 10k-contact sync (issue 3): the provider's map → a diff → bulk statements on PostgreSQL (or the
// embedded store with BENCH_STORE=pglite). Runs the real app against the simulator on loopback.
import { randomBytes } from 'node:crypto';
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { createDeps } from '../src/deps.js';
import '../src/http/types.js';
import { createProviderSimulator } from '../sim/provider-simulator.js';
import { benchSession, benchUser } from './seed.js';
import { openBenchStore } from './store.js';

const COUNT = Number(process.env.BENCH_CONTACTS ?? 10_000);
const ROUNDS = 5;
const kind = process.env.BENCH_STORE === 'pglite' ? 'pglite' : 'postgres';

function book(round: number) {
  const entries: Record<string, { Found: boolean; FullName: string; PushName: string }> = {};
  for (let i = 0; i < COUNT; i += 1) {
    const phone = `62812${String(i).padStart(8, '0')}`;
    // Each round renames a tenth and replaces a tenth, so the sync has real work to do.
    const renamed = i % 10 === round % 10 ? ` r${round}` : '';
    const jid = i % 10 === (round + 5) % 10 ? `${phone}9@s.whatsapp.net` : `${phone}@s.whatsapp.net`;
    entries[jid] = { Found: true, FullName: `Contact ${i}${renamed}`, PushName: `c${i}` };
  }
  return entries;
}

async function main() {
  const { db, drop } = await openBenchStore(kind);
  const sim = createProviderSimulator({ adminToken: 'bench-admin', connectStallMs: 0 });
  await sim.listen(0);
  const config = loadConfig({ INTERNAL_API_KEYS: 'bench-key', WA_SERVER_URL: sim.url, WA_ADMIN_TOKEN: 'bench-admin', LOG_LEVEL: 'silent' });
  const deps = await createDeps(config, { db, encryptionKey: randomBytes(32) });
  const app = await buildApp(config, deps, { logger: false });
  deps.start();
  try {
    const key = await benchUser(app, 'bench-key', 'bench');
    const { sessionId, token } = await benchSession(app, key, { session_name: 'b', auto_connect: true });
    console.log(`store=${kind} contacts=${COUNT}`);
    for (let round = 0; round < ROUNDS; round += 1) {
      sim.setContacts(sessionId, book(round));
      const started = process.hrtime.bigint();
      const res = await app.inject({ method: 'POST', url: `/v1/sessions/${sessionId}/contacts/sync`, headers: { 'x-api-key': key } });
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      const fetchStarted = process.hrtime.bigint();
      await deps.provider.contacts(token);
      const fetchMs = Number(process.hrtime.bigint() - fetchStarted) / 1e6;
      console.log(
        `round ${round + 1}: ${ms.toFixed(0)} ms end to end, of which ${fetchMs.toFixed(0)} ms fetching and checking the provider's map; ${res.body}`,
      );
    }
  } finally {
    await app.close();
    await deps.close();
    await sim.close();
    await drop();
  }
}

await main();
