import { pino, type DestinationStream, type Logger } from 'pino';

/** Paths whose values never reach a log line (SPEC §7: keys, tokens, webhook secrets, Authorization). */
export const REDACTED = [
  'req.headers.authorization',
  'req.headers.token',
  'req.headers["x-api-key"]',
  'req.headers["x-internal-api-key"]',
  'req.headers.cookie',
  // `*.x` only reaches one level down: the same names at the top of a log object are listed too.
  '*.api_key',
  '*.session_token',
  '*.webhook_secret',
  '*.token',
  '*.hmac_key',
  '*.password',
  'api_key',
  'session_token',
  'webhook_secret',
  'token',
  'hmac_key',
  'password',
];

/** The process logger: pino JSON on stdout (or `destination`: tests), shared with Fastify so every line has the same shape. */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  const options = { level, redact: { paths: REDACTED, censor: '[redacted]' } };
  return destination ? pino(options, destination) : pino(options);
}

/**
 * How a service tells of a failure it survives on purpose (a best-effort provider call, a clean-up
 * after a failed step, a message the bus could not take): `what` says what did not happen. deps.ts
 * hands services one that logs, so no failure is swallowed without a line saying why.
 */
export type OnError = (error: unknown, what: string) => void;

/** An OnError that writes to `logger` (a warning by default: the request itself went on). */
export function logErrors(logger: Pick<Logger, 'warn' | 'error'>, level: 'warn' | 'error' = 'warn'): OnError {
  return (err, what) => logger[level]({ err }, what);
}
