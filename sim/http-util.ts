import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import { goMarshal } from './go-json.js';

/**
 * `Respond` of handlers.go: Content-Type application/json, body `{"code","data","success":true}` or
 * `{"code","error","success":false}` from json.Encoder (so a trailing newline), keys sorted (contract §3).
 * Pass `undefined` data to reproduce the `{"code":500,"success":true}` quirk of non-JSON payloads.
 */
export function respond(res: ServerResponse, status: number, data: unknown): void {
  const envelope: Record<string, unknown> = { code: status, success: true };
  if (data !== undefined) envelope['data'] = data;
  send(res, status, 'application/json', `${goMarshal(envelope)}\n`);
}

export function respondError(res: ServerResponse, status: number, message: string): void {
  send(res, status, 'application/json', `${goMarshal({ code: status, error: message, success: false })}\n`);
}

/** `respondWithJSON` of helpers.go: a bare object, used by admin writes and /session/hmac/config. */
export function respondJson(res: ServerResponse, status: number, payload: Record<string, unknown>): void {
  send(res, status, 'application/json; charset=utf-8', `${goMarshal(payload)}\n`);
}

/** The static catch-all (routes.go:166): Go's http.FileServer 404, plain text, for any method. */
export function notFound(res: ServerResponse): void {
  res.setHeader('X-Content-Type-Options', 'nosniff');
  send(res, 404, 'text/plain; charset=utf-8', '404 page not found\n');
}

export function send(res: ServerResponse, status: number, contentType: string, body: string): void {
  if (res.headersSent || res.destroyed) return;
  res.statusCode = status;
  res.setHeader('Content-Type', contentType);
  res.setHeader('Content-Length', Buffer.byteLength(body));
  res.end(res.req?.method === 'HEAD' ? undefined : body);
}

export function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** zerolog's hlog.RequestIDHandler sets `Request-Id` to an xid: 20 base32hex characters. */
export function requestId(): string {
  const alphabet = '0123456789abcdefghijklmnopqrstuv';
  return Array.from(randomBytes(20), (b) => alphabet[b % 32]).join('');
}

/** 16 random bytes as lowercase hex: GenerateRandomID() of migrations.go (contract §2). */
export function randomId(): string {
  return randomBytes(16).toString('hex');
}

/** whatsmeow GenerateMessageID(): "3EB0" followed by 18 upper-case hex characters. */
export function messageId(): string {
  return `3EB0${randomBytes(9).toString('hex').toUpperCase()}`;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
