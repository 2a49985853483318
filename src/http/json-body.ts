import type { FastifyRequest } from 'fastify';
import { AppError } from '../errors.js';

/** Empty bodies are "no body"; anything else must be JSON, or the request is a clear 400. */
export function parseJsonBody(_request: FastifyRequest, body: string | Buffer, done: (err: Error | null, value?: unknown) => void) {
  const text = typeof body === 'string' ? body : body.toString('utf8');
  if (text.trim() === '') return done(null, undefined);
  try {
    done(null, JSON.parse(text));
  } catch {
    done(new AppError('INVALID_JSON'));
  }
}
