import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { ERRORS, isAppError, ProviderHttpError, type ErrorCode } from '../errors.js';

function send(reply: FastifyReply, code: ErrorCode, message?: string) {
  return reply
    .status(ERRORS[code].status)
    .type('application/json; charset=utf-8')
    .send({ message: message ?? ERRORS[code].message, code });
}

/**
 * The one place where errors become HTTP (STYLE: error model). Client mistakes get a clear 4xx with
 * `{"message","code"}`; anything else is logged and answered with a generic 500.
 */
export function handleError(error: FastifyError | Error, request: FastifyRequest, reply: FastifyReply) {
  if (error instanceof ProviderHttpError) {
    // Relayed as the provider wrote it: real clients match its `error` strings (SPEC §2).
    return reply.status(error.status).type(error.contentType).send(error.body);
  }
  if (isAppError(error)) {
    // A typed 5xx with an underlying failure (STORE_UNAVAILABLE): the client gets the code, the log the details.
    if (error.status >= 500 && error.cause) request.log.error({ err: error.cause, code: error.code }, 'request failed');
    if (error.headers) reply.headers(error.headers);
    return send(reply, error.code, error.message);
  }
  const fastifyError = error as FastifyError;
  if (fastifyError.validation) return send(reply, 'VALIDATION_FAILED', fastifyError.message);
  const status = fastifyError.statusCode ?? 500;
  if (status === 413) return send(reply, 'BODY_TOO_LARGE');
  if (status === 415) return send(reply, 'UNSUPPORTED_MEDIA_TYPE');
  if (status >= 400 && status < 500) return send(reply, status === 404 ? 'ROUTE_NOT_FOUND' : 'VALIDATION_FAILED', fastifyError.message);
  request.log.error({ err: error }, 'unhandled error');
  return send(reply, 'INTERNAL_ERROR');
}

export function handleNotFound(_request: FastifyRequest, reply: FastifyReply) {
  return send(reply, 'ROUTE_NOT_FOUND');
}
