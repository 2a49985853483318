import { Pool, type Dispatcher } from 'undici';
import { AppError, isAppError, ProviderHttpError } from '../errors.js';
import type { ProviderCall } from '../lib/metrics.js';
import { exchangeDeadline, readAnswer } from './answer.js';

/** Told about every provider exchange (metrics, SPEC §7); the client itself knows no metrics library. */
export interface ProviderObserver {
  providerCall(call: ProviderCall): void;
}

export interface ProviderHttpOptions {
  baseUrl: string | undefined;
  timeoutMs: number;
  /** Largest answer `call` reads, unless the call says otherwise. */
  maxAnswerBytes: number;
  connections?: number;
  observer?: ProviderObserver;
}

export interface ProviderResponse {
  status: number;
  body: string;
  contentType: string;
}

export interface CallOptions {
  method: Dispatcher.HttpMethod;
  path: string;
  headers: Record<string, string>;
  body?: unknown;
  /** Total time for the whole exchange, answer included. */
  timeoutMs?: number;
  /** Largest answer read; past it the connection is dropped and the call fails with a 502. */
  maxBytes?: number;
}

const TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT']);

/**
 * Turns a transport failure into the typed error the caller answers with (502 down, 504 slow). The
 * failure itself stays as `cause`, so the log says why genfity-wa could not be reached (ECONNREFUSED,
 * a reset, a DNS failure); the client sees only the typed code.
 */
export function transportError(error: unknown): AppError {
  // Our own refusals (a deadline that fired, an answer over its cap) are already typed.
  if (isAppError(error)) return error;
  const code = (error as { code?: string }).code ?? '';
  return new AppError(TIMEOUT_CODES.has(code) ? 'PROVIDER_TIMEOUT' : 'PROVIDER_UNAVAILABLE', undefined, undefined, { cause: error });
}

/**
 * One keep-alive connection pool to genfity-wa, shared by every call (go-service-api B22: the Go
 * service had no timeout at all). Every call has a deadline; a hung provider never hangs a request.
 */
export function createProviderHttp(options: ProviderHttpOptions) {
  const origin = options.baseUrl ? new URL(options.baseUrl) : null;
  const basePath = origin ? origin.pathname.replace(/\/+$/, '') : '';
  const pool = origin
    ? new Pool(origin.origin, {
        connections: options.connections ?? 128,
        keepAliveTimeout: 30_000,
        connect: { timeout: Math.min(options.timeoutMs, 10_000) },
      })
    : null;

  function requirePool(): Pool {
    if (!pool) throw new AppError('PROVIDER_NOT_CONFIGURED');
    return pool;
  }

  /** Reports an exchange that began at `started` (`performance.now()`); `forward` reports through it too. */
  function observe(kind: ProviderCall['kind'], method: string, started: number, status: number | null, error: string | null) {
    options.observer?.providerCall({ kind, method, status, error, seconds: (performance.now() - started) / 1000 });
  }

  /**
   * Sends one JSON call and reads the whole answer, within `timeoutMs` in total and at most `maxBytes`;
   * any status comes back, never thrown.
   */
  async function call(o: CallOptions): Promise<ProviderResponse> {
    const target = requirePool();
    const timeout = o.timeoutMs ?? options.timeoutMs;
    const deadline = exchangeDeadline(timeout);
    const started = performance.now();
    try {
      const res = await target.request({
        method: o.method,
        path: basePath + o.path,
        headersTimeout: timeout,
        bodyTimeout: timeout,
        signal: deadline.signal,
        headers: { ...o.headers, ...(o.body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: o.body === undefined ? undefined : JSON.stringify(o.body),
      });
      const body = (await readAnswer(res.body, o.maxBytes ?? options.maxAnswerBytes)).toString('utf8');
      observe('call', o.method, started, res.statusCode, null);
      return { status: res.statusCode, body, contentType: String(res.headers['content-type'] ?? 'application/json') };
    } catch (error) {
      const typed = transportError(error);
      observe('call', o.method, started, null, typed.code);
      throw typed;
    } finally {
      deadline.clear();
    }
  }

  /** Like `call`, but a non-2xx answer becomes a ProviderHttpError that is relayed unchanged. */
  async function callOk(o: CallOptions): Promise<ProviderResponse> {
    const res = await call(o);
    if (res.status < 200 || res.status > 299) throw new ProviderHttpError(res.status, res.body, res.contentType);
    return res;
  }

  return {
    call,
    callOk,
    observe,
    pool: () => pool,
    basePath,
    close: async () => {
      await pool?.close();
    },
  };
}
export type ProviderHttp = ReturnType<typeof createProviderHttp>;
