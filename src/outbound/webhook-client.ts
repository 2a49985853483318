import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import type { Readable } from 'node:stream';
import { Agent } from 'undici';
import { isPrivateAddress, webhookUrlProblem } from '../lib/webhook-url.js';

export type Lookup = (hostname: string, callback: (error: Error | null, addresses: LookupAddress[]) => void) => void;

export interface WebhookClientOptions {
  allowPrivateTargets: boolean;
  /** The whole attempt: connecting, sending, the answer's headers and the part of its body that is read. */
  timeoutMs: number;
  /** Injected by tests so that no test depends on outside DNS. */
  lookup?: Lookup;
}

export type SendResult = { ok: true; statusCode: number; excerpt: string } | { ok: false; error: string; retryable: boolean };

const systemLookup: Lookup = (hostname, callback) => dnsLookup(hostname, { all: true }, callback);

/** How much of a receiver's answer is read (issue 11 §1); the rest is never looked at. */
const READ_BYTES = 4 * 1024;
/** How much of it is kept for `last_error`. */
export const EXCERPT_BYTES = 512;

class Deadline extends Error {}

/**
 * Reads an answer until READ_BYTES have come, then lets go of it: leaving the loop early destroys the
 * stream and closes its connection (issue 11 §1). What is held is bounded by READ_BYTES plus the one
 * chunk that crossed it — a socket read, 64 KiB at most — however long the body is.
 */
async function readExcerpt(body: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    chunks.push(chunk as Buffer);
    size += (chunk as Buffer).length;
    if (size >= READ_BYTES) break;
  }
  return Buffer.concat(chunks).subarray(0, EXCERPT_BYTES).toString('utf8');
}

/**
 * The client for customer webhook deliveries. A host name is resolved here and its addresses are
 * checked before connecting, and the socket goes to an address that was checked: a name whose every
 * address is private at delivery time is refused, and of a name with both kinds only a public address
 * is used (SPEC §6, SSRF). No redirects are followed. An attempt has one deadline for everything (an
 * abort signal, not idle timeouts that a byte now and then keeps alive), and reading the answer holds
 * at most READ_BYTES and one socket read, whatever its size.
 */
export function createWebhookClient(options: WebhookClientOptions) {
  const resolve = options.lookup ?? systemLookup;
  const agent = new Agent({
    connections: 64,
    keepAliveTimeout: 10_000,
    connect: {
      timeout: options.timeoutMs,
      lookup: (hostname, _opts, callback) =>
        resolve(hostname, (error, addresses) => {
          if (error) return callback(error, '', 4);
          const chosen = addresses.find((a) => options.allowPrivateTargets || !isPrivateAddress(a.address));
          if (!chosen) return callback(Object.assign(new Error(`${hostname} resolves to a private address`), { code: 'EPRIVATE' }), '', 4);
          callback(null, chosen.address, chosen.family);
        }),
    },
  });

  /** Posts `body` as it is; `headers` (lower-case names) carry its content type. */
  async function send(url: string, headers: Record<string, string>, body: Buffer | string): Promise<SendResult> {
    const problem = webhookUrlProblem(url, options.allowPrivateTargets);
    if (problem) return { ok: false, error: problem, retryable: false };
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(new Deadline()), options.timeoutMs);
    try {
      const target = new URL(url);
      const res = await agent.request({
        origin: target.origin,
        path: target.pathname + target.search,
        method: 'POST',
        headers: { 'content-type': 'application/json', 'user-agent': 'wa-support-gateway-webhooks', ...headers },
        body,
        signal: deadline.signal,
      });
      return { ok: true, statusCode: res.statusCode, excerpt: await readExcerpt(res.body) };
    } catch (error) {
      if (deadline.signal.aborted)
        return { ok: false, error: `TIMEOUT: no complete answer within ${options.timeoutMs} ms`, retryable: true };
      const code = (error as { code?: string }).code ?? '';
      return { ok: false, error: `${code || 'ERROR'}: ${(error as Error).message}`.slice(0, 500), retryable: code !== 'EPRIVATE' };
    } finally {
      clearTimeout(timer);
    }
  }

  return { send, close: () => agent.close() };
}
export type WebhookClient = ReturnType<typeof createWebhookClient>;
