// What a live event stream costs the gateway in memory (issue 16 §4): the real gateway process, N
// streams opened from this process by clients that read (plain sockets, the x-api-key header), the
// gateway's resident memory (VmRSS) and V8 heap (its /metrics) read before and after. Then one event
// per session shows the streams are live.
import { connect, type Socket } from 'node:net';
import { randomBytes } from 'node:crypto';
import { createProviderSimulator } from '../sim/provider-simulator.js';
import { startGatewayProcess } from '../test/helpers/gateway-process.js';
import { heapUsedMiB, sleep } from './harness.js';
import { openBenchStore } from './store.js';

const STREAMS = Number(process.env.BENCH_STREAMS ?? 1_000);
const PER_SESSION = Number(process.env.BENCH_STREAMS_PER_SESSION ?? 10);
const KEY = 'bench-internal-key';
/** A reader of one stream: counts what arrives, holds nothing. */
function openStream(url: URL, path: string, apiKey: string) {
  const socket: Socket = connect(Number(url.port), url.hostname);
  const seen = { bytes: 0, messages: 0 };
  socket.on('data', (chunk: Buffer) => {
    seen.bytes += chunk.length;
    seen.messages += chunk.toString('latin1').split('\n\n').length - 1;
  });
  socket.on('error', () => undefined);
  socket.write(`GET ${path} HTTP/1.1\r\nHost: bench\r\nx-api-key: ${apiKey}\r\n\r\n`);
  return { socket, seen };
}

async function main() {
  const store = await openBenchStore('postgres');
  const sim = createProviderSimulator({ adminToken: 'bench-admin', connectStallMs: 0, webhookRetryCount: 1 });
  await sim.listen(0);
  const gateway = await startGatewayProcess({
    DATABASE_URL: store.url!,
    WA_SERVER_URL: sim.url,
    WA_ADMIN_TOKEN: 'bench-admin',
    INTERNAL_API_KEYS: KEY,
    ENCRYPTION_KEY: randomBytes(32).toString('hex'),
    EVENT_STREAMS_PER_USER: String(STREAMS),
    EVENT_STREAMS_MAX: String(STREAMS),
    PUBLIC_RATE_LIMIT_MAX_REQUEST: '1000000',
    PUBLIC_SPAM_MAX_PER_10S: '1000000',
  });
  const base = new URL(gateway.url);
  const readers: Array<ReturnType<typeof openStream>> = [];
  try {
    const user = await fetch(`${gateway.url}/internal/users`, {
      method: 'POST',
      headers: { 'x-internal-api-key': KEY, 'content-type': 'application/json' },
      body: JSON.stringify({ user_id: 'bench', source: 'bench', expires_at: '2099-01-01T00:00:00Z', max_sessions: 10_000 }),
    });
    const apiKey = ((await user.json()) as { api_key: string }).api_key;
    const sessions: string[] = [];
    for (let i = 0; i < Math.ceil(STREAMS / PER_SESSION); i += 1) {
      const res = await fetch(`${gateway.url}/v1/sessions`, {
        method: 'POST',
        headers: { 'x-api-key': apiKey, 'content-type': 'application/json' },
        body: JSON.stringify({ session_name: `s${i}` }),
      });
      sessions.push(((await res.json()) as { session: { session_id: string } }).session.session_id);
    }
    // Warm up: a few streams opened and closed, so what is measured next is the streams, not first use.
    const warm = sessions.slice(0, 5).map((id) => openStream(base, `/v1/sessions/${id}/events`, apiKey));
    await sleep(1_000);
    for (const w of warm) w.socket.destroy();
    await sleep(2_000);
    const rssBefore = gateway.rssBytes();
    const heapBefore = (await heapUsedMiB(gateway.url)) * 2 ** 20;
    for (let i = 0; i < STREAMS; i += 1) {
      readers.push(openStream(base, `/v1/sessions/${sessions[i % sessions.length]}/events`, apiKey));
      if (i % 100 === 99) await sleep(50);
    }
    while (readers.filter((r) => r.seen.messages >= 2).length < STREAMS) await sleep(100);
    await sleep(2_000);
    const rssAfter = gateway.rssBytes();
    const heapAfter = (await heapUsedMiB(gateway.url)) * 2 ** 20;
    const kib = (bytes: number) => (bytes / 1024).toFixed(1);
    console.log(
      `${STREAMS} live streams (${PER_SESSION} per session) on the gateway process: RSS +${kib(rssAfter - rssBefore)} KiB ` +
        `(${kib((rssAfter - rssBefore) / STREAMS)} KiB per stream), V8 heap +${kib(heapAfter - heapBefore)} KiB ` +
        `(${kib((heapAfter - heapBefore) / STREAMS)} KiB per stream); gateway RSS ${(rssAfter / 1048576).toFixed(0)} MiB in all`,
    );
  } finally {
    for (const r of readers) r.socket.destroy();
    gateway.signal('SIGTERM');
    await gateway.exited;
    await sim.close();
    await store.drop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
