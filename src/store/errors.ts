import { AppError } from '../errors.js';

// Socket-level failures, and PostgreSQL's own "go away / not now" classes: 08 connection exception,
// 57P01-57P03 shutdown or start-up, 57P05 idle session ended, 57014 statement cancelled (its
// statement_timeout), 25P03 idle transaction ended, 53300 too many connections.
const NET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE']);
const SQLSTATE = /^(08...|57P0[1235]|57014|25P03|53300)$/;
// node-postgres reports a lost or never-made connection, and a statement its query_timeout gave up
// on, without a code.
const MESSAGES =
  /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Query read timeout/i;

/** True when the error says the database cannot be reached right now, rather than that a statement is wrong. */
export function isStoreUnreachable(error: unknown): boolean {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  if (typeof code === 'string' && (NET_CODES.has(code) || SQLSTATE.test(code))) return true;
  return typeof message === 'string' && MESSAGES.test(message);
}

/**
 * A database that went away becomes a typed 503 STORE_UNAVAILABLE (issue 7: clear errors while it is
 * down, recovery without a restart once it is back); the driver's error stays as `cause` for the log.
 */
export function storeError(error: unknown): unknown {
  // Class 22, data exception: a value the request carried (a NUL byte, a string longer than its
  // column, a number out of range) that no schema check caught. The client's mistake: a 400, not a 500.
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && code.startsWith('22')) {
    return new AppError(
      'VALIDATION_FAILED',
      'a value in the request cannot be stored: too long, out of range or not valid text',
      undefined,
      {
        cause: error,
      },
    );
  }
  if (!isStoreUnreachable(error)) return error;
  return new AppError('STORE_UNAVAILABLE', undefined, undefined, { cause: error });
}
