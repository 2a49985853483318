/**
 * The error catalogue: every code the gateway answers with, its status and its default message.
 * Messages the Go service used are kept word for word where real clients may show them.
 */
export const ERRORS = {
  VALIDATION_FAILED: { status: 400, message: 'invalid request' },
  INVALID_JSON: { status: 400, message: 'request body is not valid JSON' },
  BODY_TOO_LARGE: { status: 413, message: 'request body too large' },
  REQUEST_TIMEOUT: { status: 408, message: 'request body not received in time' },
  HEADERS_TOO_LARGE: { status: 431, message: 'request headers too large' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, message: 'unsupported content type' },
  ROUTE_NOT_FOUND: { status: 404, message: 'route not found' },
  INTERNAL_KEY_REQUIRED: { status: 401, message: 'internal api key required' },
  INTERNAL_KEY_INVALID: { status: 401, message: 'invalid internal api key' },
  SOURCE_NOT_ALLOWED: { status: 403, message: 'key only allowed for its own source' },
  USER_NOT_IN_SOURCE: { status: 403, message: 'user does not belong to this source' },
  USER_NOT_FOUND: { status: 404, message: 'user not found' },
  API_KEY_REQUIRED: { status: 401, message: 'x-api-key is required' },
  API_KEY_INVALID: { status: 401, message: 'invalid api key' },
  USER_INACTIVE: { status: 403, message: 'user is not active' },
  SUBSCRIPTION_NOT_FOUND: { status: 403, message: 'no active subscription' },
  SUBSCRIPTION_EXPIRED: { status: 403, message: 'subscription expired' },
  SUBSCRIPTION_INACTIVE: { status: 403, message: 'subscription inactive' },
  SUBSCRIPTION_REQUIRED: { status: 400, message: 'expires_at is required to create a subscription' },
  RATE_LIMITED: { status: 429, message: 'rate limit exceeded' },
  SPAM_DETECTED: { status: 429, message: 'spam detected' },
  IP_BLOCKED: { status: 429, message: 'ip blocked due to spam' },
  TOKEN_REQUIRED: { status: 401, message: 'token required' },
  TOKEN_INVALID: { status: 403, message: 'invalid session token' },
  ADMIN_PATH: { status: 403, message: 'admin path is not exposed' },
  CROSS_TENANT_QUERY: { status: 403, message: "chat_jid=index lists every tenant's chats and is not exposed" },
  GATEWAY_PATH_INVALID: { status: 400, message: 'invalid path' },
  GATEWAY_ROUTE_UNKNOWN: { status: 404, message: 'not a provider route this gateway exposes' },
  METHOD_NOT_ALLOWED: { status: 405, message: 'method not allowed on this route' },
  QUOTA_EXCEEDED: { status: 429, message: 'message quota exceeded' },
  UPLOAD_BUDGET_EXCEEDED: { status: 429, message: 'too many request bytes in flight for this user, retry shortly' },
  IDEMPOTENCY_KEY_INVALID: { status: 400, message: 'Idempotency-Key must be 1 to 255 characters, without control characters' },
  IDEMPOTENCY_KEY_REUSED: { status: 422, message: 'Idempotency-Key was already used for another request' },
  IDEMPOTENCY_IN_FLIGHT: { status: 409, message: 'a request with this Idempotency-Key is still in flight, retry shortly' },
  SESSION_NOT_FOUND: { status: 404, message: 'session not found' },
  SESSION_LIMIT_EXCEEDED: { status: 403, message: 'session limit exceeded' },
  WEBHOOK_URL_NOT_ALLOWED: { status: 400, message: 'webhook_url must be a public http(s) URL' },
  PROVIDER_URL_NOT_ALLOWED: { status: 400, message: 'proxy and S3 endpoints must not be private or loopback addresses' },
  PROVIDER_NOT_CONFIGURED: { status: 502, message: 'provider is not configured' },
  PROVIDER_UNAVAILABLE: { status: 502, message: 'provider unavailable' },
  PROVIDER_TIMEOUT: { status: 504, message: 'provider timed out' },
  PROVIDER_BAD_RESPONSE: { status: 502, message: 'provider sent an invalid response' },
  PROVIDER_ANSWER_TOO_LARGE: { status: 502, message: 'provider answer too large' },
  PROVIDER_BUSY: { status: 503, message: 'the provider is busy with another session connect, disconnect or logout, retry shortly' },
  WEBHOOK_SIGNATURE_INVALID: { status: 401, message: 'missing or invalid x-hmac-signature' },
  WEBHOOK_SESSION_UNKNOWN: { status: 404, message: 'unknown session' },
  WEBHOOK_PAYLOAD_INVALID: { status: 400, message: 'not a genfity-wa event' },
  WEBHOOK_AUTH_BLOCKED: { status: 429, message: 'too many failed webhook signatures from this address; try again later' },
  WEBHOOK_URL_MISSING: { status: 400, message: 'the session has no webhook_url' },
  DELIVERY_NOT_FOUND: { status: 404, message: 'delivery not found' },
  // Not an error: the answer to deleting a session genfity-wa no longer knew (B11), listed so the code is documented.
  SESSION_DELETED: { status: 200, message: 'session deleted' },
  USAGE_DATE_INVALID: { status: 400, message: 'from and to must be calendar days written YYYY-MM-DD' },
  USAGE_RANGE_INVALID: { status: 400, message: 'from must not be after to' },
  USAGE_RANGE_TOO_LONG: { status: 400, message: 'a usage range covers at most 366 days' },
  EVENT_STREAM_LIMIT: { status: 429, message: 'too many live event streams open for this user; close one first' },
  EVENT_STREAMS_FULL: { status: 503, message: 'too many live event streams open, retry shortly' },
  INTERNAL_ERROR: { status: 500, message: 'internal server error' },
  SERVICE_UNAVAILABLE: { status: 503, message: 'service unavailable' },
  NOT_READY: { status: 503, message: 'not ready' },
  STORE_UNAVAILABLE: { status: 503, message: 'database unavailable, try again shortly' },
  METRICS_TOKEN_INVALID: { status: 401, message: 'a valid metrics token is required' },
} as const satisfies Record<string, { status: number; message: string }>;

export type ErrorCode = keyof typeof ERRORS;

/**
 * Thrown by services; only the error handler turns it into HTTP. `cause` is what failed underneath (a
 * driver or transport error): never shown to the client, logged by the error handler with a 5xx.
 */
export class AppError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    message?: string,
    readonly headers?: Record<string, string>,
    options?: { cause?: unknown },
  ) {
    super(message ?? ERRORS[code].message, options);
    this.name = 'AppError';
    this.status = ERRORS[code].status;
  }
}

export function isAppError(error: unknown): error is AppError {
  return error instanceof AppError;
}

/**
 * A provider answer outside 2xx that the caller relays as it is (SPEC §2: provider bodies pass
 * through untouched; real clients match strings such as "already connected" in them).
 */
export class ProviderHttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: string,
    readonly contentType: string,
  ) {
    super(`provider answered ${status}`);
    this.name = 'ProviderHttpError';
  }
}
