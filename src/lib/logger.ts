import { type Bindings, type ChildLoggerOptions, type DestinationStream, type Logger, pino } from 'pino';

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

type Level = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';
/** What Fastify needs of a request's logger (its FastifyBaseLogger), in pino's own terms. */
export type RequestLogger = Pick<Logger, Level | 'silent' | 'level'> & {
  child(bindings: Bindings, options?: ChildLoggerOptions): RequestLogger;
};

/**
 * A request's logger that becomes the pino child (with the request id) only when a line at an enabled
 * level is written (issue 15): the child and its redacted bindings cost about a microsecond and a few
 * hundred bytes per request, for lines that at the usual levels are never written. Levels are the
 * parent's; a line's shape and its redaction are exactly the child's. Methods sit on the prototype,
 * not in arrow-function fields, so nothing but the object itself is made per request.
 */
class LazyRequestLogger {
  private real: Logger | null = null;
  constructor(
    private readonly parent: Logger,
    private readonly bindings: Bindings,
  ) {}

  private made(): Logger {
    this.real ??= this.parent.child(this.bindings);
    return this.real;
  }

  private write(level: Level, args: unknown[]): void {
    if (!this.real && !this.parent.isLevelEnabled(level)) return;
    (this.made()[level] as (...a: unknown[]) => void)(...args);
  }

  get level(): string {
    return this.real ? this.real.level : this.parent.level;
  }
  set level(level: string) {
    this.made().level = level;
  }
  fatal(...args: unknown[]): void {
    this.write('fatal', args);
  }
  error(...args: unknown[]): void {
    this.write('error', args);
  }
  warn(...args: unknown[]): void {
    this.write('warn', args);
  }
  info(...args: unknown[]): void {
    this.write('info', args);
  }
  debug(...args: unknown[]): void {
    this.write('debug', args);
  }
  trace(...args: unknown[]): void {
    this.write('trace', args);
  }
  silent(): void {}
  child(bindings: Bindings, options?: ChildLoggerOptions): RequestLogger {
    return this.made().child(bindings, options);
  }
}

/** Fastify's `childLoggerFactory`: options (a route's own level or serializers) make the child at once. */
export function requestLogger(parent: Logger, bindings: Bindings, options?: ChildLoggerOptions): RequestLogger {
  if (options && Object.keys(options).length > 0) return parent.child(bindings, options);
  return new LazyRequestLogger(parent, bindings);
}
