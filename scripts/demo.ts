import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createProviderSimulator } from '../sim/provider-simulator.js';
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { createDeps } from '../src/deps.js';
import '../src/http/types.js';

/**
 * `npm run demo`: the genfity-wa simulator and the gateway (embedded store in a temporary directory),
 * then a user, a session paired through the simulator and one message sent through the gateway, each
 * step printed with its curl equivalent. `npm run demo -- --keep` leaves both running (Ctrl-C stops).
 * The demo's own settings are fixed here, so neither .env nor the shell changes what it shows.
 */
const ADMIN_TOKEN = 'demo-admin-token';
const INTERNAL_KEY = 'demo-internal-key';
const PHONE = '6281234567890';
const keep = process.argv.includes('--keep');

const bold = (text: string) => (process.stdout.isTTY ? `\x1b[1m${text}\x1b[0m` : text);
const dim = (text: string) => (process.stdout.isTTY ? `\x1b[2m${text}\x1b[0m` : text);

interface Call {
  method: 'GET' | 'POST';
  url: string;
  headers?: Record<string, string>;
  body?: unknown;
}

const quote = (value: string) => `'${value.replace(/'/g, `'\\''`)}'`;

/** The same request as a curl command someone can paste. */
function curl(call: Call): string {
  const parts = ['curl -sS', ...(call.method === 'GET' ? [] : ['-X', call.method]), quote(call.url)];
  for (const [name, value] of Object.entries(call.headers ?? {})) parts.push('-H', quote(`${name}: ${value}`));
  if (call.body !== undefined) parts.push('-H', quote('content-type: application/json'), '-d', quote(JSON.stringify(call.body)));
  return parts.join(' ');
}

let stepNumber = 0;

/** Prints a numbered step and its curl, runs it, prints the answer, and returns it. */
async function step(title: string, call: Call): Promise<{ status: number; headers: Headers; json: Record<string, any> }> {
  stepNumber += 1;
  console.log(`\n${bold(`${stepNumber}. ${title}`)}\n${dim('$')} ${curl(call)}`);
  const res = await fetch(call.url, {
    method: call.method,
    headers: { ...call.headers, ...(call.body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: call.body === undefined ? undefined : JSON.stringify(call.body),
  });
  const text = await res.text();
  const shown = text.trimEnd();
  console.log(`${dim(`→ ${res.status}`)} ${shown.length > 600 ? `${shown.slice(0, 600)}…` : shown}`);
  if (!res.ok) throw new Error(`${title}: ${res.status} ${text}`);
  return { status: res.status, headers: res.headers, json: JSON.parse(text) as Record<string, any> };
}

async function start() {
  const sim = createProviderSimulator({ adminToken: ADMIN_TOKEN, connectStallMs: 200 });
  const simUrl = await sim.listen(0, '127.0.0.1');
  const dataDir = mkdtempSync(join(tmpdir(), 'wa-gateway-demo-'));
  const config = loadConfig({
    HOST: '127.0.0.1',
    DATA_DIR: dataDir,
    WA_SERVER_URL: simUrl,
    WA_ADMIN_TOKEN: ADMIN_TOKEN,
    INTERNAL_API_KEYS: INTERNAL_KEY,
    LOG_LEVEL: 'warn',
  });
  const deps = await createDeps(config);
  const app = await buildApp(config, deps);
  deps.start();
  const gatewayUrl = await app.listen({ port: 0, host: '127.0.0.1' });
  console.log(`${bold('genfity-wa simulator')} ${simUrl}  (admin token ${ADMIN_TOKEN})`);
  console.log(`${bold('gateway')}              ${gatewayUrl}  (embedded store in ${dataDir}; docs at ${gatewayUrl}/docs)`);
  const stop = async () => {
    await app.close();
    await deps.close();
    await sim.close();
    rmSync(dataDir, { recursive: true, force: true });
  };
  return { sim: simUrl, gateway: gatewayUrl, stop };
}

async function walkThrough(urls: { sim: string; gateway: string }) {
  const user = await step('An internal service creates a customer with a subscription (100 messages)', {
    method: 'POST',
    url: `${urls.gateway}/internal/users`,
    headers: { 'x-internal-api-key': INTERNAL_KEY },
    body: {
      user_id: 'demo-customer',
      source: 'demo',
      expires_at: new Date(Date.now() + 30 * 86_400_000).toISOString(),
      max_sessions: 1,
      max_messages: 100,
    },
  });
  const apiKey = user.json.api_key as string;
  const created = await step('The customer creates a WhatsApp session with its API key', {
    method: 'POST',
    url: `${urls.gateway}/v1/sessions`,
    headers: { 'x-api-key': apiKey },
    body: { session_name: 'demo', auto_connect: true },
  });
  const { session_id: sessionId, session_token: token } = created.json.session as { session_id: string; session_token: string };
  await step('A phone scans the QR code (the simulator stands in for it)', {
    method: 'POST',
    url: `${urls.sim}/_sim/pair`,
    body: { sessionId, phone: '6281200000001' },
  });
  await step('The customer app checks the session through the gateway with the session token', {
    method: 'GET',
    url: `${urls.gateway}/v1/wa/session/status`,
    headers: { token },
  });
  const sendCall: Call = {
    method: 'POST',
    url: `${urls.gateway}/v1/wa/chat/send/text`,
    headers: { token },
    body: { Phone: PHONE, Body: 'Halo from the WA Support Gateway demo' },
  };
  const sent = await step('It sends a message', sendCall);
  console.log(dim(`  quota: ${sent.headers.get('x-message-quota-remaining')} of ${sent.headers.get('x-message-quota-limit')} left`));
  await step('The customer sees its quota', { method: 'GET', url: `${urls.gateway}/v1/me`, headers: { 'x-api-key': apiKey } });
  console.log(`\n${bold('Customer key')}   ${apiKey}\n${bold('Session token')}  ${token}\n${bold('Send again')}     ${curl(sendCall)}`);
}

async function main() {
  const demo = await start();
  let failed = false;
  try {
    await walkThrough(demo);
  } catch (error) {
    failed = true;
    console.error(`\ndemo failed: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (keep && !failed) {
    console.log(`\nBoth keep running (--keep): paste the curl above. Ctrl-C stops them.`);
    await new Promise<void>((resolve) => {
      process.once('SIGINT', () => resolve());
      process.once('SIGTERM', () => resolve());
    });
  } else if (!failed) {
    console.log(dim('\n(stopping; run `npm run demo -- --keep` to keep both running and paste the curl yourself)'));
  }
  await demo.stop();
  process.exitCode = failed ? 1 : 0;
}

void main();
