import { Transform, type Readable } from 'node:stream';
import { AppError } from '../errors.js';
import { normaliseGatewayPath, encodePath } from '../lib/path.js';
import { isCrossTenantQuery, matchUserRoute, type UserRoute } from '../provider/user-routes.js';

/** A customer's request to the token gateway, as plain values (the route strips HTTP away). */
export interface GatewayRequest {
  method: string;
  /** The path after `/wa` or `/v1/wa`, still percent-encoded as received. */
  rawPath: string;
  /** The query string as received, without `?`. */
  rawQuery: string;
  headers: Record<string, string | string[] | undefined>;
  body: Readable | null;
}

export interface Target {
  route: UserRoute;
  path: string;
  encodedPath: string;
}

/** Decides on the decoded, normalised path: only the provider's user routes pass (SPEC §4). */
export function resolveTarget(req: GatewayRequest): Target {
  const checked = normaliseGatewayPath(req.rawPath);
  if (!checked.ok) throw new AppError('GATEWAY_PATH_INVALID', `invalid path: ${checked.reason}`);
  const match = matchUserRoute(req.method, checked.path, checked.segments);
  if (match.kind === 'admin') throw new AppError('ADMIN_PATH');
  if (match.kind === 'unknown') throw new AppError('GATEWAY_ROUTE_UNKNOWN');
  if (match.kind === 'method') throw new AppError('METHOD_NOT_ALLOWED', undefined, { allow: match.allowed.join(', ') });
  if (isCrossTenantQuery(checked.path, new URLSearchParams(req.rawQuery))) throw new AppError('CROSS_TENANT_QUERY');
  return { route: match.route, path: checked.path, encodedPath: encodePath(checked.segments) };
}

/** `token`, else `Authorization: Bearer <t>`, else a raw `Authorization: <t>` (go-service-api §4.3). */
export function tokenFrom(headers: GatewayRequest['headers']): string | null {
  const token = headers.token;
  if (typeof token === 'string' && token.trim()) return token.trim();
  const auth = headers.authorization;
  if (typeof auth !== 'string' || !auth.trim()) return null;
  return (
    auth
      .trim()
      .replace(/^Bearer\s+/i, '')
      .trim() || null
  );
}

/**
 * Caps a streamed body at `max` bytes: a declared length over the cap is refused before anything is
 * sent, an undeclared one is cut off as soon as it passes the cap (413, not a buffered read).
 */
export function capBody(req: GatewayRequest, max: number): { body: Readable | null; exceeded: () => boolean } {
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (declared > max) throw new AppError('BODY_TOO_LARGE');
  if (!req.body || declared === 0 || (['GET', 'HEAD'].includes(req.method) && !req.headers['transfer-encoding'])) {
    return { body: null, exceeded: () => false };
  }
  // A declared length under the cap needs no counting: the HTTP parser will not read past it.
  if (Number.isInteger(declared) && !req.headers['transfer-encoding']) return { body: req.body, exceeded: () => false };
  let seen = 0;
  let over = false;
  const counter = new Transform({
    transform(chunk: Buffer, _enc, done) {
      seen += chunk.length;
      if (seen > max) {
        over = true;
        return done(new AppError('BODY_TOO_LARGE'));
      }
      done(null, chunk);
    },
  });
  req.body.on('error', (error) => counter.destroy(error));
  return { body: req.body.pipe(counter), exceeded: () => over };
}
