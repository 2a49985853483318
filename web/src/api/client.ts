import { plainMessage } from './errors';

/** Any failed call: `message` is for people, `code` and `detail` are for the code that decides what to show. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly detail: string,
  ) {
    super(plainMessage(status, code, detail));
    this.name = 'ApiError';
  }
}

/** The provider down or slow: the gateway's typed 502/504 (SPEC §2), or no answer at all. */
export const isUnreachable = (error: unknown) =>
  error instanceof ApiError && (error.status === 0 || error.code.startsWith('PROVIDER_') || error.status === 504);

/** The gateway lacks the route: a feature still being built, not a broken page. */
export const isMissingFeature = (error: unknown) => error instanceof ApiError && error.code === 'ROUTE_NOT_FOUND';

export interface CallOptions {
  headers: Record<string, string>;
  body?: unknown;
  signal?: AbortSignal;
}

function parse(text: string): unknown {
  try {
    return text ? JSON.parse(text) : null;
  } catch {
    return text;
  }
}

/** Gateway errors are `{message, code}`; provider errors pass through as `{code, error, success}`. */
function toError(status: number, body: unknown): ApiError {
  if (body && typeof body === 'object') {
    const b = body as Record<string, unknown>;
    if (typeof b.error === 'string') return new ApiError(status, 'PROVIDER', b.error);
    if (typeof b.message === 'string') return new ApiError(status, typeof b.code === 'string' ? b.code : '', b.message);
  }
  return new ApiError(status, '', typeof body === 'string' ? body.slice(0, 200) : '');
}

/** One JSON call to the gateway, same origin. Keys travel in headers only, never in the URL. */
export async function call<T>(method: string, path: string, options: CallOptions): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      headers,
      cache: 'no-store',
      credentials: 'omit',
      signal: options.signal,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    });
  } catch (error) {
    if (error instanceof DOMException && error.name === 'AbortError') throw error;
    throw new ApiError(0, 'NETWORK', '');
  }
  const body = parse(await res.text());
  if (!res.ok) throw toError(res.status, body);
  // A provider may answer 200 with `success: false`; that is still a failure to the person.
  if (body && typeof body === 'object' && (body as { success?: unknown }).success === false) throw toError(500, body);
  return body as T;
}
