import type { Readable } from 'node:stream';
import type { Dispatcher } from 'undici';
import { AppError } from '../errors.js';
import { exchangeDeadline } from './answer.js';
import { transportError, type ProviderHttp } from './http.js';

export interface ForwardRequest {
  method: string;
  /** Already normalised and encoded; the query string is appended as the client sent it. */
  path: string;
  query: string;
  token: string;
  headers: Record<string, string | string[] | undefined>;
  /** Read whole before anything is sent (issue 11 item 3): the provider never waits on a slow client. */
  body: Buffer | null;
  /** Time to the provider's headers, and the longest pause while its answer streams. */
  timeoutMs: number;
  /** Total time for the exchange, the answer streamed to its end included. */
  deadlineMs: number;
}

export interface ForwardResponse {
  status: number;
  headers: Record<string, string>;
  body: Readable;
}

// Hop-by-hop headers (RFC 9110 §7.6.1) and every credential: exactly one, the session token, is
// set by the gateway (SPEC §4; go-service-api B19 forwarded the customer's key and Authorization).
const DROPPED_REQUEST = new Set([
  'host',
  'connection',
  'keep-alive',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'proxy-authorization',
  'proxy-authenticate',
  'authorization',
  'token',
  'x-api-key',
  'x-internal-api-key',
  'cookie',
  // The body is a Buffer: undici writes its length.
  'content-length',
  'expect',
  'idempotency-key',
]);
// What the client needs to read the provider's answer; everything else stays behind.
const KEPT_RESPONSE = [
  'content-type',
  'content-length',
  'content-encoding',
  'content-disposition',
  'cache-control',
  'etag',
  'last-modified',
];

/** Names a `Connection` header lists (hop-by-hop too); none for the usual `keep-alive` or `close`. */
function connectionListed(value: string | string[] | undefined): string[] | null {
  if (value === undefined) return null;
  const text = String(value).toLowerCase();
  if (text === 'keep-alive' || text === 'close') return null;
  return text.split(',').map((h) => h.trim());
}

function requestHeaders(r: ForwardRequest): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  const listed = connectionListed(r.headers.connection);
  // for…in, not Object.entries: no array of pairs per request (issue 15).
  for (const name in r.headers) {
    const value = r.headers[name];
    const lower = name.toLowerCase();
    if (value === undefined || DROPPED_REQUEST.has(lower) || listed?.includes(lower)) continue;
    out[lower] = value;
  }
  out.token = r.token;
  return out;
}

/**
 * Sends one customer request to genfity-wa and streams its answer back without buffering it (SPEC §4).
 * Status, content type and body come back untouched; a provider that is down or slower than
 * `timeoutMs` to answer becomes a typed 502/504, never a hang, and no answer streams past `deadlineMs`.
 */
export async function forward(http: ProviderHttp, r: ForwardRequest): Promise<ForwardResponse> {
  const pool = http.pool();
  if (!pool) throw new AppError('PROVIDER_NOT_CONFIGURED');
  let res: Dispatcher.ResponseData;
  const started = performance.now();
  const deadline = exchangeDeadline(r.deadlineMs);
  try {
    res = await pool.request({
      method: r.method as Dispatcher.HttpMethod,
      path: http.basePath + r.path + (r.query ? `?${r.query}` : ''),
      headers: requestHeaders(r),
      body: r.body ?? undefined,
      headersTimeout: r.timeoutMs,
      bodyTimeout: r.timeoutMs,
      signal: deadline.signal,
    });
  } catch (error) {
    deadline.clear();
    const typed = transportError(error);
    http.observe('forward', r.method, started, null, typed.code);
    throw typed;
  }
  res.body.once('close', deadline.clear);
  // The answer streams on after this: the duration is the provider's time to its headers.
  http.observe('forward', r.method, started, res.statusCode, null);
  const headers: Record<string, string> = {};
  for (const name of KEPT_RESPONSE) {
    const value = res.headers[name];
    if (typeof value === 'string') headers[name] = value;
  }
  return { status: res.statusCode, headers, body: res.body };
}
