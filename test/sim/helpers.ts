import { createServer } from 'node:http';
import type { IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { inflateSync } from 'node:zlib';
import { request } from 'undici';
import { createProviderSimulator } from '../../sim/provider-simulator.js';
import type { ProviderSimulator, SimulatorOptions } from '../../sim/provider-simulator.js';

export const ADMIN = 'test-admin-token';

export async function startSim(options: Partial<SimulatorOptions> = {}): Promise<ProviderSimulator> {
  const sim = createProviderSimulator({ adminToken: ADMIN, connectStallMs: 50, webhookRetryCount: 1, ...options });
  await sim.listen(0);
  return sim;
}

export interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  json: any;
}

/** One real HTTP call; `body` objects are sent as JSON, strings as they are. */
export async function call(
  base: string,
  method: string,
  path: string,
  options: { headers?: Record<string, string>; body?: unknown } = {},
): Promise<Reply> {
  const body = options.body === undefined || typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
  const res = await request(`${base}${path}`, { method: method as 'GET', headers: options.headers, body: body as string | undefined });
  const text = await res.body.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.statusCode, headers: res.headers, text, json };
}

export function admin(base: string, method: string, path: string, body?: unknown): Promise<Reply> {
  return call(base, method, path, { headers: { Authorization: ADMIN }, body });
}

export function user(base: string, token: string, method: string, path: string, body?: unknown): Promise<Reply> {
  return call(base, method, path, { headers: { token }, body });
}

/** Creates a provider user through the admin API and returns its id. */
export async function createUser(base: string, fields: Record<string, unknown> = {}): Promise<{ id: string; token: string }> {
  const token = String(fields['token'] ?? `tok-${Math.random().toString(36).slice(2)}`);
  const reply = await admin(base, 'POST', '/admin/users', { name: 'acme', events: 'All', ...fields, token });
  if (reply.status !== 201) throw new Error(`create failed: ${reply.text}`);
  return { id: reply.json.data.id as string, token };
}

/** A user whose client is connected and logged in. */
export async function pairedUser(sim: ProviderSimulator, fields: Record<string, unknown> = {}) {
  const created = await createUser(sim.url, fields);
  await user(sim.url, created.token, 'POST', '/session/connect', { Subscribe: ['All'], Immediate: true });
  const view = sim.pair(created.id, { phone: '628111222333', pushName: 'Acme' });
  return { ...created, jid: view.jid };
}

export interface Received {
  headers: IncomingHttpHeaders;
  body: string;
  url: string;
}

/** A webhook target that keeps the raw body (the signature covers those bytes) and answers `statuses` in turn. */
export async function startReceiver(statuses: number[] = [200]) {
  const received: Received[] = [];
  let calls = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), url: req.url ?? '' });
      res.statusCode = statuses[Math.min(calls, statuses.length - 1)] ?? 200;
      calls += 1;
      res.end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** Reads a PNG's header and inflates its image data, proving it decodes; returns its size. */
export function decodePng(data: Buffer): { width: number; height: number; pixels: Buffer } {
  if (!data.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) throw new Error('not a PNG');
  let offset = 8;
  let width = 0;
  let height = 0;
  const idat: Buffer[] = [];
  while (offset < data.length) {
    const length = data.readUInt32BE(offset);
    const type = data.toString('ascii', offset + 4, offset + 8);
    const chunk = data.subarray(offset + 8, offset + 8 + length);
    if (type === 'IHDR') {
      width = chunk.readUInt32BE(0);
      height = chunk.readUInt32BE(4);
    }
    if (type === 'IDAT') idat.push(chunk);
    offset += 12 + length;
  }
  return { width, height, pixels: inflateSync(Buffer.concat(idat)) };
}

/** A real 1×1 PNG for image sends. */
export const TINY_PNG =
  'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';
