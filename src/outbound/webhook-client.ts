import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { Agent } from 'undici';
import { isPrivateAddress, webhookUrlProblem } from '../lib/webhook-url.js';

export type Lookup = (hostname: string, callback: (error: Error | null, addresses: LookupAddress[]) => void) => void;

export interface WebhookClientOptions {
  allowPrivateTargets: boolean;
  timeoutMs: number;
  /** Injected by tests so that no test depends on outside DNS. */
  lookup?: Lookup;
}

export type SendResult = { ok: true; statusCode: number; excerpt: string } | { ok: false; error: string; retryable: boolean };

const systemLookup: Lookup = (hostname, callback) => dnsLookup(hostname, { all: true }, callback);

/**
 * The client for customer webhook deliveries. A host name is resolved here and every address is
 * checked before connecting, and the socket goes to the address that was checked: a name that
 * points at a private address at delivery time is refused (SPEC §6, SSRF). No redirects are
 * followed; a slow or endless answer costs at most `timeoutMs` and a few kilobytes.
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

  async function send(url: string, headers: Record<string, string>, body: string): Promise<SendResult> {
    const problem = webhookUrlProblem(url, options.allowPrivateTargets);
    if (problem) return { ok: false, error: problem, retryable: false };
    try {
      const res = await agent.request({
        origin: new URL(url).origin,
        path: new URL(url).pathname + new URL(url).search,
        method: 'POST',
        headers: { 'content-type': 'application/json', 'user-agent': 'wa-support-gateway-webhooks', ...headers },
        body,
        headersTimeout: options.timeoutMs,
        bodyTimeout: options.timeoutMs,
      });
      const excerpt = (await res.body.text().catch(() => '')).slice(0, 512);
      return { ok: true, statusCode: res.statusCode, excerpt };
    } catch (error) {
      const code = (error as { code?: string }).code ?? '';
      return { ok: false, error: `${code || 'ERROR'}: ${(error as Error).message}`.slice(0, 500), retryable: code !== 'EPRIVATE' };
    }
  }

  return { send, close: () => agent.close() };
}
export type WebhookClient = ReturnType<typeof createWebhookClient>;
