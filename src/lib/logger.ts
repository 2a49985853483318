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
