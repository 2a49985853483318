import type { Readable } from 'node:stream';
import type { Dispatcher } from 'undici';
import { AppError } from '../errors.js';
import { transportError, type ProviderHttp } from './http.js';

export interface ForwardRequest {
  method: string;
  /** Already normalised and encoded; the query string is appended as the client sent it. */
  path: string;
  query: string;
  token: string;
  headers: Record<string, string | string[] | undefined>;
  body: Readable | null;
  timeoutMs: number;
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

function requestHeaders(r: ForwardRequest): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  const connectionListed = String(r.headers.connection ?? '')
    .toLowerCase()
    .split(',')
    .map((h) => h.trim());
  for (const [name, value] of Object.entries(r.headers)) {
    const lower = name.toLowerCase();
    if (value === undefined || DROPPED_REQUEST.has(lower) || connectionListed.includes(lower)) continue;
    out[lower] = value;
  }
  const length = r.headers['content-length'];
  if (typeof length === 'string') out['content-length'] = length;
  out.token = r.token;
  return out;
}

/**
 * Streams one customer request to genfity-wa and its answer back, both ways without buffering
 * (SPEC §4). Status, content type and body come back untouched; a provider that is down or slower
 * than `timeoutMs` to answer becomes a typed 502/504, never a hang.
 */
export async function forward(http: ProviderHttp, r: ForwardRequest): Promise<ForwardResponse> {
  const pool = http.pool();
  if (!pool) throw new AppError('PROVIDER_NOT_CONFIGURED');
  let res: Dispatcher.ResponseData;
  const started = performance.now();
  try {
    res = await pool.request({
      method: r.method as Dispatcher.HttpMethod,
      path: http.basePath + r.path + (r.query ? `?${r.query}` : ''),
      headers: requestHeaders(r),
      body: r.body ?? undefined,
      headersTimeout: r.timeoutMs,
      bodyTimeout: r.timeoutMs,
    });
  } catch (error) {
    const typed =
      (error as { code?: string }).code === 'UND_ERR_REQ_CONTENT_LENGTH_MISMATCH'
        ? new AppError('VALIDATION_FAILED', 'request body does not match its Content-Length')
        : transportError(error);
    http.observe('forward', r.method, started, null, typed.code);
    throw typed;
  }
  // The answer streams on after this: the duration is the provider's time to its headers.
  http.observe('forward', r.method, started, res.statusCode, null);
  const headers: Record<string, string> = {};
  for (const name of KEPT_RESPONSE) {
    const value = res.headers[name];
    if (typeof value === 'string') headers[name] = value;
  }
  return { status: res.statusCode, headers, body: res.body };
}
