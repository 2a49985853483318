import { pino, type Logger } from 'pino';

/** Paths whose values never reach a log line (SPEC §7: keys, tokens, webhook secrets, Authorization). */
export const REDACTED = [
  'req.headers.authorization', 'req.headers.token', 'req.headers["x-api-key"]', 'req.headers["x-internal-api-key"]', 'req.headers.cookie',
  '*.api_key', '*.session_token', '*.webhook_secret', '*.token', '*.hmac_key', '*.password',
];

/** The process logger: pino JSON, shared with Fastify so every line has the same shape. */
export function createLogger(level: string): Logger {
  return pino({ level, redact: { paths: REDACTED, censor: '[redacted]' } });
}
