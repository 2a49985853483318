import type { Readable } from 'node:stream';
import { AppError } from '../errors.js';
import { encodePath, normaliseGatewayPath } from '../lib/path.js';
import { isCrossTenantQuery, matchUserRoute, type UserRoute } from '../provider/user-routes.js';
import type { SessionPrincipal } from './session-tokens.js';

/** A customer's request to the token gateway, as plain values (the route strips HTTP away). */
export interface GatewayRequest {
  method: string;
  /** The path after `/wa` or `/v1/wa`, still percent-encoded as received. */
  rawPath: string;
  /** The query string as received, without `?`. */
  rawQuery: string;
  /** The client's headers: forwarded less credentials and hop-by-hop ones; the body's framing is read from them. */
  headers: Record<string, string | string[] | undefined>;
  /** The `Idempotency-Key` header, as sent. */
  idempotencyKey: string | undefined;
  /** The body as it arrives: read (whole, bounded) only once the request is known to go to the provider. */
  body: Readable | null;
  /** Aborts when the client has gone: a lifecycle call still waiting for its turn is then never made. */
  readonly signal?: AbortSignal;
}

export interface Target {
  route: UserRoute;
  path: string;
  encodedPath: string;
}

/** One request on its way to the provider: its principal, target and the body, read whole. */
export interface Exchange {
  session: SessionPrincipal;
  req: GatewayRequest;
  target: Target;
  body: Buffer | null;
  /** The gateway reads the answer whole (to refresh state, or to keep it for a retry): it gets the short deadline. */
  readsAnswer: boolean;
}

/** Decides on the decoded, normalised path: only the provider's user routes pass (SPEC §4). */
export function resolveTarget(req: Pick<GatewayRequest, 'method' | 'rawPath' | 'rawQuery'>): Target {
  const checked = normaliseGatewayPath(req.rawPath);
  if (!checked.ok) throw new AppError('GATEWAY_PATH_INVALID', `invalid path: ${checked.reason}`);
  const match = matchUserRoute(req.method, checked.path, checked.segments);
  if (match.kind === 'admin') throw new AppError('ADMIN_PATH');
  if (match.kind === 'unknown') throw new AppError('GATEWAY_ROUTE_UNKNOWN');
  if (match.kind === 'method') throw new AppError('METHOD_NOT_ALLOWED', undefined, { allow: match.allowed.join(', ') });
  if (isCrossTenantQuery(checked.path, req.rawQuery)) throw new AppError('CROSS_TENANT_QUERY');
  return { route: match.route, path: checked.path, encodedPath: encodePath(checked.segments) };
}
