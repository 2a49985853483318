import { STATUS_CODES, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { ERRORS, type ErrorCode } from '../errors.js';

const CODES: Record<string, ErrorCode> = {
  ERR_HTTP_REQUEST_TIMEOUT: 'REQUEST_TIMEOUT',
  HPE_HEADER_OVERFLOW: 'HEADERS_TOO_LARGE',
};

/**
 * Errors of the HTTP parser and of the server's request deadline (REQUEST_BODY_TIMEOUT_MS), which
 * happen outside any route: the client gets the gateway's `{"message","code"}` and the connection is
 * closed. Nothing is written once an answer has begun on the socket, as Node itself does.
 */
export function answerClientError(error: Error & { code?: string }, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const inFlight = (socket as Socket & { _httpMessage?: ServerResponse | null })._httpMessage;
  if (socket.writable && !inFlight?.headersSent) {
    const code = CODES[error.code ?? ''] ?? 'VALIDATION_FAILED';
    const message = code === 'VALIDATION_FAILED' ? 'malformed HTTP request' : ERRORS[code].message;
    const body = JSON.stringify({ message, code });
    const status = ERRORS[code].status;
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(error);
}

/**
 * Node's own deadline for receiving a whole request, headers and body: it closes a connection whose
 * request has not fully arrived in `ms` (checked every `connectionsCheckingInterval`, so a little
 * later at most). Applies to every route family, before any of them sees the request.
 */
export function requestDeadline(ms: number) {
  return {
    requestTimeout: ms,
    http: { requestTimeout: ms, headersTimeout: Math.min(60_000, ms), connectionsCheckingInterval: Math.max(50, Math.min(1_000, ms / 10)) },
  };
}
